"""Research returns: what each invited agency is asked to search its records for, what it returns,
and how far the returns for a meeting have got."""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from access import notifications, policy
from access.audit import AuditAction, record_event
from access.models import User
from access.policy import ResearchReturnScope
from cases import journey
from cases import notices as case_notices
from cases import store as cases_store
from cases.models import Case, PartyRole, Person
from extensions import db, utcnow
from meetings import notices, reminders, store
from meetings.labels import label, labels
from meetings.models import AgendaItem, Meeting, MeetingStatus, ResearchReturn
from risk import store as risk_store
from transactions import all_or_nothing

UK_TIME = ZoneInfo("Europe/London")
EDITABLE_STATUSES = (MeetingStatus.LIST_ISSUED, MeetingStatus.IN_PROGRESS)
TEXT_FIELDS = ("involvement", "risks", "open_cases", "proposed_actions", "not_shareable")


class ReturnStatus(StrEnum):
    NOT_STARTED = "not-started"
    DRAFT = "draft"
    OVERDUE = "overdue"
    RETURNED = "returned"
    RETURNED_LATE = "returned-late"

    @property
    def label(self) -> str:
        return {
            "not-started": "Not started",
            "draft": "Draft saved",
            "overdue": "Overdue",
            "returned": "Returned",
            "returned-late": "Returned late",
        }[self.value]

    @property
    def tag_class(self) -> str:
        return {
            "not-started": "govuk-tag--grey",
            "draft": "govuk-tag--blue",
            "overdue": "govuk-tag--red",
            "returned": "govuk-tag--green",
            "returned-late": "govuk-tag--yellow",
        }[self.value]


def status_of(research_return: ResearchReturn, now: datetime) -> ReturnStatus:
    if research_return.returned_at is None:
        if now > research_return.due_at:
            return ReturnStatus.OVERDUE
        return ReturnStatus.DRAFT if has_draft(research_return) else ReturnStatus.NOT_STARTED
    return ReturnStatus.RETURNED_LATE if research_return.returned_at > research_return.due_at else ReturnStatus.RETURNED


def has_draft(research_return: ResearchReturn) -> bool:
    """Something saved but not yet sent: the agency is working on it."""
    return research_return.returned_at is None and (
        research_return.known is not None or any(getattr(research_return, name) for name in TEXT_FIELDS)
    )


def current_status(research_return: ResearchReturn) -> ReturnStatus:
    return status_of(research_return, utcnow())


@dataclass(frozen=True)
class PersonIdentifiers:
    name: str
    aliases: tuple[str, ...]
    date_of_birth: str | None
    date_of_birth_variants: tuple[str, ...]
    relationship: str | None = None  # to the victim, as the referral gave it

    @property
    def description(self) -> str:
        name = self.name + (f" ({self.relationship})" if self.relationship else "")
        parts = [name + (f", born {self.date_of_birth}" if self.date_of_birth else ", date of birth not known")]
        if self.aliases:
            parts.append("also known as " + ", ".join(self.aliases))
        if self.date_of_birth_variants:
            parts.append("other dates of birth on record " + ", ".join(self.date_of_birth_variants))
        return "; ".join(parts)


def identifiers_of(person: Person, relationship: str | None = None) -> PersonIdentifiers:
    return PersonIdentifiers(
        name=f"{person.given_name} {person.family_name.upper()}",
        aliases=tuple(person.aliases),
        date_of_birth=person.date_of_birth.strftime("%-d %B %Y") if person.date_of_birth else None,
        date_of_birth_variants=tuple(person.date_of_birth_variants),
        relationship=relationship,
    )


def parties_of(case: Case, role: PartyRole) -> tuple[PersonIdentifiers, ...]:
    return tuple(
        identifiers_of(party.person, party.relationship_to_victim) for party in case.parties if party.role is role
    )


@dataclass(frozen=True)
class Referrer:
    name: str
    agency: str
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class CaseIdentifiers:
    case_id: str
    reference: str
    victim: PersonIdentifiers
    perpetrators: tuple[PersonIdentifiers, ...]
    children: tuple[PersonIdentifiers, ...]
    criteria: tuple[str, ...]
    tier: str
    repeat: bool
    unverified: tuple[str, ...] = ()
    household: tuple[PersonIdentifiers, ...] = ()
    perpetrator_not_known: bool = False
    risk_summary: str | None = None
    victim_wants: str | None = None
    referrer: Referrer | None = None

    @property
    def no_perpetrator_text(self) -> str:
        return "Not known: the referrer could not name anyone" if self.perpetrator_not_known else "None recorded"


def case_identifiers(item: AgendaItem) -> CaseIdentifiers:
    """Names, other names and dates of birth agencies search their records with, and what the referral
    says of the risk; never an address or safe contact."""
    referral = item.referral
    case = referral.case
    decision = risk_store.get_decision(referral.decision_id)
    return CaseIdentifiers(
        case_id=case.id,
        reference=case.reference,
        victim=identifiers_of(case.victim),
        perpetrators=parties_of(case, PartyRole.PERPETRATOR),
        children=parties_of(case, PartyRole.CHILD),
        household=parties_of(case, PartyRole.HOUSEHOLD_MEMBER),
        criteria=labels(referral.criteria),
        tier=label(decision.tier) if decision else "Not known",
        repeat="repeat" in referral.criteria,
        unverified=tuple(decision.unverified or ()) if decision else (),
        perpetrator_not_known=referral.perpetrator_not_known,
        risk_summary=referral.risk_summary,
        victim_wants=referral.victim_wants,
        referrer=Referrer(
            name=referral.referrer.name,
            agency=referral.agency.name,
            phone=referral.referrer_phone,
            email=referral.referrer_email,
        ),
    )


@dataclass(frozen=True)
class ResearchRequest:
    position: int
    case: CaseIdentifiers
    return_id: int | None
    due_at: datetime | None
    status: ReturnStatus | None
    returned_at: datetime | None


@dataclass(frozen=True)
class MeetingResearchList:
    meeting_id: int
    starts_at: datetime
    venue: str
    online: bool
    due_at: datetime | None
    requests: tuple[ResearchRequest, ...]


def research_lists_for(user: User, now: datetime | None = None) -> list[MeetingResearchList]:
    """The issued MARAC lists of the meetings the user's agency is invited to, with its own returns,
    less any case whose exclusion list names someone like the user."""
    now = now or utcnow()
    meetings = store.list_meetings_open_for_research(user.agency_id)
    meeting_ids = [meeting.id for meeting in meetings]
    returns = {row.agenda_item_id: row for row in store.list_agency_research_returns(meeting_ids, user.agency_id)}
    agendas = {meeting.id: store.list_agenda(meeting) for meeting in meetings}
    kept_from_user = cases_store.cases_excluding(
        user, [item.referral.case_id for items in agendas.values() for item in items]
    )
    return [
        MeetingResearchList(
            meeting_id=meeting.id,
            starts_at=meeting.starts_at,
            venue=meeting.venue,
            online=meeting.online,
            due_at=meeting.research_due_at,
            requests=tuple(
                research_request(item, returns.get(item.id), now)
                for item in agendas[meeting.id]
                if item.referral.case_id not in kept_from_user
            ),
        )
        for meeting in meetings
    ]


def research_request(item: AgendaItem, research_return: ResearchReturn | None, now: datetime) -> ResearchRequest:
    return ResearchRequest(
        position=item.position,
        case=case_identifiers(item),
        return_id=research_return.id if research_return else None,
        due_at=research_return.due_at if research_return else item.meeting.research_due_at,
        status=status_of(research_return, now) if research_return else None,
        returned_at=research_return.returned_at if research_return else None,
    )


def record_list_views(user: User, lists: list[MeetingResearchList]) -> None:
    journey.record_case_views(
        user, [request.case.case_id for research_list in lists for request in research_list.requests]
    )


def return_scope(user: User, research_return: ResearchReturn) -> ResearchReturnScope:
    item = research_return.agenda_item
    return ResearchReturnScope(
        agency_id=research_return.agency_id,
        list_issued=item.meeting.status is not MeetingStatus.PLANNED,
        open_for_research=item.meeting.status in EDITABLE_STATUSES,
        excluded=bool(cases_store.cases_excluding(user, [item.referral.case_id])),
    )


def return_for_rep(user: User, return_id: int) -> ResearchReturn | None:
    """The return if the policy lets this user see it: their agency's, on an issued list, not kept from them."""
    research_return = store.get_research_return(return_id)
    if research_return is None or not policy.may_view_research_return(user, return_scope(user, research_return)):
        return None
    return research_return


def can_edit(user: User, research_return: ResearchReturn) -> bool:
    return policy.may_edit_research_return(user, return_scope(user, research_return))


def form_data(research_return: ResearchReturn) -> dict:
    known = {True: "yes", False: "no", None: None}[research_return.known]
    texts = {name: getattr(research_return, name) or "" for name in (*TEXT_FIELDS, "not_shareable_reason")}
    return texts | {"known": known, "version": str(research_return.version_id)}


@dataclass(frozen=True)
class ReturnAnswers:
    """What the agency returns, and the version of the return it was written against."""

    version: str
    known: bool | None
    involvement: str | None = None
    risks: str | None = None
    open_cases: str | None = None
    proposed_actions: str | None = None
    not_shareable: str | None = None
    not_shareable_reason: str | None = None


def save_return(research_return: ResearchReturn, answers: ReturnAnswers, *, user: User, draft: bool = False) -> bool:
    """Saves the agency's return; False, with nothing saved, if it changed since the form was opened.
    A draft keeps what was written without sending it: it is not returned until saved as a return."""
    if answers.version != str(research_return.version_id):
        return False
    try:
        with all_or_nothing():
            research_return.known = answers.known
            for name in TEXT_FIELDS:
                setattr(research_return, name, getattr(answers, name) or None)
            research_return.not_shareable_reason = (
                (answers.not_shareable_reason or None) if research_return.not_shareable else None
            )
            if research_return.returned_at is None and not draft:
                research_return.returned_at, research_return.returned_by_id = utcnow(), user.id
            # Written now, so that a return someone saved since is found here rather than at the commit.
            db.session.flush()
            record_event(
                AuditAction.RESEARCH_DRAFT_SAVED if draft else AuditAction.RESEARCH_RETURNED,
                user=user,
                object_type="research-return",
                object_id=research_return.id,
            )
    except StaleDataError:
        return False
    return True


@dataclass(frozen=True)
class AgencyProgress:
    agency_name: str
    requested: int
    returned: int
    late: int
    overdue: int
    drafts: int = 0

    @property
    def outstanding(self) -> int:
        return self.requested - self.returned


@dataclass(frozen=True)
class CaseProgress:
    item_id: int
    position: int
    reference: str
    initials: str
    requested: int
    returned: int
    outstanding_agencies: tuple[str, ...]
    overdue: bool


@dataclass(frozen=True)
class MeetingProgress:
    by_agency: tuple[AgencyProgress, ...]
    by_case: tuple[CaseProgress, ...]

    @property
    def requested(self) -> int:
        return sum(agency.requested for agency in self.by_agency)

    @property
    def returned(self) -> int:
        return sum(agency.returned for agency in self.by_agency)


def meeting_progress(meeting: Meeting, now: datetime | None = None) -> MeetingProgress:
    now = now or utcnow()
    returns = store.list_research_requests_for_meeting(meeting)
    statuses = {row.id: status_of(row, now) for row in returns}
    return MeetingProgress(
        by_agency=tuple(
            agency_progress(name, rows, statuses)
            for name, rows in sorted(group_by(returns, lambda row: row.agency.name).items())
        ),
        by_case=tuple(
            case_progress(item, [row for row in returns if row.agenda_item_id == item.id], statuses)
            for item in store.list_agenda(meeting)
        ),
    )


def group_by(rows, key) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def is_returned(status: ReturnStatus) -> bool:
    return status in (ReturnStatus.RETURNED, ReturnStatus.RETURNED_LATE)


def agency_progress(agency_name: str, rows: list[ResearchReturn], statuses: dict) -> AgencyProgress:
    counted = [statuses[row.id] for row in rows]
    return AgencyProgress(
        agency_name=agency_name,
        requested=len(counted),
        returned=sum(is_returned(status) for status in counted),
        late=counted.count(ReturnStatus.RETURNED_LATE),
        overdue=counted.count(ReturnStatus.OVERDUE),
        drafts=sum(has_draft(row) for row in rows),
    )


def case_progress(item: AgendaItem, rows: list[ResearchReturn], statuses: dict) -> CaseProgress:
    outstanding = sorted(
        row.agency.name + (" (draft saved)" if has_draft(row) else "")
        for row in rows
        if not is_returned(statuses[row.id])
    )
    return CaseProgress(
        item_id=item.id,
        position=item.position,
        reference=item.referral.case.reference,
        initials=item.referral.case.victim.initials,
        requested=len(rows),
        returned=len(rows) - len(outstanding),
        outstanding_agencies=tuple(outstanding),
        overdue=any(statuses[row.id] is ReturnStatus.OVERDUE for row in rows),
    )


@dataclass(frozen=True)
class AgencyReturn:
    agency_name: str
    status: ReturnStatus
    research_return: ResearchReturn


def case_research(item: AgendaItem, now: datetime | None = None) -> tuple[list[AgencyReturn], list[AgencyReturn]]:
    """Every agency's return for one case: (returned, not yet returned), each by agency name."""
    now = now or utcnow()
    rows = [
        AgencyReturn(row.agency.name, status_of(row, now), row) for row in store.list_research_returns_for_item(item.id)
    ]
    return [row for row in rows if is_returned(row.status)], [row for row in rows if not is_returned(row.status)]


@dataclass(frozen=True)
class LastChase:
    chased_at: datetime
    by: str


def last_chases(meeting: Meeting) -> dict[str, LastChase]:
    """The latest chase of each agency, by agency name, for the progress page."""
    chases: dict[str, LastChase] = {}
    for row in store.list_research_chases(meeting):
        chases.setdefault(row.agency.name, LastChase(row.chased_at, row.chased_by.name))
    return chases


def outstanding_by_agency(meeting: Meeting) -> dict[int, list[ResearchReturn]]:
    return group_by(
        [row for row in store.list_research_requests_for_meeting(meeting) if row.returned_at is None],
        lambda row: row.agency_id,
    )


def agencies_to_chase(meeting: Meeting) -> dict[str, int]:
    """Agencies with research outstanding: their id by their name."""
    return {rows[0].agency.name: agency_id for agency_id, rows in outstanding_by_agency(meeting).items()}


@dataclass(frozen=True)
class ChaseOutcome:
    emailed: bool
    chased: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    without_representatives: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        how = "in the service and by e-mail" if self.emailed else "in the service (e-mail is not set up)"
        parts = [f"Reminder sent {how} to {', '.join(self.chased)}." if self.chased else "No reminder was sent."]
        if self.without_representatives:
            parts.append(f"No active representative to remind at {', '.join(self.without_representatives)}.")
        if self.failed:
            parts.append(f"The e-mail to {', '.join(self.failed)} could not be sent; try again later.")
        return " ".join(parts)


def chase(meeting: Meeting, agency_ids: list[int], *, user: User) -> ChaseOutcome:
    """Reminds each agency's representatives of the research they still owe for the meeting, in the
    service and by e-mail when it is set up; records who chased which agency and when, and audits it."""
    emailed = bool(current_app.config["MAIL_SERVER"])
    outstanding = {
        agency_id: rows for agency_id, rows in outstanding_by_agency(meeting).items() if agency_id in agency_ids
    }
    chased, failed, unreachable = [], [], []
    for agency_id, rows in outstanding.items():
        agency_name = rows[0].agency.name
        owed = owed_by_each(rows, store.list_reminder_recipients(agency_id))
        if not owed:
            unreachable.append(agency_name)
            continue
        notices.research_chased(meeting, owed)
        if emailed and not reminders.send_all(chase_messages(meeting, owed)):
            failed.append(agency_name)
        store.add_research_chase(meeting, agency_id, user)
        record_event(
            AuditAction.RESEARCH_CHASED, user=user, agency_id=agency_id, object_type="meeting", object_id=meeting.id
        )
        chased.append(agency_name)
    return ChaseOutcome(emailed, tuple(chased), tuple(failed), tuple(unreachable))


def owed_by_each(rows: list[ResearchReturn], recipients: list[User]) -> dict[User, list[ResearchReturn]]:
    """What each representative is reminded of, counting only the cases they may see: a case whose
    exclusion list names them is neither counted nor hinted at, as the policy decides for every notice."""
    case_ids = list({row.agenda_item.referral.case_id for row in rows})
    owed = {}
    for person in recipients:
        kept_from = case_notices.cases_kept_from_hearing(person, case_ids)
        if mine := [row for row in rows if row.agenda_item.referral.case_id not in kept_from]:
            owed[person] = mine
    return owed


def chase_messages(meeting: Meeting, owed: dict[User, list[ResearchReturn]]) -> list[EmailMessage]:
    return [
        reminders.plain_message(CHASE_SUBJECT, chase_text(meeting, rows), [person.email])
        for person, rows in owed.items()
    ]


CHASE_SUBJECT = "Reminder: MARAC research outstanding"


def chase_text(meeting: Meeting, owed: list[ResearchReturn]) -> str:
    due = min(row.due_at for row in owed).astimezone(UK_TIME).strftime("%-d %B %Y at %H:%M")
    meeting_day = meeting.starts_at.astimezone(UK_TIME).strftime("%-d %B %Y")
    returns = f"{len(owed)} research return{'s' if len(owed) != 1 else ''}"
    return (
        f"Your agency still has {returns} to send for the MARAC meeting on {meeting_day}, due by {due}.\n\n"
        f"Sign in to {current_app.config['SERVICE_NAME']} and open "
        f"{notifications.public_link('meetings.list_research_requests')} to send them.\n"
        "This e-mail holds no case details on purpose.\n"
    )
