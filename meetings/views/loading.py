"""Finding a meeting or a case on its agenda for the person asking: a 404 unless the policy lets them
see it, so that its existence is not given away. Every group of meeting pages uses these."""

from flask import abort
from flask_login import current_user

from access import policy
from cases import store as cases_store
from meetings import agenda, store
from meetings.agenda import AgendaRow
from meetings.models import AgendaItem, Meeting, MeetingStatus


def load_meeting(meeting_id: int) -> Meeting:
    meeting = store.get_meeting(meeting_id)
    if meeting is None or not policy.may_view_meeting(current_user, store.meeting_scope(meeting, current_user)):
        abort(404)
    return meeting


def load_meeting_to_run(meeting_id: int) -> Meeting:
    """Attendance, the action review and the minutes: the meeting's own chair, or the coordinator."""
    meeting = load_meeting(meeting_id)
    if not policy.may_run_meeting(current_user, store.meeting_scope(meeting, current_user)):
        abort(404)
    if meeting.status is MeetingStatus.CANCELLED:
        abort(409)  # a cancelled meeting takes no register, review or minutes
    return meeting


def load_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """A case on the agenda, if the policy lets this user see the case (not if its exclusion list names them)."""
    item = store.get_agenda_item(meeting, item_id)
    if item is None or item.referral.case_id not in cases_store.cases_visible_to(current_user, [item.referral.case_id]):
        abort(404)
    return item


def load_item_with_running_order(meeting: Meeting, item_id: int) -> tuple[AgendaItem, list[AgendaRow]]:
    """A case on the agenda, with the agenda's rows this user may see: pages that show the running order beside
    the case ask the policy once about every case on it, this one among them."""
    rows = agenda.agenda_rows(meeting, current_user)
    item = next((row.item for row in rows if row.item.id == item_id), None)
    if item is None:
        abort(404)
    return item, rows
