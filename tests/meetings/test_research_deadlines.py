"""Research deadlines follow the case: counted in working days (no weekend, no bank holiday), fair to
agencies asked after the list went out, and moved with a case to its new meeting."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from access.models import Role
from cases.models import Referral, ReferralState
from extensions import db
from meetings import agenda
from meetings.models import AgendaItem, Meeting, MeetingStatus, ResearchReturn
from meetings.working_days import is_working_day, working_days_after, working_days_before
from tests.meetings.factories import seed_meeting

UK = ZoneInfo("Europe/London")
# Wednesday 9 December 2026 at 10:00; three working days before is Friday 4 December.
MEETING = datetime(2026, 12, 9, 10, 0, tzinfo=UK)
LATER_MEETING = datetime(2027, 1, 13, 10, 0, tzinfo=UK)


def test_a_deadline_three_working_days_before_a_wednesday_is_the_friday_not_the_sunday(app):
    with app.app_context():
        assert agenda.research_deadline(date(2026, 12, 9)) == datetime(2026, 12, 4, 17, 0, tzinfo=UK)


def test_bank_holidays_are_not_working_days_so_no_deadline_falls_on_new_years_day(app):
    # Monday 4 January 2027: 1 January is a bank holiday and 28 December the Boxing Day holiday in lieu.
    with app.app_context():
        assert agenda.research_deadline(date(2027, 1, 4)).date() == date(2026, 12, 29)
    assert not is_working_day(date(2026, 12, 28))
    assert working_days_after(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_no_deadline_in_two_years_falls_on_a_weekend_or_bank_holiday(app):
    days = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(730)]
    with app.app_context():
        deadlines = {agenda.research_deadline(day).date() for day in days}
    assert all(is_working_day(deadline) for deadline in deadlines)
    assert all(is_working_day(working_days_before(day, 0)) for day in days)


def issue(app, seeded) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.research_due_at = agenda.research_deadline(meeting.starts_at.date())
        agenda.request_research(meeting)
        meeting.status = MeetingStatus.LIST_ISSUED
        db.session.commit()


def returns_of(app, item_id) -> list[datetime]:
    with app.app_context():
        rows = db.session.scalars(select(ResearchReturn).where(ResearchReturn.agenda_item_id == item_id))
        return [row.due_at for row in rows]


def waiting_referral(app) -> str:
    """A referral accepted and waiting for the planner (its throwaway meeting is long past)."""
    seeded = seed_meeting(app, cases=1, starts_at=datetime(2025, 1, 8, 10, 0, tzinfo=UTC))
    with app.app_context():
        db.session.delete(db.session.get(AgendaItem, seeded.item_ids[0]))
        db.session.get(Referral, seeded.referral_ids[0]).state = ReferralState.ACCEPTED
        db.session.commit()
    return seeded.referral_ids[0]


def placed_item(app, referral_id) -> int:
    with app.app_context():
        return db.session.scalar(select(AgendaItem.id).where(AgendaItem.referral_id == referral_id))


@pytest.mark.parametrize(
    "today, expected",
    [
        # Two working days before the deadline: the meeting's own deadline stands.
        (datetime(2026, 12, 2, 9, 0, tzinfo=UK), datetime(2026, 12, 7, 17, 0, tzinfo=UK)),
        # After the deadline: three working days from today, Thursday would be after the meeting, so its start.
        (datetime(2026, 12, 7, 9, 0, tzinfo=UK), MEETING),
    ],
)
def test_a_case_planned_after_the_list_was_issued_gets_a_fair_deadline_never_after_the_meeting(
    app, client, sign_in_as, url, today, expected
):
    seeded = seed_meeting(app, cases=1, starts_at=MEETING)
    issue(app, seeded)
    referral_id = waiting_referral(app)
    with time_machine.travel(today, tick=False):
        sign_in_as(Role.COORDINATOR)
        plan = client.get(url("meetings.plan_agendas")).get_data(as_text=True)
        fingerprint = plan.split('name="plan" value="')[1].split('"')[0]
        response = client.post(url("meetings.plan_agendas"), data={"plan": fingerprint}, follow_redirects=True)

    assert "already issued, so agencies will have less time" in plan
    assert "agencies have less time to research this case" in response.get_data(as_text=True)
    due = returns_of(app, placed_item(app, referral_id))
    assert due and all(deadline == max(expected, datetime(2026, 12, 4, 17, 0, tzinfo=UK)) for deadline in due)
    assert all(deadline <= MEETING for deadline in due)


def test_a_moved_case_takes_its_research_deadline_from_the_new_meeting(app, client, sign_in_as, url):
    moving = seed_meeting(app, cases=1, starts_at=MEETING)
    later = seed_meeting(app, cases=0, starts_at=LATER_MEETING)
    issue(app, moving)
    with app.app_context():
        db.session.get(Meeting, later.meeting_id).research_due_at = agenda.research_deadline(LATER_MEETING.date())
        db.session.commit()
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UK), tick=False):
        sign_in_as(Role.COORDINATOR)
        response = client.post(
            url("meetings.move_agenda_item", meeting_id=moving.meeting_id, item_id=moving.item_ids[0]),
            data={"direction": "to", "to_meeting_id": str(later.meeting_id)},
            follow_redirects=True,
        )

    assert "Its research is now due by that meeting" in response.get_data(as_text=True)

    due = returns_of(app, moving.item_ids[0])
    assert due and all(deadline == datetime(2027, 1, 8, 17, 0, tzinfo=UK) for deadline in due)
