"""`flask demo meeting-day`: a meeting can only start on its day, so someone trying the demo would wait
until next Wednesday to run one. This brings the demo's meeting whose MARAC list is out to today."""

from datetime import UTC, date, datetime, time, timedelta

from access.audit import AuditAction, record_event
from meetings import schedule, store
from meetings.models import Meeting, MeetingStatus

UK_TIME = schedule.UK_TIME
USUAL_START = time(10, 0)


class MeetingDayRefused(Exception):
    """There is no meeting to bring to today; the message says why. Nothing was changed."""


def bring_meeting_day_to_today(now: datetime) -> str:
    """Moves the next meeting with its list issued to today, its agenda with it; says what it did."""
    meeting = next_meeting_to_run()
    if meeting is None:
        raise MeetingDayRefused(
            "There is no meeting with its MARAC list issued waiting to start, so nothing was changed. "
            "Load the demo into an empty database with: flask --app app demo seed"
        )
    day = schedule.meeting_day(meeting)
    if meeting.status is not MeetingStatus.LIST_ISSUED:
        raise MeetingDayRefused(f"The meeting of {long_date(day)} has already started, so nothing was changed.")
    if day == now.astimezone(UK_TIME).date():
        raise MeetingDayRefused(
            f"The meeting of {long_date(day)} is already today, at {hour_and_minute(meeting.starts_at)}, "
            "so nothing was changed: sign in as the chair and choose Run today's meeting."
        )
    move_meeting(meeting, start_today(now))
    # The research deadline must not fall after the meeting, which late in the evening began before now;
    # one already past stays as the agencies knew it.
    deadline = min(now, meeting.starts_at)
    if meeting.research_due_at is not None and meeting.research_due_at > deadline:
        meeting.research_due_at = deadline
    for request in store.list_research_requests_for_meeting(meeting):
        if request.returned_at is None and request.due_at > deadline:
            request.due_at = deadline  # each agency's own deadline follows, as a reschedule moves them
    record_event(AuditAction.MEETING_RESCHEDULED, object_type="meeting", object_id=meeting.id)
    return (
        f"The meeting of {long_date(day)} now starts today at {hour_and_minute(meeting.starts_at)}: "
        "sign in as the chair and choose Run today's meeting."
    )


def next_meeting_to_run() -> Meeting | None:
    """The first meeting whose list is out, or that has started (so that a second run can say so)."""
    meetings = store.list_meetings_in_status(MeetingStatus.LIST_ISSUED) + store.list_meetings_in_status(
        MeetingStatus.IN_PROGRESS
    )
    return min(meetings, key=lambda meeting: meeting.starts_at, default=None)


def start_today(now: datetime) -> datetime:
    """10:00 UK time today or, once that has passed, the next whole hour; never tomorrow, so late in the
    evening it is the hour already begun. Hours are counted in UTC, where no clock change skips one."""
    today = now.astimezone(UK_TIME).date()
    usual = datetime.combine(today, USUAL_START, tzinfo=UK_TIME)
    if usual > now:
        return usual
    this_hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    next_hour = (this_hour + timedelta(hours=1)).astimezone(UK_TIME)
    return next_hour if next_hour.date() == today else this_hour.astimezone(UK_TIME)


def move_meeting(meeting: Meeting, starts_at: datetime) -> None:
    """Each agenda slot keeps its distance from the meeting's start."""
    shift = starts_at - meeting.starts_at
    for item in store.list_agenda(meeting):
        item.starts_at, item.ends_at = item.starts_at + shift, item.ends_at + shift
    meeting.starts_at = starts_at


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def hour_and_minute(moment: datetime) -> str:
    return f"{moment.astimezone(UK_TIME):%H:%M}"
