import json
from functools import cache
from pathlib import Path

from flask import Response, render_template
from flask_login import current_user

from access.audit import AuditAction, record_event
from access.models import Role
from access.permissions import allow, public
from extensions import utcnow
from meetings import calendar, store
from meetings.models import Meeting, MeetingKind
from meetings.views import bp
from meetings.views.loading import load_meeting

GLOSSARY_FILE = Path(__file__).parent.parent / "data" / "glossary.json"


@cache
def load_glossary() -> dict:
    return json.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))


@bp.route("/glossary")
@public
def view_glossary():
    return render_template("meetings/view-glossary.html", glossary=load_glossary())


def event_for(meeting: Meeting) -> calendar.MeetingEvent:
    length = calendar.meeting_length(store.count_agenda_items(meeting), meeting.minutes_per_case)
    return calendar.MeetingEvent(
        uid=f"marac-meeting-{meeting.id}-{meeting.created_at:%Y%m%d%H%M%S}@marac-toolkit",
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + length,
        summary=calendar.meeting_summary(meeting.area, meeting.kind is MeetingKind.EMERGENCY),
        location="Online" if meeting.online else meeting.venue,
        description=calendar.meeting_description(meeting.area),
        sequence=meeting.version_id - 1,
    )


@bp.route("/meetings/<int:meeting_id>/calendar")
@allow(Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP)
def download_meeting_calendar(meeting_id):
    meeting = load_meeting(meeting_id)
    body = calendar.meeting_calendar(event_for(meeting), stamp=utcnow())
    record_event(AuditAction.CALENDAR_DOWNLOADED, user=current_user, object_type="meeting", object_id=meeting.id)
    filename = calendar.calendar_filename(meeting.starts_at)
    return Response(
        body, mimetype="text/calendar", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
