"""The meeting cycle's part of a case's history and of where it stands: the agendas the case was
placed on, the meetings that heard it and their minutes, its actions and each update, and transfers
to or from another MARAC. Registered when the app starts (app.py)."""

from datetime import date

from access import policy
from access.models import Role, User
from access.policy import ActionScope, CaseScope, MeetingScope, MinutesScope
from cases import chronology, standing
from cases.chronology import Entry, link_to, start_of_day, uk_day
from cases.models import Case
from cases.store import CaseRecords
from cases.vocabulary import EntryKind
from extensions import utcnow
from meetings import store
from meetings.actions import agency_names, change_words
from meetings.models import (
    Action,
    ActionChangeKind,
    ActionUpdate,
    AgendaItem,
    CaseMinutes,
    Meeting,
    MeetingStatus,
    Transfer,
)
from meetings.vocabulary import APPROVED_STATUSES, CASE_OUTCOME_LABELS

HEARD = frozenset({MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_APPROVED, MeetingStatus.DISTRIBUTED})


# Agendas, hearings and minutes


@chronology.register
def meeting_entries(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[Entry]:
    hearings = case_hearings(case, records)
    invited = invited_meeting_ids(user, [meeting.id for _, meeting, _ in hearings])
    entries = []
    for item, meeting, minutes in hearings:
        meeting_scope = MeetingScope(chair_id=meeting.chair_id, agency_invited=meeting.id in invited)
        entries += hearing_entries(user, item, meeting, meeting_link(user, meeting, meeting_scope))
        # A case not heard is left out of the meeting's minutes, so its history has no minutes of it either.
        if minutes is not None and item.not_heard_at is None and may_read(user, meeting, meeting_scope):
            entries.append(minutes_entry(user, item, meeting, minutes, meeting_scope))
    return entries


def case_hearings(case: Case, records: CaseRecords) -> list[tuple[AgendaItem, Meeting, CaseMinutes | None]]:
    """The meetings that had the case on their agenda: read once for the history's meetings and documents."""
    return records.read_once("meetings: hearings", lambda: store.list_case_hearings(case.id))


def case_transfers(case: Case, records: CaseRecords) -> list[Transfer]:
    """Read once for the history and the panel of where the case stands."""
    return records.read_once("meetings: transfers", lambda: store.list_transfers_for_case(case.id))


def invited_meeting_ids(user: User, meeting_ids: list[int]) -> set[int]:
    """Only an agency representative's view of a meeting depends on the invitation."""
    if user.role is not Role.AGENCY_REP or not meeting_ids:
        return set()
    return store.meeting_ids_inviting(user.agency_id, meeting_ids)


def meeting_link(user: User, meeting: Meeting, meeting_scope: MeetingScope) -> str | None:
    if not policy.may_view_meeting(user, meeting_scope):
        return None
    return link_to(user, "meetings.view_meeting", meeting_id=meeting.id)


def hearing_entries(user: User, item: AgendaItem, meeting: Meeting, link: str | None) -> list[Entry]:
    """Placed on the agenda (when that time was kept), then heard once the meeting has ended, or not heard
    (the chair said so when ending it) and back in the referral queue."""
    day = uk_day(meeting.starts_at)
    entries = []
    if item.placed_at is not None:
        title = f"Placed on the agenda of the MARAC meeting on {day}"
        entries.append(Entry(when=item.placed_at, kind=EntryKind.MEETING, title=title, link=link))
    if item.not_heard_at is not None:
        title = f"Not heard at the meeting on {day}: back in the referral queue"
        entries.append(Entry(when=item.not_heard_at, kind=EntryKind.MEETING, title=title, link=link))
    elif meeting.status in HEARD:
        title = f"Heard at the MARAC meeting on {day}"
        entries.append(Entry(when=meeting.starts_at, kind=EntryKind.MEETING, title=title, link=link))
    return entries


def may_read(user: User, meeting: Meeting, meeting_scope: MeetingScope) -> bool:
    minutes_scope = MinutesScope(
        meeting=meeting_scope,
        approved=meeting.status in APPROVED_STATUSES,
        distributed=meeting.status is MeetingStatus.DISTRIBUTED,
    )
    return policy.may_read_minutes(user, minutes_scope)


def minutes_entry(
    user: User, item: AgendaItem, meeting: Meeting, minutes: CaseMinutes, meeting_scope: MeetingScope
) -> Entry:
    """A summary: the outcome and what the meeting decided. The whole minutes are on their own page."""
    detail = [f"Outcome: {CASE_OUTCOME_LABELS[minutes.outcome]}."] if minutes.outcome else []
    if minutes.decisions:
        detail.append(f"Decisions: {minutes.decisions}")
    if policy.may_run_meeting(user, meeting_scope):
        link = link_to(user, "meetings.edit_case_minutes", meeting_id=meeting.id, item_id=item.id)
    else:
        link = meeting_link(user, meeting, meeting_scope)
    return Entry(
        when=minutes.updated_at,
        kind=EntryKind.MINUTES,
        title=f"Minutes of the MARAC meeting on {uk_day(meeting.starts_at)}",
        detail=tuple(detail),
        link=link,
    )


# Actions and their updates


@chronology.register
def action_entries(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[Entry]:
    entries = []
    agencies = None
    for action in store.list_actions_with_updates(case.id):
        action_scope = ActionScope(owner_agency_id=action.owner_agency_id, excluded=scope.excluded)
        if not policy.may_view_action(user, action_scope):
            continue
        if policy.may_update_action(user, action_scope):
            link = link_to(user, "meetings.update_action", action_id=action.id)
        else:
            link = link_to(user, "meetings.list_actions")
        entries.append(action_agreed(action, link))
        for update in action.updates:
            if update.kind is ActionChangeKind.EDIT:
                agencies = agencies if agencies is not None else agency_names()
                entries.append(action_edited(action, update, link, agencies))
            else:
                entries.append(action_updated(action, update, link))
    return entries


def action_agreed(action: Action, link: str | None) -> Entry:
    meeting_day = uk_day(action.agenda_item.meeting.starts_at)
    return Entry(
        when=action.created_at,
        kind=EntryKind.ACTION,
        title=f"Action agreed for {action.owner_agency.name}",
        detail=(
            action.description,
            f"Owner: {action.owner_name}. Due on {uk_day(action.due_on)}.",
            f"Agreed at the MARAC meeting on {meeting_day}. Now: {action.status.label.lower()}.",
        ),
        link=link,
    )


def action_updated(action: Action, update: ActionUpdate, link: str | None) -> Entry:
    detail = [action.description]
    if update.note:
        detail.append(f"Note: {update.note}")
    if update.reviewed_at_meeting is not None:
        detail.append(f"Reviewed at the MARAC meeting on {uk_day(update.reviewed_at_meeting.starts_at)}.")
    return Entry(
        when=update.updated_at,
        kind=EntryKind.ACTION,
        title=f"Action for {action.owner_agency.name} marked {update.status.label.lower()}",
        detail=tuple(detail),
        by=f"Updated by {update.agency.name}",
        link=link,
    )


def action_edited(action: Action, update: ActionUpdate, link: str | None, agencies: dict[int, str]) -> Entry:
    """What was agreed, changed: each field's change in words, and the reason given."""
    detail = [change_words(change, agencies) + "." for change in update.changes or []]
    if update.reason:
        detail.append(f"Reason: {update.reason}")
    return Entry(
        when=update.updated_at,
        kind=EntryKind.ACTION,
        title=f"Action for {action.owner_agency.name} changed",
        detail=tuple(detail),
        by=f"Changed by {update.agency.name}",
        link=link,
    )


# Transfers to or from another MARAC


@chronology.register
def transfer_entries(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[Entry]:
    """What was sent is shown to those who may open the case's transfers page."""
    link = link_to(user, "meetings.list_transfers", case_id=case.id)
    return [
        Entry(
            when=start_of_day(transfer.transferred_on),
            day_only=True,
            kind=EntryKind.TRANSFER,
            title=transfer_words(transfer.incoming, transfer.other_area),
            detail=tuple(transfer.what_was_sent.splitlines()) if link else (),
            link=link,
        )
        for transfer in case_transfers(case, records)
    ]


def transfer_words(incoming: bool, other_area: str) -> str:
    return f"Transferred in from the {other_area} MARAC" if incoming else f"Transferred out to the {other_area} MARAC"


# Where the case stands


@standing.register
def next_meeting(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[standing.Fact]:
    meeting = store.next_meeting_for_case(case.id, utcnow())
    if meeting is None:
        return [standing.Fact("Next MARAC meeting", "Not on a meeting's agenda")]
    invited = invited_meeting_ids(user, [meeting.id])
    link = meeting_link(user, meeting, MeetingScope(chair_id=meeting.chair_id, agency_invited=meeting.id in invited))
    facts = [standing.Fact("Next MARAC meeting", uk_day(meeting.starts_at), link)]
    if meeting.research_due_at is not None:
        facts.append(standing.Fact("Research due", uk_day(meeting.research_due_at)))
    return facts


@standing.register
def open_actions(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[standing.Fact]:
    """Only the actions this user may see: an agency's own, for its staff."""
    today = date.today()
    due_dates = [
        due_on
        for owner_agency_id, due_on in store.list_open_action_owners_and_dates(case.id)
        if policy.may_view_action(user, ActionScope(owner_agency_id=owner_agency_id, excluded=scope.excluded))
    ]
    label = "Open actions for your agency" if user.role in policy.AGENCY_SCOPED_ROLES else "Open actions"
    return [standing.Fact(label, actions_in_words(due_dates, today), link_to(user, "meetings.list_actions"))]


def actions_in_words(due_dates: list[date], today: date) -> str:
    if not due_dates:
        return "None"
    overdue = sum(1 for due_on in due_dates if due_on < today)
    return f"{len(due_dates)}, of which {overdue} overdue" if overdue else f"{len(due_dates)}, none overdue"


@standing.register
def transfer_status(user: User, case: Case, scope: CaseScope, records: CaseRecords) -> list[standing.Fact]:
    transfers = case_transfers(case, records)
    if not transfers:
        return []
    latest = transfers[0]
    words = f"{transfer_words(latest.incoming, latest.other_area)} on {uk_day(latest.transferred_on)}"
    return [standing.Fact("Transfer", words, link_to(user, "meetings.list_transfers", case_id=case.id))]
