import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role, UserSession
from cases.models import Referral, ReferralState, SafeContact
from extensions import db
from meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Attendance,
    CaseMinutes,
    CaseOutcome,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    ResearchReturn,
)
from meetings.schedule import meeting_dates
from tests.meetings.factories import seed_meeting

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def get(app, model, key):
    with app.app_context():
        row = db.session.get(model, key)
        db.session.expunge(row)
        return row


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def set_status(app, meeting_id, status):
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = status
        db.session.commit()


def date_fields(name: str, day: date) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


@pytest.fixture
def coordinator(sign_in_as):
    return sign_in_as(Role.COORDINATOR, email="coordinator@example.org", agency="Riverside IDVA Service")


@pytest.mark.parametrize(
    ("first", "repeat", "count", "expected"),
    [
        (date(2026, 12, 2), "once", 5, [date(2026, 12, 2)]),
        (date(2026, 12, 2), "fortnightly", 3, [date(2026, 12, 2), date(2026, 12, 16), date(2026, 12, 30)]),
        # the second Tuesday of each month
        (date(2026, 12, 8), "monthly", 3, [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9)]),
        # a fifth Tuesday becomes the month's last Tuesday where there is no fifth
        (date(2026, 12, 29), "monthly", 2, [date(2026, 12, 29), date(2027, 1, 26)]),
    ],
)
def test_meeting_dates_repeat_fortnightly_or_on_the_same_weekday_of_each_month(first, repeat, count, expected):
    assert meeting_dates(first, repeat, count) == expected


def meeting_form(day: date, **changes) -> dict:
    return (
        date_fields("starts_on", day)
        | {
            "kind": "scheduled",
            "starts_at_time": "10:00",
            "venue": "Room 2",
            "capacity": "16",
            "minutes_per_case": "15",
            "repeat": "once",
            "count": "1",
        }
        | changes
    )


def test_a_fortnightly_run_of_meetings_is_set_up_each_inviting_every_agency(app, client, coordinator):
    seed_meeting(app, cases=0)
    before = count(app, Meeting)

    response = client.post(
        client.url("meetings.create_meeting"),
        data=meeting_form(date.today() + timedelta(days=3), repeat="fortnightly", count="3"),
    )

    assert response.status_code == 302
    with app.app_context():
        new = list(db.session.scalars(select(Meeting).order_by(Meeting.id)))[before:]
        assert [(meeting.starts_at - new[0].starts_at).days for meeting in new] == [0, 14, 28]
        agencies = db.session.scalar(
            select(func.count()).select_from(Invitation).where(Invitation.meeting_id == new[0].id)
        )
        assert agencies == 4
        assert new[0].research_due_at < new[0].starts_at
    assert audit_count(app, "meeting-created") == 3


def test_an_emergency_meeting_is_set_up_once_even_if_a_repeat_is_chosen(app, client, coordinator):
    client.post(
        client.url("meetings.create_meeting"),
        data=meeting_form(date.today(), kind="emergency", repeat="monthly", count="4", venue="", online="y"),
    )

    with app.app_context():
        meetings = list(db.session.scalars(select(Meeting)))
        assert [(meeting.kind, meeting.online, meeting.venue) for meeting in meetings] == [
            (MeetingKind.EMERGENCY, True, "Online")
        ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"venue": ""}, "Enter the venue, or say the meeting is online"),
        ({"starts_at_time": "25:99"}, "Enter the time as hours and minutes on the 24-hour clock"),
        ({"capacity": "0"}, "Enter a number of cases from 1 to 60"),
        ({"repeat": "monthly", "count": ""}, "Enter how many meetings to set up"),
        (date_fields("starts_on", date.today() - timedelta(days=1)), "Enter a date that is today or later"),
    ],
)
def test_bad_meeting_details_say_what_to_fix_and_set_up_nothing(app, client, coordinator, changes, message):
    response = client.post(
        client.url("meetings.create_meeting"), data=meeting_form(date.today() + timedelta(days=1), **changes)
    )

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Meeting) == 0


def accepted_referrals(app, cases: int, starts_at=SOON) -> tuple[int, list[str]]:
    """A planned meeting with an empty agenda and `cases` accepted referrals waiting for it."""
    seeded = seed_meeting(app, cases=cases, starts_at=starts_at)
    with app.app_context():
        for waited, item in enumerate(db.session.scalars(select(AgendaItem).order_by(AgendaItem.position))):
            item.referral.state = ReferralState.ACCEPTED
            item.referral.received_at = datetime.now(UTC) - timedelta(days=10 - waited)
            db.session.delete(item)
        db.session.commit()
    return seeded.meeting_id, seeded.referral_ids


def shown_plan(page: str) -> str:
    return re.search(r'name="plan" value="([^"]*)"', page).group(1)


def accept_plan(client):
    preview = client.get(client.url("meetings.plan_agendas")).get_data(as_text=True)
    return client.post(client.url("meetings.plan_agendas"), data={"plan": shown_plan(preview)})


def agenda_of(app, meeting_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AgendaItem.referral_id).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
            )
        )


def test_accepting_the_plan_fills_the_meeting_to_capacity_and_warns_of_what_does_not_fit(app, client, coordinator):
    meeting_id, referral_ids = accepted_referrals(app, 3)
    with app.app_context():
        db.session.get(Meeting, meeting_id).capacity = 2
        db.session.commit()

    preview = client.get(client.url("meetings.plan_agendas")).get_data(as_text=True)
    assert "1 case does not fit any meeting" in preview
    assert agenda_of(app, meeting_id) == []

    client.post(client.url("meetings.plan_agendas"), data={"plan": shown_plan(preview)})

    assert agenda_of(app, meeting_id) == referral_ids[:2]
    states = [get(app, Referral, referral_id).state for referral_id in referral_ids]
    assert states == [ReferralState.SCHEDULED, ReferralState.SCHEDULED, ReferralState.ACCEPTED]
    assert audit_count(app, "agenda-planned") == 1


def test_a_plan_that_changed_since_it_was_shown_places_nothing(app, client, coordinator):
    meeting_id, referral_ids = accepted_referrals(app, 2)
    with app.app_context():
        db.session.get(Referral, referral_ids[1]).state = ReferralState.RECEIVED
        db.session.commit()
    preview = client.get(client.url("meetings.plan_agendas")).get_data(as_text=True)
    with app.app_context():
        db.session.get(Referral, referral_ids[1]).state = ReferralState.ACCEPTED
        db.session.commit()

    response = client.post(client.url("meetings.plan_agendas"), data={"plan": shown_plan(preview)})

    assert response.status_code == 409
    assert "changed since you looked, so nothing was placed" in response.get_data(as_text=True)
    assert agenda_of(app, meeting_id) == []


def test_cases_with_children_come_first_and_slots_follow_the_action_review(app, client, coordinator):
    adult_meeting, adult_referrals = accepted_referrals(app, 1)
    with app.app_context():
        for party in db.session.get(Referral, adult_referrals[0]).case.parties:
            if party.role.value == "child":
                db.session.delete(party)
        db.session.commit()
    child_referrals = seed_meeting(app, cases=1, starts_at=SOON + timedelta(days=1)).referral_ids
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.referral_id == child_referrals[0]))
        item.referral.state = ReferralState.ACCEPTED
        db.session.delete(item)
        db.session.commit()

    accept_plan(client)

    assert agenda_of(app, adult_meeting) == [child_referrals[0], adult_referrals[0]]
    with app.app_context():
        items = list(db.session.scalars(select(AgendaItem).order_by(AgendaItem.position)))
        meeting = db.session.get(Meeting, adult_meeting)
        assert [item.starts_at - meeting.starts_at for item in items] == [timedelta(minutes=15), timedelta(minutes=30)]
        assert items[0].section.value == "children"


def move(client, seeded, index, direction, **extra):
    return client.post(
        client.url("meetings.move_agenda_item", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[index]),
        data={"direction": direction} | extra,
    )


def test_moving_a_case_up_and_down_changes_the_running_order(app, client, coordinator):
    seeded = seed_meeting(app, cases=3, starts_at=SOON)

    move(client, seeded, 2, "up")
    assert agenda_of(app, seeded.meeting_id) == [seeded.referral_ids[0], seeded.referral_ids[2], seeded.referral_ids[1]]

    refused = move(client, seeded, 0, "up")
    assert agenda_of(app, seeded.meeting_id) == [seeded.referral_ids[0], seeded.referral_ids[2], seeded.referral_ids[1]]
    assert "already at the edge" in client.get(refused.location).get_data(as_text=True)


def test_taking_a_case_off_returns_it_to_the_queue_unless_research_is_already_in(app, client, coordinator):
    seeded = seed_meeting(app, cases=2, starts_at=SOON)
    with app.app_context():
        db.session.add(
            ResearchReturn(
                agenda_item_id=seeded.item_ids[1],
                agency_id=seeded.agency_ids["Riverside Police"],
                due_at=SOON,
                known=True,
                returned_at=SOON - timedelta(days=3),
            )
        )
        db.session.commit()

    move(client, seeded, 0, "out", confirmed="yes")
    move(client, seeded, 1, "out", confirmed="yes")

    assert agenda_of(app, seeded.meeting_id) == [seeded.referral_ids[1]]
    assert get(app, Referral, seeded.referral_ids[0]).state is ReferralState.ACCEPTED
    assert count(app, ResearchReturn) == 1


def test_a_case_moves_to_another_meeting_with_its_research_requests(app, client, coordinator):
    seeded = seed_meeting(app, cases=2, starts_at=SOON)
    later = seed_meeting(app, cases=0, starts_at=SOON + timedelta(days=14))

    move(client, seeded, 0, "to", to_meeting_id=str(later.meeting_id))

    assert agenda_of(app, later.meeting_id) == [seeded.referral_ids[0]]
    assert agenda_of(app, seeded.meeting_id) == [seeded.referral_ids[1]]
    assert "moved" in get(app, AgendaItem, seeded.item_ids[0]).flags


def step(client, meeting_id, version=None, **confirmed):
    if version is None:
        version = get(client.application, Meeting, meeting_id).version_id
    return client.post(
        client.url("meetings.take_next_step", meeting_id=meeting_id), data={"version": str(version)} | confirmed
    )


def test_issuing_the_list_requests_research_from_each_invited_agency_for_each_case(app, client, coordinator):
    seeded = seed_meeting(app, cases=2, starts_at=SOON)

    step(client, seeded.meeting_id, 1)

    assert get(app, Meeting, seeded.meeting_id).status is MeetingStatus.LIST_ISSUED
    with app.app_context():
        requests = {(row.agenda_item_id, row.agency_id) for row in db.session.scalars(select(ResearchReturn))}
    invited = {seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]}
    assert requests == {(item, agency) for item in seeded.item_ids for agency in invited}
    assert audit_count(app, "marac-list-issued") == 1


def test_an_empty_agenda_cannot_be_issued_and_the_page_says_why(app, client, coordinator):
    seeded = seed_meeting(app, cases=0, starts_at=SOON)

    response = step(client, seeded.meeting_id, 1)

    assert get(app, Meeting, seeded.meeting_id).status is MeetingStatus.PLANNED
    assert "The agenda is empty" in client.get(response.location).get_data(as_text=True)


def test_a_step_from_a_stale_page_is_refused(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=SOON)
    step(client, seeded.meeting_id, 1)

    response = step(client, seeded.meeting_id, 1)

    assert get(app, Meeting, seeded.meeting_id).status is MeetingStatus.LIST_ISSUED
    assert "Someone else moved this meeting on" in client.get(response.location).get_data(as_text=True)


def test_the_meeting_runs_through_its_steps_and_only_its_own_chair_or_the_coordinator_approves_minutes(
    app, client, sign_in_as
):
    seeded = seed_meeting(app, cases=1, starts_at=datetime.now(UTC))  # a meeting starts on its day
    set_status(app, seeded.meeting_id, MeetingStatus.LIST_ISSUED)
    sign_in_as(Role.COORDINATOR, email="coordinator@example.org")

    step(client, seeded.meeting_id)
    with app.app_context():
        db.session.add(CaseMinutes(agenda_item_id=seeded.item_ids[0], agency_information={}, outcome=CaseOutcome.NEW))
        db.session.commit()
    step(client, seeded.meeting_id)
    assert get(app, Meeting, seeded.meeting_id).status is MeetingStatus.MINUTES_DRAFT
    assert get(app, Referral, seeded.referral_ids[0]).state is ReferralState.HEARD

    sign_in_as(Role.CHAIR, email="another-chair@example.org")
    step(client, seeded.meeting_id, read_draft="y")
    assert get(app, Meeting, seeded.meeting_id).status is MeetingStatus.MINUTES_DRAFT

    chair_id = sign_in_as(Role.CHAIR, email="chair@example.org")
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).chair_id = chair_id
        db.session.commit()
    step(client, seeded.meeting_id, read_draft="y")
    assert get(app, Meeting, seeded.meeting_id).status is MeetingStatus.MINUTES_APPROVED


def test_agency_reps_see_only_meetings_their_agency_is_invited_to(app, client, sign_in_as):
    invited = seed_meeting(app, cases=1, invited=("Riverside Police",))
    not_invited = seed_meeting(app, cases=1, invited=("Riverside Housing",), starts_at=SOON)
    sign_in_as(Role.AGENCY_REP, email="rep@example.org", agency="Riverside Police")

    listing = client.get(client.url("meetings.list_meetings")).get_data(as_text=True)

    assert client.url("meetings.view_meeting", meeting_id=invited.meeting_id) in listing
    assert client.url("meetings.view_meeting", meeting_id=not_invited.meeting_id) not in listing
    assert client.get(client.url("meetings.view_meeting", meeting_id=not_invited.meeting_id)).status_code == 404
    page = client.get(client.url("meetings.view_meeting", meeting_id=invited.meeting_id)).get_data(as_text=True)
    assert "Victim1" not in page and "What happens next" not in page
    assert "Your agency is invited" in page
    assert (
        client.get(
            client.url("meetings.edit_case_minutes", meeting_id=invited.meeting_id, item_id=invited.item_ids[0])
        ).status_code
        == 403
    )


def test_those_present_must_confirm_the_confidentiality_statement(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    url = client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)
    police, health = seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]
    register = {
        f"agency-{police}-name": "PC Dale",
        f"agency-{police}-status": "present",
        f"agency-{health}-name": "DS Iqbal",
        f"agency-{health}-status": "apologies",
        f"agency-{health}-information_sent": "y",
    }

    refused = client.post(url, data=register)
    client.post(url, data=register | {"confidentiality_confirmed": "y"})

    assert refused.status_code == 400
    assert "everyone present has heard and agreed to the confidentiality statement" in refused.get_data(as_text=True)
    with app.app_context():
        rows = {
            (row.attendee_name, row.status.value, row.information_sent, row.confidentiality_confirmed_at is not None)
            for row in db.session.scalars(select(Attendance))
        }
    assert rows == {("PC Dale", "present", False, True), ("DS Iqbal", "apologies", True, False)}


def earlier_action(app, seeded, due_on, status=ActionStatus.OPEN) -> int:
    with app.app_context():
        action = Action(
            case_id=seeded.case_ids[0],
            agenda_item_id=seeded.item_ids[0],
            description="Flag the address",
            owner_agency_id=seeded.agency_ids["Riverside Police"],
            owner_name="PC Dale",
            due_on=due_on,
            status=status,
        )
        db.session.add(action)
        db.session.commit()
        return action.id


def test_the_review_lists_open_actions_from_earlier_meetings_and_records_what_happened(app, client, coordinator):
    earlier = seed_meeting(app, cases=1, starts_at=SOON - timedelta(days=40))
    this = seed_meeting(app, cases=1, starts_at=SOON)
    open_id = earlier_action(app, earlier, date.today() - timedelta(days=3))
    done_id = earlier_action(app, earlier, date.today() - timedelta(days=3), status=ActionStatus.DONE)
    url = client.url("meetings.review_actions", meeting_id=this.meeting_id)

    page = client.get(url).get_data(as_text=True)
    assert f"Action {open_id}" in page and f"Action {done_id}" not in page
    assert "overdue" in page

    refused = client.post(
        url, data={f"status-{open_id}": "not-possible-change-of-circumstances", f"version-{open_id}": "1"}
    )
    assert refused.status_code == 400 and "Enter a note on what happened" in refused.get_data(as_text=True)

    client.post(
        url,
        data={
            f"status-{open_id}": "not-possible-change-of-circumstances",
            f"note-{open_id}": "She moved to a refuge",
            f"version-{open_id}": "1",
        },
    )

    action = get(app, Action, open_id)
    assert (action.status, action.completion_note, action.reviewed_at_meeting_id) == (
        ActionStatus.NOT_POSSIBLE,
        "She moved to a refuge",
        this.meeting_id,
    )
    assert audit_count(app, "action-reviewed") == 1


def test_a_review_saved_from_a_stale_page_saves_nothing(app, client, coordinator):
    earlier = seed_meeting(app, cases=1, starts_at=SOON - timedelta(days=40))
    this = seed_meeting(app, cases=1, starts_at=SOON)
    action_id = earlier_action(app, earlier, date.today())
    with app.app_context():
        db.session.get(Action, action_id).owner_name = "DS Iqbal"
        db.session.commit()

    response = client.post(
        client.url("meetings.review_actions", meeting_id=this.meeting_id),
        data={f"status-{action_id}": "done", f"note-{action_id}": "Done", f"version-{action_id}": "1"},
    )

    assert get(app, Action, action_id).status is ActionStatus.OPEN
    assert "Nothing was saved" in client.get(response.location).get_data(as_text=True)


def minutes_data(version: int, **texts) -> dict:
    return {"version": str(version), "victim_views": "", "decisions": ""} | texts


def minutes_url(client, seeded, endpoint="meetings.edit_case_minutes"):
    return client.url(endpoint, meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0])


@pytest.fixture
def running_meeting(app):
    seeded = seed_meeting(app, cases=1)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    return seeded


def stored_minutes(app) -> CaseMinutes:
    with app.app_context():
        minutes = db.session.scalars(select(CaseMinutes)).one()
        db.session.expunge(minutes)
        return minutes


def test_minutes_save_with_information_from_each_agency(app, client, coordinator, running_meeting):
    police = running_meeting.agency_ids["Riverside Police"]
    page = client.get(minutes_url(client, running_meeting)).get_data(as_text=True)
    assert 'name="version" type="hidden" value="0"' in page and count(app, CaseMinutes) == 0

    response = client.post(
        minutes_url(client, running_meeting),
        data=minutes_data(
            0,
            victim_views="Wants to stay at home",
            decisions="Refer to housing",
            outcome="new",
            **{f"agency-{police}": "Two call-outs in May"},
        ),
    )

    assert response.status_code == 302
    minutes = stored_minutes(app)
    assert (minutes.victim_views, minutes.decisions, minutes.agency_information, minutes.version_id) == (
        "Wants to stay at home",
        "Refer to housing",
        {f"agency-{police}": "Two call-outs in May"},
        1,
    )
    assert audit_count(app, "minutes-saved") == 1


def test_a_second_editor_gets_the_conflict_page_with_both_texts_and_loses_nothing(
    app, client, coordinator, running_meeting
):
    client.post(minutes_url(client, running_meeting), data=minutes_data(0, decisions="First editor: refer to housing"))

    response = client.post(
        minutes_url(client, running_meeting),
        data=minutes_data(0, decisions="Second editor: police to flag the address"),
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "First editor: refer to housing" in page and "Second editor: police to flag the address" in page
    assert stored_minutes(app).decisions == "First editor: refer to housing"

    client.post(
        minutes_url(client, running_meeting),
        data=minutes_data(1, decisions="Both: refer to housing; police to flag the address"),
    )
    assert stored_minutes(app).decisions == "Both: refer to housing; police to flag the address"
    assert audit_count(app, "minutes-conflict") == 1


def test_autosave_returns_the_new_version_and_refuses_a_stale_one(app, client, coordinator, running_meeting):
    url = minutes_url(client, running_meeting, "meetings.autosave_case_minutes")

    saved = client.post(url, data=minutes_data(0, victim_views="Typing…"))
    again = client.post(url, data=minutes_data(1, victim_views="Typing… more"))
    stale = client.post(url, data=minutes_data(1, victim_views="From another browser"))

    assert saved.get_json()["version"] == 1 and again.get_json()["version"] == 2
    assert stale.status_code == 409 and "nothing you typed is lost" in stale.get_json()["error"]
    assert stored_minutes(app).victim_views == "Typing… more"


def end_sessions_by_idling(app, user_id: int) -> None:
    with app.app_context():
        for row in db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)):
            row.last_seen_at -= timedelta(minutes=31)
        db.session.commit()


def test_minutes_sent_after_the_session_ended_are_refused_in_a_way_the_page_can_keep_them(
    app, client, coordinator, running_meeting
):
    """S3: autosave is told the session ended (401, not the sign-in page), and the Save button's post comes
    back to the minutes after signing in; neither saves anything."""
    end_sessions_by_idling(app, coordinator)

    autosave = client.post(
        minutes_url(client, running_meeting, "meetings.autosave_case_minutes"),
        data=minutes_data(0, decisions="Typed late"),
        headers={"Accept": "application/json"},
    )
    saved = client.post(minutes_url(client, running_meeting), data=minutes_data(0, decisions="Typed late"))

    assert autosave.status_code == 401 and "signed out" in autosave.get_json()["error"]
    assert saved.location == client.url("access.sign_in", next=minutes_url(client, running_meeting))
    assert count(app, CaseMinutes) == 0


def test_minutes_cannot_be_changed_once_approved(app, client, coordinator, running_meeting):
    client.post(minutes_url(client, running_meeting), data=minutes_data(0, decisions="Agreed at the meeting"))
    set_status(app, running_meeting.meeting_id, MeetingStatus.MINUTES_APPROVED)

    assert (
        client.post(minutes_url(client, running_meeting), data=minutes_data(1, decisions="Late change")).status_code
        == 409
    )
    assert (
        client.post(
            minutes_url(client, running_meeting, "meetings.autosave_case_minutes"),
            data=minutes_data(1, decisions="Late change"),
        ).status_code
        == 409
    )
    assert stored_minutes(app).decisions == "Agreed at the meeting"


def test_an_action_needs_an_owner_a_named_person_and_a_due_date(app, client, coordinator, running_meeting):
    url = client.url("meetings.add_action", meeting_id=running_meeting.meeting_id, item_id=running_meeting.item_ids[0])
    housing = str(running_meeting.agency_ids["Riverside Housing"])
    due = date.today() + timedelta(days=14)

    refused = client.post(
        url,
        data={"description": "Assess for a safe move", "owner_agency_id": housing, "owner_name": ""}
        | date_fields("due_on", due),
    )
    client.post(
        url,
        data={"description": "Assess for a safe move", "owner_agency_id": housing, "owner_name": "Jo Byrne"}
        | date_fields("due_on", due),
    )

    assert refused.status_code == 400 and "Enter the name of the person who will do it" in refused.get_data(
        as_text=True
    )
    with app.app_context():
        actions = [
            (action.description, action.owner_name, action.due_on, action.status)
            for action in db.session.scalars(select(Action))
        ]
    assert actions == [("Assess for a safe move", "Jo Byrne", due, ActionStatus.OPEN)]


def test_the_minutes_page_never_shows_safe_contact_details_and_records_the_case_view(
    app, client, coordinator, running_meeting
):
    with app.app_context():
        case = db.session.get(AgendaItem, running_meeting.item_ids[0]).referral.case
        db.session.add(
            SafeContact(
                case_id=case.id,
                agency_id=case.created_by_agency_id,
                phone="07700 900999",
                safe_to_call=True,
                safe_address="CANARY REFUGE",
            )
        )
        db.session.commit()

    pages = [
        client.get(minutes_url(client, running_meeting)),
        client.get(client.url("meetings.view_meeting", meeting_id=running_meeting.meeting_id)),
    ]

    for page in pages:
        assert "07700 900999" not in page.get_data(as_text=True) and "CANARY REFUGE" not in page.get_data(as_text=True)
    assert "Victim1 CASE" in pages[0].get_data(as_text=True)
    assert audit_count(app, "case-viewed") == 1


# Conflicts found when the change is written: only the refused change is undone, never the rest of
# the request (here an audit record written first). Each race is another save, made in the same
# transaction after this one read the rows, which the request's end then commits.


def race(model, key: int, **values) -> None:
    from sqlalchemy import update

    db.session.execute(
        update(model).where(model.id == key).values(**values), execution_options={"synchronize_session": False}
    )


def record_a_case_view(user, case_id: str) -> None:
    from access.audit import AuditAction, record_event

    record_event(AuditAction.CASE_VIEWED, user=user, object_type="case", object_id=case_id)


def test_a_step_racing_another_changes_nothing_and_keeps_the_rest_of_the_request(app, coordinator):
    from sqlalchemy.orm.exc import StaleDataError

    from access.models import User
    from meetings import schedule

    seeded = seed_meeting(app, cases=1)
    with app.test_request_context(method="POST"):
        user, meeting = db.session.get(User, coordinator), db.session.get(Meeting, seeded.meeting_id)
        record_a_case_view(user, seeded.case_ids[0])
        race(Meeting, meeting.id, version_id=meeting.version_id + 1, venue="Room 3")

        with pytest.raises(StaleDataError):
            schedule.take_next_step(meeting, user=user)
        db.session.commit()

    meeting = get(app, Meeting, seeded.meeting_id)
    assert (meeting.status, meeting.venue) == (MeetingStatus.PLANNED, "Room 3")
    assert count(app, ResearchReturn) == 0
    assert (audit_count(app, "marac-list-issued"), audit_count(app, "case-viewed")) == (0, 1)


def test_a_review_racing_another_saves_none_of_its_actions_and_keeps_the_rest_of_the_request(app, coordinator):
    from sqlalchemy.orm.exc import StaleDataError

    from access.models import User
    from meetings import running, store

    earlier = seed_meeting(app, cases=1, starts_at=SOON - timedelta(days=40))
    this = seed_meeting(app, cases=1, starts_at=SOON)
    first, second = (earlier_action(app, earlier, date.today()) for _ in range(2))
    with app.test_request_context(method="POST"):
        user, meeting = db.session.get(User, coordinator), db.session.get(Meeting, this.meeting_id)
        read = store.list_actions_to_review(meeting)  # as the page read them, at version 1
        assert [action.version_id for action in read] == [1, 1]
        record_a_case_view(user, earlier.case_ids[0])
        race(Action, second, version_id=2, completion_note="Colleague's note")
        outcomes = [running.ReviewOutcome(action_id, 1, ActionStatus.DONE, "Done") for action_id in (first, second)]

        with pytest.raises(StaleDataError):
            running.review_actions(meeting, outcomes, user=user)
        db.session.commit()

    assert [get(app, Action, action_id).status for action_id in (first, second)] == [ActionStatus.OPEN] * 2
    assert get(app, Action, second).completion_note == "Colleague's note"
    assert (audit_count(app, "action-reviewed"), audit_count(app, "case-viewed")) == (0, 1)


def test_a_first_save_of_minutes_racing_another_shows_theirs_and_keeps_the_rest_of_the_request(
    app, coordinator, running_meeting
):
    from access.models import User
    from meetings import running

    with app.test_request_context(method="POST"):
        user, item = db.session.get(User, coordinator), db.session.get(AgendaItem, running_meeting.item_ids[0])
        mine = running.minutes_for(item)
        record_a_case_view(user, running_meeting.case_ids[0])
        db.session.add(CaseMinutes(agenda_item_id=item.id, decisions="Theirs", agency_information={}))
        db.session.flush()
        draft = running.MinutesDraft(version=0, texts={"decisions": "Mine"}, agency_information={}, outcome=None)

        with pytest.raises(running.StaleMinutes) as stale:
            running.save_minutes(mine, draft, user=user)
        assert stale.value.current.decisions == "Theirs"
        db.session.commit()

    assert stored_minutes(app).decisions == "Theirs"
    assert (audit_count(app, "minutes-saved"), audit_count(app, "case-viewed")) == (0, 1)
