"""The meeting documents and the transfer pack: who may have which one when, and what each holds.

Each document is built only from the records it prints. Safe-contact details (risk.models.SafeContact)
are never read here, so no document can carry a safe phone number or a refuge address.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from flask import current_app

from access import policy
from access import store as access_store
from access.models import Agency, Role, User
from access.policy import MeetingScope
from cases import journey
from cases import store as cases_store
from cases.models import Case, PartyRole, Referral
from meetings import actions as tracker
from meetings import agenda, research, store
from meetings.labels import label, labels
from meetings.models import Action, AgendaSection, AttendanceStatus, CaseMinutes, Meeting, MeetingStatus
from meetings.schedule import UK_TIME
from meetings.vocabulary import APPROVED_STATUSES
from reports import distribution
from reports.downloads import PdfDocument
from risk import store as risk_store
from risk.instruments import get_pack
from risk.models import Assessment, AssessmentStatus, Decision


class DocumentKind(StrEnum):
    RESEARCH_PACK = "research-pack"
    AGENDA = "agenda"
    MINUTES = "minutes"
    ACTION_PLAN = "action-plan"
    AGENCY_ACTION_PLAN = "agency-action-plan"
    MEETING_PACK = "meeting-pack"


LIST_ISSUED = frozenset(MeetingStatus) - {MeetingStatus.PLANNED}
WITH_NOTICES = frozenset({DocumentKind.AGENDA, DocumentKind.MINUTES, DocumentKind.MEETING_PACK})
# The documents that name each case's perpetrators, children and household.
WITH_PARTIES = frozenset({DocumentKind.RESEARCH_PACK, DocumentKind.MINUTES, DocumentKind.MEETING_PACK})
WHEN_LIST_ISSUED = "Available when the MARAC list is issued."
WHEN_MINUTES_APPROVED = "Available when the minutes are approved."
WHEN_DISTRIBUTED = "Available when the coordinator distributes the approved minutes."


@dataclass(frozen=True)
class Offer:
    """A document of a meeting that this person may have: now, or (with the reason) once the meeting gets further."""

    kind: DocumentKind
    label: str
    agency_id: int | None = None
    not_yet: str | None = None
    draft: bool = False

    @property
    def available(self) -> bool:
        return self.not_yet is None


@dataclass(frozen=True)
class MeetingDocuments:
    meeting: Meeting
    offers: tuple[Offer, ...]
    withheld: str | None
    cases_left_out: int = 0
    """Cases of the meeting left out of this person's copies, because an exclusion list names them."""

    @property
    def set_available(self) -> bool:
        """Whether any document of the set sent out after the meeting (document_set) may be had now."""
        return any(offer.available and offer.kind in IN_THE_SET for offer in self.offers)


# Who may have which document.


def documents_for(user: User) -> list[MeetingDocuments]:
    """Per meeting, newest first: the documents this person may have, or why they are held back."""
    meetings = meetings_for(user)
    owners = store.action_owners_by_meeting([meeting.id for meeting in meetings])
    invited = invited_meeting_ids(user)
    withheld = distribution.withheld_reasons(meetings, user)
    left_out = count_cases_left_out(meetings, user)
    listed = []
    for meeting in meetings:
        offers = offers_for(meeting, user, invited=meeting.id in invited, owners=owners.get(meeting.id, []))
        if offers:
            listed.append(MeetingDocuments(meeting, tuple(offers), withheld[meeting.id], left_out.get(meeting.id, 0)))
    return listed


def count_cases_left_out(meetings: list[Meeting], user: User) -> dict[int, int]:
    """Per meeting, how many of its cases this person's copies leave out: only cases with exclusion lists can be."""
    on_agendas = store.list_exclusions_on_agendas([meeting.id for meeting in meetings])
    left_out = cases_left_out(user, list({excluded.case_id for _, excluded in on_agendas}))
    cases_by_meeting: dict[int, set[str]] = {}
    for meeting_id, excluded in on_agendas:
        if excluded.case_id in left_out:
            cases_by_meeting.setdefault(meeting_id, set()).add(excluded.case_id)
    return {meeting_id: len(case_ids) for meeting_id, case_ids in cases_by_meeting.items()}


def cases_left_out(user: User, case_ids: list[str]) -> frozenset[str]:
    """Of these cases, those this person's copies of a document must leave out (an exclusion list names them)."""
    if not case_ids:
        return frozenset()
    scopes = cases_store.case_scopes(user, case_ids)
    return frozenset(
        case_id for case_id, scope in scopes.items() if not policy.may_receive_case_in_documents(user, scope)
    )


def meetings_for(user: User) -> list[Meeting]:
    if user.role in policy.MEETING_WIDE_ROLES:
        return store.list_meetings()
    if user.role is Role.AGENCY_REP:
        meetings = {
            meeting.id: meeting
            for meeting in [
                *store.list_meetings_inviting(user.agency_id),
                *store.list_meetings_with_actions_for(user.agency_id),
            ]
        }
        return sorted(meetings.values(), key=lambda meeting: meeting.starts_at, reverse=True)
    if user.role is Role.PRACTITIONER:
        return store.list_meetings_with_actions_for(user.agency_id)
    return []


def invited_meeting_ids(user: User) -> set[int]:
    if user.role is not Role.AGENCY_REP:
        return set()
    return {meeting.id for meeting in store.list_meetings_inviting(user.agency_id)}


def offer_for(meeting: Meeting, user: User, kind: DocumentKind, agency_id: int | None = None) -> Offer | None:
    """The document if this person may download it now, else None."""
    invited = user.role is Role.AGENCY_REP and store.is_invited(meeting, user.agency_id)
    owners = store.action_owners_by_meeting([meeting.id]).get(meeting.id, [])
    offers = offers_for(meeting, user, invited=invited, owners=owners)
    return next(
        (offer for offer in offers if offer.kind is kind and offer.agency_id == agency_id and offer.available), None
    )


def offers_for(meeting: Meeting, user: User, *, invited: bool, owners: list[Agency]) -> list[Offer]:
    """What the policy lets this user receive: the meeting's documents, and the action plans of the
    agencies that own actions from it."""
    meeting_scope = MeetingScope(chair_id=meeting.chair_id, agency_invited=invited)
    offers = meeting_offers(meeting, user) if policy.may_receive_meeting_documents(user, meeting_scope) else []
    return [
        *offers,
        *(
            agency_plan_offer(meeting, user, agency)
            for agency in owners
            if policy.may_receive_agency_action_plan(user, agency.id)
        ),
    ]


def meeting_offers(meeting: Meeting, user: User) -> list[Offer]:
    issued = None if meeting.status in LIST_ISSUED else WHEN_LIST_ISSUED
    return [
        Offer(DocumentKind.MEETING_PACK, "Meeting pack: agenda, MARAC list and earlier actions", not_yet=issued),
        Offer(DocumentKind.RESEARCH_PACK, "MARAC list and research pack", not_yet=issued),
        Offer(DocumentKind.AGENDA, "Agenda", not_yet=issued),
        minutes_offer(meeting, user),
        Offer(DocumentKind.ACTION_PLAN, "Action plan, all agencies", not_yet=not_yet_released(meeting, user)),
    ]


def not_yet_released(meeting: Meeting, user: User) -> str | None:
    """The chair and coordinator have approved minutes and plans at once; agencies once they are distributed."""
    if user.role in policy.MEETING_WIDE_ROLES:
        return None if meeting.status in APPROVED_STATUSES else WHEN_MINUTES_APPROVED
    return None if meeting.status is MeetingStatus.DISTRIBUTED else WHEN_DISTRIBUTED


def minutes_offer(meeting: Meeting, user: User) -> Offer:
    """The chair and coordinator may print the draft to check it; everyone else waits for approval."""
    if meeting.status is MeetingStatus.MINUTES_DRAFT and policy.may_see_draft_minutes(user):
        return Offer(DocumentKind.MINUTES, "Minutes (draft, for checking)", draft=True)
    return Offer(DocumentKind.MINUTES, "Minutes", not_yet=not_yet_released(meeting, user))


def agency_plan_offer(meeting: Meeting, user: User, agency: Agency) -> Offer:
    return Offer(
        DocumentKind.AGENCY_ACTION_PLAN,
        f"Action plan for {agency.name}",
        agency_id=agency.id,
        not_yet=not_yet_released(meeting, user),
    )


# Finding documents in the list: by meeting date, kind or words, a page at a time.


@dataclass(frozen=True)
class DocumentFilter:
    words: str = ""
    kind: DocumentKind | None = None
    from_day: date | None = None
    to_day: date | None = None
    oldest_first: bool = False


@dataclass(frozen=True)
class DocumentPage:
    entries: list[MeetingDocuments]
    number: int
    pages: int
    total: int
    first: int
    """Position of the page's first meeting among all found (1-based); 0 when none are."""
    last: int


def filter_documents(entries: list[MeetingDocuments], chosen: DocumentFilter) -> list[MeetingDocuments]:
    """The meetings on or between the days chosen (newest first, or oldest first), each with only the
    documents of the kind chosen or whose name holds the words; a meeting left with no document is left out."""
    found = []
    for entry in entries:
        day = entry.meeting.starts_at.astimezone(UK_TIME).date()
        if (chosen.from_day and day < chosen.from_day) or (chosen.to_day and day > chosen.to_day):
            continue
        offers = tuple(offer for offer in entry.offers if offer_matches(offer, chosen))
        if offers:
            found.append(MeetingDocuments(entry.meeting, offers, entry.withheld, entry.cases_left_out))
    return sorted(found, key=lambda entry: entry.meeting.starts_at, reverse=not chosen.oldest_first)


def offer_matches(offer: Offer, chosen: DocumentFilter) -> bool:
    kinds = {chosen.kind, DocumentKind.AGENCY_ACTION_PLAN} if chosen.kind is DocumentKind.ACTION_PLAN else {chosen.kind}
    if chosen.kind is not None and offer.kind not in kinds:
        return False
    return all(word in offer.label.lower() for word in chosen.words.lower().split())


def page_of(entries: list[MeetingDocuments], number: int, per_page: int) -> DocumentPage:
    pages = max(1, -(-len(entries) // per_page))
    number = min(max(number, 1), pages)
    start = (number - 1) * per_page
    shown = entries[start : start + per_page]
    return DocumentPage(shown, number, pages, len(entries), start + 1 if shown else 0, start + len(shown))


# What each document holds.


@dataclass(frozen=True)
class AgendaEntry:
    position: int
    section: AgendaSection
    starts_at: datetime
    ends_at: datetime
    reference: str
    referring_agency: str
    criteria: tuple[str, ...]
    tier: str
    flags: tuple[str, ...]
    transferred_from: str | None


@dataclass(frozen=True)
class ActionLine:
    number: int
    case_reference: str
    description: str
    agency: str
    owner_name: str
    due_on: date
    status: str
    note: str | None
    overdue: bool


@dataclass(frozen=True)
class MinutesRecord:
    """One case's minutes as printed: each text, then what each agency shared."""

    victim_views: str
    information_shared: str
    shared_by_agency: tuple[tuple[str, str], ...]
    risks_to_victim: str
    risks_to_children: str
    risks_to_others: str
    risks_to_professionals: str
    decisions: str
    outcome: str


@dataclass(frozen=True)
class MinutesCase:
    entry: AgendaEntry
    identifiers: research.CaseIdentifiers
    minutes: MinutesRecord | None
    actions: tuple[ActionLine, ...]


@dataclass(frozen=True)
class ResearchCase:
    entry: AgendaEntry
    identifiers: research.CaseIdentifiers


def meeting_document(meeting: Meeting, offer: Offer, user: User) -> PdfDocument:
    """The document as this person's copy: without any case an exclusion list keeps from them."""
    rows = agenda.agenda_rows(meeting)
    if offer.kind in WITH_PARTIES:
        cases_store.load_parties(list(case_ids_of(rows)))
    reviewed = store.list_actions_to_review(meeting) if offer.kind is DocumentKind.MINUTES else []
    left_out = cases_left_out(user, list({*case_ids_of(rows), *(action.case_id for action in reviewed)}))
    copy = Copy(
        rows=[row for row in rows if row.item.referral.case_id not in left_out],
        left_out=left_out,
        cases_left_out=len(left_out & set(case_ids_of(rows))),
        notices=notice_lines(notices(meeting, user)) if offer.kind in WITH_NOTICES else [],
    )
    if offer.kind is DocumentKind.MEETING_PACK:
        return meeting_pack(meeting, copy)
    if offer.kind is DocumentKind.RESEARCH_PACK:
        return research_pack(meeting, copy)
    if offer.kind is DocumentKind.AGENDA:
        return agenda_document(meeting, copy)
    if offer.kind is DocumentKind.MINUTES:
        return minutes_document(meeting, copy, reviewed=reviewed, draft=offer.draft)
    if offer.kind is DocumentKind.ACTION_PLAN:
        return action_plan(meeting, copy)
    return agency_action_plan(meeting, access_store.get_agency(offer.agency_id), copy)


IN_THE_SET = frozenset(
    {DocumentKind.AGENDA, DocumentKind.RESEARCH_PACK, DocumentKind.MINUTES, DocumentKind.AGENCY_ACTION_PLAN}
)


def document_set(meeting: Meeting, user: User) -> list[PdfDocument]:
    """What is sent out for a meeting, as far as this person may have it now: the agenda, the MARAC list,
    the minutes and each agency's action plan."""
    owners = store.action_owners_by_meeting([meeting.id]).get(meeting.id, [])
    invited = user.role is Role.AGENCY_REP and store.is_invited(meeting, user.agency_id)
    return [
        meeting_document(meeting, offer, user)
        for offer in offers_for(meeting, user, invited=invited, owners=owners)
        if offer.kind in IN_THE_SET and offer.available
    ]


@dataclass(frozen=True)
class Copy:
    """What one person's copy holds: the agenda rows they may have, and which cases are left out."""

    rows: list[agenda.AgendaRow]
    left_out: frozenset[str] = frozenset()
    cases_left_out: int = 0
    notices: list[tuple[str, date]] = field(default_factory=list)

    def keeps(self, actions: list[Action]) -> list[Action]:
        return [action for action in actions if action.case_id not in self.left_out]


def research_pack(meeting: Meeting, copy: Copy) -> PdfDocument:
    cases = [ResearchCase(agenda_entry(meeting, row), research.case_identifiers(row.item)) for row in copy.rows]
    return PdfDocument(
        kind="RESEARCH",
        subject=f"M{meeting.id}",
        title="MARAC list and research pack",
        template="reports/print-research-pack.html",
        filename=f"marac-research-pack-{meeting_day(meeting)}",
        context={"meeting": meeting, "cases": cases, "cases_left_out": copy.cases_left_out},
        case_ids=case_ids_of(copy.rows),
    )


@dataclass(frozen=True)
class EarlierActions:
    reference: str
    actions: tuple[ActionLine, ...]


def meeting_pack(meeting: Meeting, copy: Copy) -> PdfDocument:
    """The agenda, the MARAC list and earlier meetings' actions on the cases to be heard, in one copy."""
    today = date.today()
    entries = [agenda_entry(meeting, row) for row in copy.rows]
    earlier = store.list_earlier_actions_by_case(case_ids_of(copy.rows), before=meeting.starts_at)
    by_case = [(entry, row, earlier.get(row.item.referral.case_id, [])) for entry, row in zip(entries, copy.rows)]
    return PdfDocument(
        kind="PACK",
        subject=f"M{meeting.id}",
        title="MARAC meeting pack",
        template="reports/print-meeting-pack.html",
        filename=f"marac-meeting-pack-{meeting_day(meeting)}",
        context={
            "meeting": meeting,
            "entries": entries,
            "notices": copy.notices,
            "cases": [ResearchCase(entry, research.case_identifiers(row.item)) for entry, row, _ in by_case],
            "earlier": [
                EarlierActions(entry.reference, tuple(action_line(action, today) for action in actions))
                for entry, _, actions in by_case
                if actions
            ],
            "cases_left_out": copy.cases_left_out,
        },
        case_ids=case_ids_of(copy.rows),
    )


def agenda_document(meeting: Meeting, copy: Copy) -> PdfDocument:
    return PdfDocument(
        kind="AGENDA",
        subject=f"M{meeting.id}",
        title="MARAC agenda",
        template="reports/print-agenda.html",
        filename=f"marac-agenda-{meeting_day(meeting)}",
        context={
            "meeting": meeting,
            "entries": [agenda_entry(meeting, row) for row in copy.rows],
            "notices": copy.notices,
            "cases_left_out": copy.cases_left_out,
        },
        case_ids=case_ids_of(copy.rows),
    )


def minutes_document(meeting: Meeting, copy: Copy, *, reviewed: list[Action], draft: bool = False) -> PdfDocument:
    today = date.today()
    agency_names = agency_names_by_key()
    heard = [row for row in copy.rows if row.item.not_heard_at is None]
    item_ids = [row.item.id for row in heard]
    minutes, actions = store.case_minutes_by_item(item_ids), store.list_actions_by_item(item_ids)
    cases = [
        MinutesCase(
            agenda_entry(meeting, row),
            research.case_identifiers(row.item),
            minutes_record(minutes.get(row.item.id), agency_names),
            tuple(action_line(action, today) for action in actions[row.item.id]),
        )
        for row in heard
    ]
    attendance = store.list_attendance(meeting)
    reviewed = copy.keeps(reviewed)
    return PdfDocument(
        kind="MINUTES",
        subject=f"M{meeting.id}",
        title="MARAC minutes" + (": DRAFT" if draft else ""),
        template="reports/print-minutes.html",
        filename=f"marac-minutes-{'draft-' if draft else ''}{meeting_day(meeting)}",
        context={
            "meeting": meeting,
            "draft": draft,
            "cases": cases,
            # Only the reference of a case the meeting did not hear: nothing was decided about it here.
            "not_heard": [agenda_entry(meeting, row) for row in copy.rows if row.item.not_heard_at is not None],
            "notices": copy.notices,
            "present": [row for row in attendance if row.status is AttendanceStatus.PRESENT],
            "observers": [row for row in attendance if row.status is AttendanceStatus.OBSERVER],
            "apologies": [row for row in attendance if row.status is AttendanceStatus.APOLOGIES],
            "statement": current_app.config["CONFIDENTIALITY_STATEMENT"],
            "reviewed": [action_line(action, today) for action in reviewed],
            "cases_left_out": copy.cases_left_out,
        },
        case_ids=tuple(dict.fromkeys([*case_ids_of(copy.rows), *(action.case_id for action in reviewed)])),
    )


def action_plan(meeting: Meeting, copy: Copy) -> PdfDocument:
    actions = copy.keeps(store.list_actions_for_meeting(meeting))
    return PdfDocument(
        kind="ACTIONS",
        subject=f"M{meeting.id}",
        title="MARAC action plan",
        template="reports/print-action-plan.html",
        filename=f"marac-action-plan-{meeting_day(meeting)}",
        context={
            "meeting": meeting,
            "agency": None,
            "actions": action_lines(actions),
            "cases_left_out": copy.cases_left_out,
        },
        case_ids=tuple(dict.fromkeys(action.case_id for action in actions)),
    )


def agency_action_plan(meeting: Meeting, agency: Agency, copy: Copy) -> PdfDocument:
    """Only that agency's actions: an agency's plan goes to its own staff, who need no other agency's tasks."""
    actions = copy.keeps(store.list_actions_for_meeting(meeting, agency_id=agency.id))
    return PdfDocument(
        kind="ACTIONS",
        subject=f"M{meeting.id}-A{agency.id}",
        title=f"MARAC action plan: {agency.name}",
        template="reports/print-action-plan.html",
        filename=f"marac-action-plan-{meeting_day(meeting)}-{slug(agency.name)}",
        context={
            "meeting": meeting,
            "agency": agency,
            "actions": action_lines(actions),
            "cases_left_out": copy.cases_left_out,
        },
        case_ids=tuple(dict.fromkeys(action.case_id for action in actions)),
    )


def agenda_entry(meeting: Meeting, row: agenda.AgendaRow) -> AgendaEntry:
    return AgendaEntry(
        position=row.item.position,
        section=row.item.section,
        starts_at=row.item.starts_at,
        ends_at=row.item.ends_at,
        reference=tracker.case_reference(row.item.referral.case, meeting.starts_at),
        referring_agency=row.referring_agency,
        criteria=labels(row.criteria),
        tier=label(row.tier),
        flags=labels(row.flags),
        transferred_from=row.transferred_from,
    )


def notices(meeting: Meeting, user: User) -> list[Case]:
    """Cases leaving the 12-month repeat watch, read out at the meeting: those this person's copy may carry."""
    watched = agenda.twelve_month_notices(meeting)
    left_out = cases_left_out(user, [case.id for case in watched])
    return [case for case in watched if case.id not in left_out]


def notice_lines(cases: list[Case]) -> list[tuple[str, date]]:
    """(reference and initials, watch end): read out, never named."""
    return [(f"{case.reference} ({case.victim.initials})", case.repeat_watch_ends) for case in cases]


def minutes_record(minutes: CaseMinutes | None, agency_names: dict[str, str]) -> MinutesRecord | None:
    if minutes is None:
        return None
    shared = sorted(
        (
            (agency_names.get(key, "Another agency"), text)
            for key, text in (minutes.agency_information or {}).items()
            if text
        ),
        key=lambda pair: pair[0],
    )
    return MinutesRecord(
        victim_views=minutes.victim_views,
        information_shared=minutes.information_shared,
        shared_by_agency=tuple(shared),
        risks_to_victim=minutes.risks_to_victim,
        risks_to_children=minutes.risks_to_children,
        risks_to_others=minutes.risks_to_others,
        risks_to_professionals=minutes.risks_to_professionals,
        decisions=minutes.decisions,
        outcome=label(minutes.outcome) if minutes.outcome else "Not recorded",
    )


def action_lines(actions: list[Action]) -> list[ActionLine]:
    today = date.today()
    return [action_line(action, today) for action in actions]


def action_line(action: Action, today: date) -> ActionLine:
    return ActionLine(
        number=action.id,
        case_reference=tracker.case_reference_for(action),
        description=action.description,
        agency=action.owner_agency.name,
        owner_name=action.owner_name,
        due_on=action.due_on,
        status=action.status.label,
        note=action.completion_note,
        overdue=tracker.urgency(action, today, window_days=0) == "overdue",
    )


# The transfer pack.


@dataclass(frozen=True)
class AssessmentLine:
    tool: str
    assessed_on: date
    agency: str
    score: str
    tier: str
    unverified: tuple[str, ...]


@dataclass(frozen=True)
class DecisionLine:
    evaluated_on: date
    eligible: bool
    criteria: tuple[str, ...]
    tier: str
    unverified: tuple[str, ...]


@dataclass(frozen=True)
class ReferralLine:
    received_on: date
    agency: str
    criteria: tuple[str, ...]
    state: str


@dataclass(frozen=True)
class MinutesExtract:
    meeting: Meeting
    reference: str
    minutes: MinutesRecord | None


def transfer_pack(case: Case) -> PdfDocument:
    """What a receiving MARAC needs: who, the risk history, earlier minutes and the actions."""
    agency_names = agency_names_by_key()
    heard = [item for item in store.list_agenda_items_for_case(case.id) if item.meeting.status in APPROVED_STATUSES]
    minutes = store.case_minutes_by_item([item.id for item in heard])
    assessments = [
        assessment_line(row)
        for row in risk_store.list_latest_assessments(case.id)
        if row.status is AssessmentStatus.COMPLETE
    ]
    decisions = [decision_line(row) for row in risk_store.list_decisions(case.id)]
    context = {
        "case": case,
        "victim": research.identifiers_of(case.victim),
        "perpetrators": research.parties_of(case, PartyRole.PERPETRATOR),
        "children": research.parties_of(case, PartyRole.CHILD),
        "transfers": store.list_transfers_for_case(case.id),
        "assessments": assessments,
        "assessment_rules": list(dict.fromkeys(rule for line in assessments for rule in line.unverified)),
        "decisions": decisions,
        "decision_rules": list(dict.fromkeys(rule for line in decisions for rule in line.unverified)),
        "referrals": [referral_line(row) for row in cases_store.list_referrals(case)],
        "extracts": [
            MinutesExtract(
                item.meeting,
                tracker.case_reference(case, item.meeting.starts_at),
                minutes_record(minutes.get(item.id), agency_names),
            )
            for item in heard
        ],
        "actions": action_lines(store.list_actions_for_case(case.id)),
    }
    return PdfDocument(
        kind="TRANSFER",
        subject=case.reference,
        title="MARAC transfer pack",
        template="reports/print-transfer-pack.html",
        filename=f"marac-transfer-pack-{case.reference.lower()}",
        context=context,
        case_ids=(case.id,),
    )


def assessment_line(assessment: Assessment) -> AssessmentLine:
    """Scored by today's packs, as the case page shows it, with the unchecked rules it relies on."""
    result = journey.result_for(assessment)
    return AssessmentLine(
        tool=get_pack(assessment.tool_id).name,
        assessed_on=assessment.assessed_on,
        agency=assessment.agency.name,
        score=f"{result.score:g} of {result.max_score:g}" + (f" ({result.band})" if result.band else ""),
        tier=result.tier.label if result.tier else "No tier",
        unverified=result.unverified,
    )


def decision_line(decision: Decision) -> DecisionLine:
    return DecisionLine(
        decision.evaluated_on,
        decision.eligible,
        labels(decision.criteria),
        label(decision.tier),
        tuple(decision.unverified or ()),
    )


def referral_line(referral: Referral) -> ReferralLine:
    return ReferralLine(
        referral.received_at.astimezone(UK_TIME).date(),
        referral.agency.name,
        labels(referral.criteria),
        referral.state.value.capitalize(),
    )


# Small shared pieces.


def case_ids_of(rows: list[agenda.AgendaRow]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(row.item.referral.case_id for row in rows))


def agency_names_by_key() -> dict[str, str]:
    """Minutes keep what each agency shared under "agency-<id>"."""
    return {f"agency-{agency.id}": agency.name for agency in access_store.list_agencies()}


def meeting_day(meeting: Meeting) -> str:
    return meeting.starts_at.astimezone(UK_TIME).date().isoformat()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "agency"
