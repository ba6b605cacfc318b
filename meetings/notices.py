"""What the meeting cycle tells people in-app, and whom: each message names a case by its reference
only, and goes to no one the case is kept from (cases.notices decides that)."""

from itertools import groupby

from access import notifications
from access import store as access_store
from access.models import Role
from cases import notices
from cases.chronology import uk_day
from meetings import store
from meetings.models import Action, AgendaItem, Meeting, MeetingStatus


def research_requested(meeting: Meeting, asked_by_item: dict[AgendaItem, list[int]]) -> None:
    """The representatives of each agency asked to research each case, when the MARAC list is issued or a
    case joins it: each person's exclusion lists are read once for all the cases, not once per case."""
    agency_ids = sorted({agency_id for asked in asked_by_item.values() for agency_id in asked})
    if not agency_ids:
        return
    told: dict[AgendaItem, list] = {item: [] for item in asked_by_item}
    case_ids = [item.referral.case_id for item in asked_by_item]
    for person in access_store.list_active_users(Role.AGENCY_REP, agency_ids):
        kept_from = notices.cases_kept_from_hearing(person, case_ids)
        for item, asked in asked_by_item.items():
            if person.agency_id in asked and item.referral.case_id not in kept_from:
                told[item].append(person)
    due = f" before {uk_day(meeting.research_due_at)}" if meeting.research_due_at else ""
    link = notifications.path_of("meetings.list_research_requests")
    for item, people in told.items():
        message = f"Research requested for {item.referral.case.reference}{due}"
        notifications.notify(people, message, link, case_id=item.referral.case_id)


def tell_if_documents_ready(meeting: Meeting) -> None:
    """Once the minutes are distributed: the meeting's chair, the coordinators and the representatives of the
    invited agencies. The message is about the meeting, not any one case."""
    if meeting.status is not MeetingStatus.DISTRIBUTED:
        return
    agency_ids = [invitation.agency_id for invitation in store.list_invitations(meeting)]
    people = [
        *access_store.list_active_users(Role.COORDINATOR),
        *([meeting.chair] if meeting.chair else []),
        *access_store.list_active_users(Role.AGENCY_REP, agency_ids),
    ]
    notifications.notify(
        people,
        f"The minutes and action plans of the MARAC on {uk_day(meeting.starts_at)} are ready",
        notifications.path_of("reports.list_documents"),
    )


def action_assigned(action: Action) -> None:
    """The representatives of the agency that owns a new action."""
    case_reference = action.agenda_item.referral.case.reference
    notices.notify_about_case(
        action.case_id,
        access_store.list_active_users(Role.AGENCY_REP, [action.owner_agency_id]),
        f"New action for your agency on {case_reference}, due {uk_day(action.due_on)}",
        notifications.path_of("meetings.list_actions"),
    )


def research_chased(meeting: Meeting, owed: dict) -> None:
    """Each representative chased, with the number of returns they still owe that they may see."""
    for person, rows in owed.items():
        count = f"{len(rows)} research return{'s' if len(rows) != 1 else ''}"
        notifications.notify(
            [person],
            f"Reminder: {count} for the MARAC on {uk_day(meeting.starts_at)} still to send",
            notifications.path_of("meetings.list_research_requests"),
        )


def actions_overdue(person, actions: list[Action]) -> None:
    """Overdue actions raised with the coordinator or a chair (the rows they may see), or with the owning
    agency's representatives: one notification for each case, so that it keeps the case it is about."""
    link = notifications.path_of("meetings.list_actions")
    for case_id, on_case in groupby(sorted(actions, key=case_of), key=case_of):
        on_case = list(on_case)
        reference = on_case[0].agenda_item.referral.case.reference
        count = f"{len(on_case)} overdue action{'s' if len(on_case) != 1 else ''}"
        notifications.notify([person], f"{count} on {reference}", link, case_id=case_id)


def case_of(action: Action) -> str:
    return action.case_id


def meeting_changed(meeting: Meeting, people, news: str) -> None:
    """The invited agencies' representatives, of a new date or a cancellation: about the meeting, not a case."""
    notifications.notify(people, news, notifications.path_of("meetings.view_meeting", meeting_id=meeting.id))
