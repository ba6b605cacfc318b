"""What the meeting cycle tells people in-app, and whom: each message names a case by its reference
only, and goes to no one the case is kept from (cases.notices decides that)."""

from flask import url_for

from access import notifications
from access import store as access_store
from access.models import Role
from cases import notices
from cases.chronology import uk_day
from meetings import store
from meetings.models import Action, AgendaItem, Meeting, MeetingStatus


def research_requested(meeting: Meeting, item: AgendaItem, agency_ids: list[int]) -> None:
    """The representatives of each agency asked to research the case, when the MARAC list is issued."""
    due = f" before {uk_day(meeting.research_due_at)}" if meeting.research_due_at else ""
    notices.notify_about_case(
        item.referral.case_id,
        access_store.list_active_users(Role.AGENCY_REP, agency_ids),
        f"Research requested for {item.referral.case.reference}{due}",
        url_for("meetings.list_research_requests"),
    )


def tell_if_documents_ready(meeting: Meeting) -> None:
    """Once the minutes are distributed: the chairs, the coordinators and the representatives of the
    invited agencies. The message is about the meeting, not any one case."""
    if meeting.status is not MeetingStatus.DISTRIBUTED:
        return
    agency_ids = [invitation.agency_id for invitation in store.list_invitations(meeting)]
    people = [
        *access_store.list_active_users(Role.COORDINATOR),
        *access_store.list_active_users(Role.CHAIR),
        *access_store.list_active_users(Role.AGENCY_REP, agency_ids),
    ]
    notifications.notify(
        people,
        f"The minutes and action plans of the MARAC on {uk_day(meeting.starts_at)} are ready",
        url_for("reports.list_documents"),
    )


def action_assigned(action: Action) -> None:
    """The representatives of the agency that owns a new action."""
    case_reference = action.agenda_item.referral.case.reference
    notices.notify_about_case(
        action.case_id,
        access_store.list_active_users(Role.AGENCY_REP, [action.owner_agency_id]),
        f"New action for your agency on {case_reference}, due {uk_day(action.due_on)}",
        url_for("meetings.list_actions"),
    )
