"""Meeting invitations as iCalendar files: plain values in, .ics bytes out."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from meetings.planner import ACTION_REVIEW_MINUTES

ACTION_REVIEW = timedelta(minutes=ACTION_REVIEW_MINUTES)
SHORTEST_MEETING = timedelta(hours=1)
UK_TIME = ZoneInfo("Europe/London")
DESCRIPTION = (
    "MARAC meeting for {area}. No case details are included here: the MARAC list, agenda and research requests "
    "are in the MARAC toolkit. Everyone attending confirms the confidentiality statement at the start."
)


@dataclass(frozen=True)
class MeetingEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    sequence: int = 0


def meeting_length(agenda_items: int, minutes_per_case: int) -> timedelta:
    """Reviewing open actions, then each case in its slot; never shorter than an hour."""
    return max(ACTION_REVIEW + timedelta(minutes=agenda_items * minutes_per_case), SHORTEST_MEETING)


def meeting_summary(area: str, emergency: bool) -> str:
    return f"{'Emergency MARAC meeting' if emergency else 'MARAC meeting'} – {area}"


def meeting_description(area: str) -> str:
    return DESCRIPTION.format(area=area)


def calendar_filename(starts_at: datetime) -> str:
    return f"marac-{starts_at.astimezone(UK_TIME):%Y-%m-%d}.ics"


def meeting_calendar(event: MeetingEvent, *, stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//MARAC toolkit//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = Event()
    entry.add("uid", event.uid)
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.summary)
    entry.add("location", event.location)
    entry.add("description", event.description)
    entry.add("sequence", event.sequence)
    calendar.add_component(entry)
    return calendar.to_ical()
