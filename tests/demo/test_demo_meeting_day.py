"""`flask demo meeting-day`: the demo's next meeting, brought to today so that the chair can run it now."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from access.audit import AuditAction
from access.models import AuditEvent, Role, User
from extensions import db, utcnow
from meetings import schedule, store
from meetings.models import Meeting, MeetingStatus
from tests.conftest import build_test_app


@pytest.fixture
def demo_app(database_url, tmp_path):
    with build_test_app(database_url, DEMO_MODE=True, MARAC_AREA="Riverside (demo)") as app:
        app.instance_path = str(tmp_path / "instance")
        yield app


@pytest.fixture
def seeded_app(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return demo_app


def meeting_day(app):
    return app.test_cli_runner().invoke(args=["demo", "meeting-day"])


def the_meeting(app) -> Meeting:
    """The demo's meeting whose MARAC list is out (the one next Wednesday, until the command moves it)."""
    return db.session.scalars(
        select(Meeting).where(Meeting.status.in_([MeetingStatus.LIST_ISSUED, MeetingStatus.IN_PROGRESS]))
    ).one()


def snapshot(app) -> dict:
    """Every meeting's start, research deadline, status and agenda slots, to tell what changed."""
    with app.app_context():
        return {
            meeting.id: (
                meeting.starts_at,
                meeting.research_due_at,
                meeting.status,
                [(item.starts_at, item.ends_at) for item in store.list_agenda(meeting)],
            )
            for meeting in db.session.scalars(select(Meeting))
        }


def test_meeting_day_brings_the_meeting_with_its_list_issued_to_today_in_uk_time(seeded_app):
    with seeded_app.app_context():
        meeting = the_meeting(seeded_app)
        old_day = schedule.meeting_day(meeting)
        assert old_day > schedule.today_in_the_uk()

    result = meeting_day(seeded_app)

    with seeded_app.app_context():
        meeting = the_meeting(seeded_app)
        starts = meeting.starts_at.astimezone(schedule.UK_TIME)
        assert result.exit_code == 0, result.output
        assert starts.date() == schedule.today_in_the_uk()
        assert (starts.minute, starts.second) == (0, 0)
        assert meeting.status is MeetingStatus.LIST_ISSUED
        when = f"{old_day:%A} {old_day.day} {old_day:%B %Y}"
        assert result.output.strip() == (
            f"The meeting of {when} now starts today at {starts:%H:%M}: "
            "sign in as the chair and choose Run today's meeting."
        )


def test_the_agenda_slots_move_with_the_meeting_and_keep_their_offsets_from_its_start(seeded_app):
    with seeded_app.app_context():
        meeting = the_meeting(seeded_app)
        offsets_before = [
            (item.starts_at - meeting.starts_at, item.ends_at - meeting.starts_at)
            for item in store.list_agenda(meeting)
        ]

    result = meeting_day(seeded_app)

    with seeded_app.app_context():
        meeting = the_meeting(seeded_app)
        offsets_after = [
            (item.starts_at - meeting.starts_at, item.ends_at - meeting.starts_at)
            for item in store.list_agenda(meeting)
        ]
    assert result.exit_code == 0, result.output
    assert len(offsets_before) == 2
    assert offsets_after == offsets_before


def test_only_that_meeting_and_its_agenda_change_and_a_deadline_still_to_come_becomes_now(seeded_app):
    with seeded_app.app_context():
        # The seeded deadline is in the past on some weekdays; this one is surely still to come.
        the_meeting(seeded_app).research_due_at = utcnow() + timedelta(days=1)
        db.session.commit()
    before = snapshot(seeded_app)
    started = utcnow()

    result = meeting_day(seeded_app)

    after = snapshot(seeded_app)
    with seeded_app.app_context():
        moved = the_meeting(seeded_app).id
    assert result.exit_code == 0, result.output
    assert {key: value for key, value in after.items() if key != moved} == {
        key: value for key, value in before.items() if key != moved
    }
    new_start = after[moved][0]  # before now late in the evening, and then the deadline
    assert min(started, new_start) <= after[moved][1] <= min(utcnow(), new_start)


@pytest.mark.parametrize("uk_time", [time(14, 5), time(23, 40)])
def test_research_deadlines_still_to_come_become_now_but_never_later_than_the_new_start(seeded_app, uk_time):
    """Late in the evening the meeting starts at the hour already begun, before now: every research
    deadline still to come then becomes that start, so that none falls after the meeting."""
    from demo.meeting_day import bring_meeting_day_to_today

    now = datetime.combine(schedule.today_in_the_uk(), uk_time, tzinfo=schedule.UK_TIME)
    with seeded_app.app_context():
        meeting = the_meeting(seeded_app)
        open_requests = [
            request for request in store.list_research_requests_for_meeting(meeting) if request.returned_at is None
        ]
        assert open_requests, "the demo's next meeting has research still to come"
        meeting.research_due_at = now + timedelta(days=2)
        for request in open_requests:
            request.due_at = now + timedelta(days=2)
        db.session.commit()

        bring_meeting_day_to_today(now)
        db.session.commit()

        meeting = the_meeting(seeded_app)
        deadline = min(now, meeting.starts_at)
        dues = [
            request.due_at
            for request in store.list_research_requests_for_meeting(meeting)
            if request.returned_at is None
        ]
    assert meeting.research_due_at == deadline
    assert dues == [deadline] * len(open_requests)


def test_a_research_deadline_already_past_is_left_as_it_is(seeded_app):
    past = datetime(2020, 1, 6, 17, 0, tzinfo=UTC)
    with seeded_app.app_context():
        the_meeting(seeded_app).research_due_at = past
        db.session.commit()

    result = meeting_day(seeded_app)

    with seeded_app.app_context():
        assert result.exit_code == 0, result.output
        assert the_meeting(seeded_app).research_due_at == past


def test_the_chair_can_start_the_meeting_once_it_is_brought_to_today(seeded_app):
    with seeded_app.test_request_context():
        chair = db.session.scalars(select(User).where(User.role == Role.CHAIR)).one()
        with pytest.raises(schedule.MeetingStepError, match="on its day"):
            schedule.take_next_step(the_meeting(seeded_app), user=chair)
        db.session.rollback()

    meeting_day(seeded_app)

    with seeded_app.test_request_context():
        chair = db.session.scalars(select(User).where(User.role == Role.CHAIR)).one()
        meeting = the_meeting(seeded_app)
        assert schedule.can_be_run_now(meeting)
        schedule.take_next_step(meeting, user=chair)
        assert meeting.status is MeetingStatus.IN_PROGRESS


def test_the_change_is_in_the_audit_trail_under_the_meeting_and_names_no_one(seeded_app):
    """SECURITY.md L2: an alteration is logged (what, never the content); a command has no user."""
    with seeded_app.app_context():
        meeting_id = str(the_meeting(seeded_app).id)

    meeting_day(seeded_app)

    with seeded_app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == str(AuditAction.MEETING_RESCHEDULED), AuditEvent.object_id == meeting_id
                )
            )
        )
    assert [(event.object_type, event.user_id) for event in events] == [("meeting", None)]


def test_a_second_run_refuses_and_changes_nothing(seeded_app):
    first = meeting_day(seeded_app)
    before = snapshot(seeded_app)

    second = meeting_day(seeded_app)

    assert first.exit_code == 0, first.output
    assert second.exit_code == 1
    assert "already today" in second.output and "Run today's meeting" in second.output
    assert snapshot(seeded_app) == before


def test_a_meeting_already_started_is_refused_and_left_as_it_is(seeded_app):
    meeting_day(seeded_app)
    with seeded_app.test_request_context():
        chair = db.session.scalars(select(User).where(User.role == Role.CHAIR)).one()
        schedule.take_next_step(the_meeting(seeded_app), user=chair)
        db.session.commit()
    before = snapshot(seeded_app)

    result = meeting_day(seeded_app)

    assert result.exit_code == 1
    assert "already started" in result.output
    assert snapshot(seeded_app) == before


def test_with_no_meeting_whose_list_is_issued_it_refuses_with_exit_code_1(demo_app):
    result = meeting_day(demo_app)

    assert result.exit_code == 1
    assert "no meeting" in result.output.lower() and "demo seed" in result.output
    assert snapshot(demo_app) == {}


@pytest.mark.parametrize(
    ("now", "starts"),
    [
        ("2026-12-09T08:15:00+00:00", "2026-12-09T10:00:00+00:00"),  # 10:00 still to come
        ("2026-12-09T10:20:00+00:00", "2026-12-09T11:00:00+00:00"),  # passed: the next whole hour
        ("2026-06-10T13:05:00+00:00", "2026-06-10T15:00:00+01:00"),  # summer time: 14:05 in the UK
        ("2026-12-09T23:40:00+00:00", "2026-12-09T23:00:00+00:00"),  # never tomorrow
        ("2026-06-10T22:30:00+00:00", "2026-06-10T23:00:00+01:00"),  # 23:30 in the UK, 22:30 UTC
    ],
)
def test_the_new_start_is_ten_oclock_or_the_next_whole_hour_and_always_today_in_the_uk(now, starts):
    from demo.meeting_day import start_today

    assert start_today(datetime.fromisoformat(now)) == datetime.fromisoformat(starts)
    assert start_today(datetime.fromisoformat(now)).astimezone(schedule.UK_TIME).date() == (
        datetime.fromisoformat(now).astimezone(schedule.UK_TIME).date()
    )


def test_each_open_research_request_is_due_no_later_than_now_once_the_meeting_is_today(seeded_app):
    from meetings.models import AgendaItem, ResearchReturn

    with seeded_app.app_context():
        meeting_id = the_meeting(seeded_app).id
        open_requests = [
            request
            for request in store.list_research_requests_for_meeting(the_meeting(seeded_app))
            if request.returned_at is None
        ]
        assert open_requests, "the demo's next meeting has research still to come"
        for request in open_requests:
            request.due_at = utcnow() + timedelta(days=2)
        db.session.commit()
    started = utcnow()

    meeting_day(seeded_app)

    with seeded_app.app_context():
        query = db.select(ResearchReturn.due_at).join(ResearchReturn.agenda_item)
        query = query.where(ResearchReturn.returned_at.is_(None), AgendaItem.meeting_id == meeting_id)
        dues = db.session.scalars(query).all()
        meeting = db.session.get(Meeting, meeting_id)
        assert dues and all(due <= min(utcnow(), meeting.starts_at) for due in dues)
        assert all(due >= min(started, meeting.starts_at) for due in dues)
