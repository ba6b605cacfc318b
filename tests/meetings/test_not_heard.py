"""A case the chair says was not heard is not recorded as heard: it goes back to the referral queue for the
next meeting, and no history, person page, document or count treats it as heard (issue 18)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from access.models import AuditEvent, Role, User
from cases import journey
from cases.models import Case, Referral, ReferralState
from extensions import db
from meetings import agenda, store
from meetings.models import AgendaItem, CaseOutcome, Meeting, MeetingStatus
from meetings.schedule import UK_TIME
from reports import data_return
from tests.meetings.factories import seed_meeting
from tests.meetings.test_meeting_mode import post_step, record_outcome, set_status, text_of
from tests.reports.pdf_helpers import pdf_text

DAY = "2 December 2026"  # the seeded meeting's day


@pytest.fixture
def coordinator(sign_in_as):
    return sign_in_as(Role.COORDINATOR, email="coordinator@example.org", agency="Riverside IDVA Service")


@pytest.fixture
def ended(app, client, coordinator):
    """Case 1 heard with an outcome; case 2 has minutes begun but no outcome, and the chair says it was not heard."""
    seeded = seed_meeting(app, cases=2)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    record_outcome(app, seeded.item_ids[0])
    record_outcome(app, seeded.item_ids[1], outcome=None, decisions="Started, not finished")
    response = post_step(client, seeded.meeting_id, not_heard="y")
    assert response.status_code == 302
    return seeded


def test_ending_the_meeting_says_cases_not_heard_go_back_to_the_queue(app, client, coordinator):
    seeded = seed_meeting(app, cases=2)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    record_outcome(app, seeded.item_ids[0])

    page = text_of(client.get(client.url("meetings.confirm_next_step", meeting_id=seeded.meeting_id)))

    assert "Cases not heard go back to the referral queue for the next meeting" in page
    assert "Every case on the agenda is recorded as heard" not in page


def test_L2_a_case_not_heard_is_audited_under_it_not_recorded_as_heard_and_waits_for_the_next_meeting(app, ended):
    with app.app_context():
        heard, not_heard = (db.session.get(AgendaItem, item_id) for item_id in ended.item_ids)
        assert heard.referral.state is ReferralState.HEARD and heard.not_heard_at is None
        assert not_heard.referral.state is ReferralState.ACCEPTED and not_heard.not_heard_at is not None
        waiting = [referral.id for referral in store.list_referrals_waiting_for_a_meeting()]
        assert waiting == [ended.referral_ids[1]]
        audited = db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "case-not-heard"))
        assert list(audited) == [ended.case_ids[1]]


def test_the_planner_puts_a_case_not_heard_onto_a_later_meeting(app, ended):
    later = seed_meeting(app, cases=0, starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=20))
    with app.app_context():
        placed = agenda.accept_proposal(agenda.propose(), user=db.session.get(User, ended.referrer_id))
        db.session.commit()
        items = db.session.scalars(select(AgendaItem).where(AgendaItem.referral_id == ended.referral_ids[1]))
        assert placed == 1
        assert sorted(item.meeting_id for item in items) == sorted([ended.meeting_id, later.meeting_id])
        assert db.session.get(Referral, ended.referral_ids[1]).state is ReferralState.SCHEDULED


def test_the_case_history_says_not_heard_and_back_in_the_referral_queue(client, ended):
    not_heard = text_of(client.get(client.url("cases.view_case", case_id=ended.case_ids[1])))
    heard = text_of(client.get(client.url("cases.view_case", case_id=ended.case_ids[0])))

    assert f"Not heard at the meeting on {DAY}: back in the referral queue" in not_heard
    assert f"Heard at the MARAC meeting on {DAY}" not in not_heard
    assert f"Heard at the MARAC meeting on {DAY}" in heard


def test_the_meeting_page_marks_the_case_not_heard_on_its_agenda(client, ended):
    page = text_of(client.get(client.url("meetings.view_meeting", meeting_id=ended.meeting_id)))

    assert page.count("Not heard: back in the referral queue") == 1


def test_once_approved_the_history_shows_no_minutes_of_a_case_not_heard(client, ended):
    post_step(client, ended.meeting_id, read_draft="y")

    not_heard = text_of(client.get(client.url("cases.view_case", case_id=ended.case_ids[1])))
    heard = text_of(client.get(client.url("cases.view_case", case_id=ended.case_ids[0])))

    # Its half-taken minutes are not in the meeting's minutes, so not in its history either.
    assert f"Minutes of the MARAC meeting on {DAY}" in heard
    assert f"Minutes of the MARAC meeting on {DAY}" not in not_heard


def test_a_case_not_heard_is_not_taken_as_heard_with_nothing_new_since(app, ended):
    with app.app_context():
        case = db.session.get(Case, ended.case_ids[1])
        assert not journey.heard_and_nothing_new_since(case, db.session.get(Referral, ended.referral_ids[1]))


def test_the_person_page_does_not_count_a_case_not_heard(app, client, ended):
    with app.app_context():
        victims = [db.session.get(Case, case_id).victim_id for case_id in ended.case_ids]

    heard, not_heard = (text_of(client.get(client.url("meetings.view_person", person_id=v))) for v in victims)

    assert "Heard at a MARAC once" in heard
    assert "Not heard at a MARAC yet." in not_heard
    assert "Not heard at the MARAC on" in not_heard and "Heard at the MARAC on" not in not_heard


def test_the_draft_minutes_list_a_case_not_heard_apart_without_its_details(client, ended):
    response = client.get(client.url("reports.download_meeting_document", meeting_id=ended.meeting_id, kind="minutes"))
    text = pdf_text(response.data)

    assert response.status_code == 200
    assert "Case 1:" in text and "Victim1" in text
    assert "Not heard at this meeting" in text and "Case 2 on the agenda" in text
    assert "Case 2:" not in text and "Victim2" not in text and "Started, not finished" not in text


def test_the_data_return_and_the_cases_heard_count_leave_out_a_case_not_heard(app, ended):
    with app.app_context():
        groups = data_return.count_cases_discussed([ended.meeting_id], born_after=date.max)
        discussed = data_return.per_meeting(groups, ["cases_discussed"])
        held_on = db.session.get(Meeting, ended.meeting_id).starts_at.astimezone(UK_TIME).date()
        agenda = data_return.agenda_per_meeting(held_on, held_on).set_index("meeting_id")

    assert discussed.loc[ended.meeting_id, "cases_discussed"] == 1
    assert agenda.loc[ended.meeting_id, ["agenda_items", "heard_with_minutes", "cases_discussed"]].tolist() == [2, 1, 1]


def test_approving_the_minutes_shows_a_case_not_heard_as_back_in_the_queue(client, ended):
    page = text_of(client.get(client.url("meetings.confirm_next_step", meeting_id=ended.meeting_id)))

    assert "Not heard: back in the queue" in page
    assert "No outcome recorded" not in page


def test_a_case_with_an_outcome_ends_the_meeting_heard_as_before(app, client, coordinator):
    seeded = seed_meeting(app, cases=1)
    set_status(app, seeded.meeting_id, MeetingStatus.IN_PROGRESS)
    record_outcome(app, seeded.item_ids[0], CaseOutcome.REPEAT)

    post_step(client, seeded.meeting_id)

    with app.app_context():
        assert db.session.get(Meeting, seeded.meeting_id).status is MeetingStatus.MINUTES_DRAFT
        assert db.session.get(Referral, seeded.referral_ids[0]).state is ReferralState.HEARD
        assert db.session.get(AgendaItem, seeded.item_ids[0]).not_heard_at is None
