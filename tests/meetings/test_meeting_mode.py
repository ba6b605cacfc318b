"""The chair's meeting mode: the register in one submit, steps that confirm first and cannot skip a
case, and each case on one screen with the next and previous case a click away (issue 18)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role
from extensions import db
from meetings.models import Action, ActionStatus, Attendance, CaseMinutes, CaseOutcome, Meeting, MeetingStatus
from tests.meetings.factories import seed_meeting

TODAY_AT_TEN = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
IN_FIVE_DAYS = TODAY_AT_TEN + timedelta(days=5)


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def meeting_of(app, meeting_id) -> Meeting:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        db.session.expunge(meeting)
        return meeting


def set_status(app, meeting_id, status):
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = status
        db.session.commit()


def record_outcome(app, item_id, outcome=CaseOutcome.NEW, decisions="Agreed"):
    with app.app_context():
        db.session.add(CaseMinutes(agenda_item_id=item_id, agency_information={}, decisions=decisions, outcome=outcome))
        db.session.commit()


def saved_register(app, meeting_id) -> list[tuple]:
    with app.app_context():
        return [
            (
                row.agency_id,
                row.attendee_name,
                row.status.value,
                row.information_sent,
                row.confidentiality_confirmed_at is not None,
            )
            for row in db.session.scalars(
                select(Attendance).where(Attendance.meeting_id == meeting_id).order_by(Attendance.id)
            )
        ]


@pytest.fixture
def coordinator(sign_in_as):
    return sign_in_as(Role.COORDINATOR, email="coordinator@example.org", agency="Riverside IDVA Service")


def text_of(response) -> str:
    return response.get_data(as_text=True)


def post_step(client, meeting_id, **fields):
    version = meeting_of(client.application, meeting_id).version_id
    return client.post(
        client.url("meetings.take_next_step", meeting_id=meeting_id), data={"version": str(version)} | fields
    )


# Finding 1: the register


def test_the_register_lists_each_invited_agency_with_its_representatives_and_no_agency_chosen_for_others(
    app, client, coordinator, make_user
):
    seeded = seed_meeting(app, cases=1)
    make_user(email="pat@example.org", role=Role.AGENCY_REP, agency="Riverside Police", name="Pat Officer")
    make_user(email="sam@example.org", role=Role.AGENCY_REP, agency="Riverside Police", name="Sam Sergeant")

    page = text_of(client.get(client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)))

    police = seeded.agency_ids["Riverside Police"]
    assert "Riverside Police" in page and "Riverside Hospitals NHS Trust" in page
    assert re.search(rf'name="agency-{police}-name"[^>]*value="Pat Officer, Sam Sergeant"', page)
    assert 'value="" selected' in page or '<option value="">Choose an agency</option>' in page
    assert "selected" not in re.sub(r'<option value="">Choose an agency</option>', "", page.split("other-1-agency")[1])
    assert page.count('name="confidentiality_confirmed"') == 1


def register_data(seeded, **changes) -> dict:
    police, health = seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]
    housing = seeded.agency_ids["Riverside Housing"]
    return {
        f"agency-{police}-name": "Pat Officer",
        f"agency-{police}-status": "present",
        f"agency-{health}-name": "Sam Nurse",
        f"agency-{health}-status": "apologies",
        f"agency-{health}-information_sent": "y",
        "other-1-agency_id": str(housing),
        "other-1-name": "Kim Observer",
        "other-1-status": "observer",
        "other-2-agency_id": "",
        "other-2-name": "",
        "confidentiality_confirmed": "y",
    } | changes


def test_the_whole_register_is_saved_in_one_submit_with_one_confirmation_of_the_statement(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    url = client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)

    response = client.post(url, data=register_data(seeded))

    assert response.status_code == 302
    police, health = seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]
    assert saved_register(app, seeded.meeting_id) == [
        (health, "Sam Nurse", "apologies", True, False),
        (police, "Pat Officer", "present", False, True),
        (seeded.agency_ids["Riverside Housing"], "Kim Observer", "observer", False, True),
    ]


def test_anyone_present_needs_the_statement_confirmed_and_nothing_typed_is_lost(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    url = client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)

    refused = client.post(
        url, data=register_data(seeded, confidentiality_confirmed="", **{"other-1-name": "Kim Typed"})
    )

    assert refused.status_code == 400
    assert "Confirm that everyone present has heard and agreed to the confidentiality statement" in text_of(refused)
    assert 'value="Kim Typed"' in text_of(refused)
    assert saved_register(app, seeded.meeting_id) == []


def test_another_attendee_with_no_agency_chosen_is_refused_with_a_clear_message(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    url = client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)

    refused = client.post(
        url, data=register_data(seeded, **{"other-2-name": "Lee Visitor", "other-2-status": "present"})
    )

    assert refused.status_code == 400
    assert "Choose the agency of Lee Visitor" in text_of(refused)
    assert saved_register(app, seeded.meeting_id) == []


def test_an_invited_agency_left_unmarked_is_refused(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    police = seeded.agency_ids["Riverside Police"]
    url = client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)

    refused = client.post(url, data=register_data(seeded, **{f"agency-{police}-status": ""}))

    assert refused.status_code == 400
    assert "Say whether Riverside Police is present, sent apologies or is not attending" in text_of(refused)


def test_the_saved_register_is_shown_again_and_changed_in_one_more_submit(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    url = client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)
    client.post(url, data=register_data(seeded))
    police, health = seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]

    shown = text_of(client.get(url))
    client.post(
        url,
        data=register_data(
            seeded,
            **{
                f"agency-{health}-status": "not-attending",
                "other-1-agency_id": "",
                "other-1-name": "",
                "other-1-status": "",
            },
        ),
    )

    assert re.search(rf'name="agency-{health}-status"[^>]*value="apologies"[^>]*checked', shown)
    assert 'value="Kim Observer"' in shown
    assert saved_register(app, seeded.meeting_id) == [(police, "Pat Officer", "present", False, True)]


# Finding 2: every step confirms first, says who is told, and cannot skip a case


def test_issuing_the_list_confirms_first_and_names_the_agencies_asked_for_research(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=IN_FIVE_DAYS)

    page = text_of(client.get(client.url("meetings.confirm_next_step", meeting_id=seeded.meeting_id)))

    assert "Issue the MARAC list" in page
    assert "Riverside Police" in page and "Riverside Hospitals NHS Trust" in page and "research" in page
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.PLANNED


def test_the_meeting_page_leads_to_the_confirmation_not_straight_to_the_step(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=IN_FIVE_DAYS)

    page = text_of(client.get(client.url("meetings.view_meeting", meeting_id=seeded.meeting_id)))

    assert client.url("meetings.confirm_next_step", meeting_id=seeded.meeting_id) in page
    assert f'action="{client.url("meetings.take_next_step", meeting_id=seeded.meeting_id)}"' not in page


def test_an_empty_agenda_cannot_be_issued(app, client, coordinator):
    seeded = seed_meeting(app, cases=0, starts_at=IN_FIVE_DAYS)

    response = post_step(client, seeded.meeting_id)

    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.PLANNED
    assert "The agenda is empty" in text_of(client.get(response.location))


def test_the_meeting_cannot_start_before_its_day_and_says_when_it_can(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=IN_FIVE_DAYS)
    set_status(app, seeded.meeting_id, MeetingStatus.LIST_ISSUED)

    response = post_step(client, seeded.meeting_id)

    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.LIST_ISSUED
    day = IN_FIVE_DAYS.date()
    assert f"The meeting can start on its day, {day.strftime('%A')} {day.day} {day.strftime('%B %Y')}" in text_of(
        client.get(response.location)
    )


def test_the_meeting_starts_on_its_day(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=TODAY_AT_TEN)
    set_status(app, seeded.meeting_id, MeetingStatus.LIST_ISSUED)

    post_step(client, seeded.meeting_id)

    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.IN_PROGRESS


def test_on_its_day_the_register_is_saved_and_starts_the_meeting_in_one_submit(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=TODAY_AT_TEN)
    set_status(app, seeded.meeting_id, MeetingStatus.LIST_ISSUED)
    url = client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)
    assert "Save the register, start the meeting and open the first case" in text_of(client.get(url))

    response = client.post(url, data=register_data(seeded, then="first-case"))

    assert response.status_code == 302 and "/minutes" in response.location
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.IN_PROGRESS
    assert len(saved_register(app, seeded.meeting_id)) == 3


def test_before_its_day_the_register_cannot_start_the_meeting_and_nothing_is_saved_or_lost(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=IN_FIVE_DAYS)
    set_status(app, seeded.meeting_id, MeetingStatus.LIST_ISSUED)
    url = client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)

    response = client.post(url, data=register_data(seeded, then="first-case"))

    assert response.status_code == 409
    assert "The meeting can start on its day" in text_of(response) and 'value="Pat Officer"' in text_of(response)
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.LIST_ISSUED
    assert saved_register(app, seeded.meeting_id) == []


def test_ending_the_meeting_lists_cases_without_an_outcome_and_is_refused_until_they_are_said_not_heard(
    app, client, coordinator
):
    seeded = seed_meeting(app, cases=3)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    record_outcome(app, seeded.item_ids[0])

    confirmation = text_of(client.get(client.url("meetings.confirm_next_step", meeting_id=seeded.meeting_id)))
    refused = post_step(client, seeded.meeting_id)
    refused_page = text_of(refused)

    for item_id in seeded.item_ids[1:]:
        assert client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=item_id) in confirmation
        assert client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=item_id) in refused_page
    assert (
        client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0])
        not in confirmation
    )
    assert refused.status_code == 400 and "2 cases have no outcome" in refused_page
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.IN_PROGRESS

    post_step(client, seeded.meeting_id, not_heard="y")

    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.MINUTES_DRAFT
    assert audit_count(app, "case-not-heard") == 2


def test_approval_shows_the_draft_and_each_outcome_and_needs_the_draft_read(app, client, coordinator):
    seeded = seed_meeting(app, cases=2)
    set_status(app, seeded.meeting_id, MeetingStatus.MINUTES_DRAFT)
    record_outcome(app, seeded.item_ids[0], CaseOutcome.REPEAT)

    confirmation = text_of(client.get(client.url("meetings.confirm_next_step", meeting_id=seeded.meeting_id)))
    refused = post_step(client, seeded.meeting_id)

    assert client.url("reports.download_meeting_document", meeting_id=seeded.meeting_id, kind="minutes") in confirmation
    assert "Repeat" in confirmation and "No outcome recorded" in confirmation
    assert "I have read the draft minutes" in confirmation
    assert refused.status_code == 400 and "Confirm that you have read the draft minutes" in text_of(refused)
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.MINUTES_DRAFT

    post_step(client, seeded.meeting_id, read_draft="y")

    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.MINUTES_APPROVED


def test_distributing_names_the_agencies_whose_representatives_receive_the_minutes(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    set_status(app, seeded.meeting_id, MeetingStatus.MINUTES_APPROVED)

    page = text_of(client.get(client.url("meetings.confirm_next_step", meeting_id=seeded.meeting_id)))

    assert "Mark the minutes as distributed" in page
    assert "representatives" in page and "Riverside Police" in page and "Riverside Hospitals NHS Trust" in page


def test_Z2_another_chair_cannot_open_a_meeting_step_or_its_register(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=1)
    set_status(app, seeded.meeting_id, MeetingStatus.MINUTES_DRAFT)
    sign_in_as(Role.CHAIR, email="other-chair@example.org")

    assert client.get(client.url("meetings.confirm_next_step", meeting_id=seeded.meeting_id)).status_code == 404
    assert client.get(client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)).status_code == 404


# Finding 3: the chair's meeting mode


def test_running_the_meeting_opens_the_register_until_it_is_taken_then_the_first_case(app, client, coordinator):
    seeded = seed_meeting(app, cases=2)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    run = client.url("meetings.run_meeting", meeting_id=seeded.meeting_id)

    before = client.get(run)
    client.post(client.url("meetings.record_attendance", meeting_id=seeded.meeting_id), data=register_data(seeded))
    after = client.get(run)

    assert before.location == client.url("meetings.record_attendance", meeting_id=seeded.meeting_id)
    assert after.location == client.url(
        "meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0]
    )
    assert run in text_of(client.get(client.url("meetings.view_meeting", meeting_id=seeded.meeting_id)))


def test_each_case_screen_links_the_previous_and_next_case_in_the_running_order(app, client, coordinator):
    seeded = seed_meeting(app, cases=3)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    first, second, third = (
        client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=item_id)
        for item_id in seeded.item_ids
    )

    middle = text_of(client.get(second))
    last = text_of(client.get(third))

    assert re.search(rf'href="{re.escape(first)}"[^>]*>\s*<span[^>]*>Previous case', middle)
    assert re.search(rf'href="{re.escape(third)}"[^>]*>\s*<span[^>]*>Next case', middle)
    assert "Next case" not in last and 'value="next"' not in last
    assert "Save and go to ending the meeting" in last
    assert 'value="next"' in middle  # "Save and go to the next case"


def test_save_and_go_to_the_next_case_saves_then_opens_the_next(app, client, coordinator):
    seeded = seed_meeting(app, cases=2)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    url = client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0])

    response = client.post(
        url, data={"version": "0", "decisions": "Refer to housing", "outcome": "new", "then": "next"}
    )

    assert response.location == client.url(
        "meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[1]
    )
    with app.app_context():
        assert db.session.scalars(select(CaseMinutes.decisions)).all() == ["Refer to housing"]


def earlier_open_action(app, case_id, description) -> None:
    """An action agreed for this case at a meeting three months ago, still open."""
    earlier = seed_meeting(app, cases=1, starts_at=TODAY_AT_TEN - timedelta(days=90))
    with app.app_context():
        db.session.add(
            Action(
                case_id=case_id,
                agenda_item_id=earlier.item_ids[0],
                description=description,
                owner_agency_id=earlier.agency_ids["Riverside Police"],
                owner_name="PC Dale",
                due_on=date.today() - timedelta(days=3),
                status=ActionStatus.OPEN,
            )
        )
        db.session.commit()


def test_the_case_screen_shows_the_referral_summary_and_the_open_actions_from_earlier_meetings(
    app, client, coordinator
):
    seeded = seed_meeting(app, cases=2)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    earlier_open_action(app, seeded.case_ids[0], "Fit a door alarm")
    earlier_open_action(app, seeded.case_ids[1], "Someone else's action")

    page = text_of(
        client.get(client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0]))
    )

    assert "Open actions from earlier meetings" in page and "Fit a door alarm" in page
    assert "Someone else&#39;s action" not in page and "Someone else's action" not in page
    assert "Perpetrator1 CASE" in page and "Child1 CASE" in page


def test_an_action_added_on_the_case_screen_returns_to_the_same_case(app, client, coordinator):
    seeded = seed_meeting(app, cases=2)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    due = date.today() + timedelta(days=14)

    response = client.post(
        client.url("meetings.add_action", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[1]),
        data={
            "description": "Assess for a safe move",
            "owner_agency_id": str(seeded.agency_ids["Riverside Housing"]),
            "owner_name": "Jo Byrne",
            "due_on": [str(due.day), str(due.month), str(due.year)],
        },
    )

    assert response.location.startswith(
        client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[1])
    )


def test_the_action_form_chooses_no_agency_for_the_chair(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)

    page = text_of(
        client.get(client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0]))
    )

    owner_select = page.split('name="owner_agency_id"')[1].split("</select>")[0]
    assert '<option value="">Choose an agency</option>' in owner_select or 'value="" selected' in owner_select
    assert "selected" not in owner_select.replace('<option value="" selected>', "")
