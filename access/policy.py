"""The policy: every "may this user see or change this object" rule, each a named function.

Routes say which roles may use a page (`access.permissions.allow`); these rules decide, for one
object, whether this user may see or change it. They are pure: each takes the user and the facts
about the object that matter (a scope), which the package owning the object reads from the
database. Views, store queries, documents and exports ask these rules and nothing else, and
`access.permissions.OBJECT_RULES` lists them all.

Need to know is the principle. Where a rule says no, the page is a 404, so the object's existence
is not given away. An exclusion list always wins: a person matched on it sees nothing of the case,
whatever their role, until the coordinator decides they are a different person.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from access.models import Role, User

CASE_WIDE_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR})
CASE_WORKER_ROLES = frozenset({Role.PRACTITIONER, Role.AGENCY_REP, Role.COORDINATOR})
AGENCY_SCOPED_ROLES = frozenset({Role.AGENCY_REP, Role.PRACTITIONER})
MEETING_WIDE_ROLES = frozenset({Role.COORDINATOR, Role.CHAIR})
# Administrators manage accounts and the auditor reads the audit trail: neither sees anything of a case.
NO_CASE_ROLES = frozenset({Role.ADMIN, Role.AUDITOR})
AUDIT_REPORT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})


@dataclass(frozen=True)
class CaseScope:
    """What the rules need to know about one case, as seen by one user."""

    involved_agency_ids: frozenset[int]
    """Agencies that opened the case, assessed the victim, reported an incident or referred her."""
    idva_agency_ids: frozenset[int]
    """The IDVA services among them: the IDVA service on the case."""
    excluded: bool
    """The user's name is like a name on the case's exclusion list, not cleared by the coordinator."""
    referred_by_user: bool = False
    break_glass: bool = False
    """The user gave a reason to look at this case outside their work, less than an hour ago."""


@dataclass(frozen=True)
class PersonScope:
    created_by_agency_id: int
    case_count: int
    """How many cases name this person: a person on more than one case is shared."""


@dataclass(frozen=True)
class SafeContactScope:
    case: CaseScope
    recorded_by_agency_id: int


@dataclass(frozen=True)
class ActionScope:
    owner_agency_id: int
    excluded: bool
    """The user is on the exclusion list of the action's case."""
    meeting_chair_id: int | None = None
    """The chair of the meeting that agreed the action."""


@dataclass(frozen=True)
class MeetingScope:
    chair_id: int | None
    agency_invited: bool
    """The user's agency is invited to the meeting."""


@dataclass(frozen=True)
class MinutesScope:
    meeting: MeetingScope
    approved: bool
    """The chair has approved the meeting's minutes."""
    distributed: bool
    """The coordinator has distributed them to the agencies."""


@dataclass(frozen=True)
class ResearchReturnScope:
    agency_id: int
    list_issued: bool
    """The meeting's MARAC list has gone out, so agencies may see the case on it."""
    open_for_research: bool
    excluded: bool
    """The user is on the exclusion list of the case, not released by the coordinator for this meeting."""


@dataclass(frozen=True)
class ImportBatchScope:
    uploaded_by_id: int


# Restricted fields (SECURITY D1): each column classed "restricted" (where she can be found or safely
# contacted), as "table.column", and the rule that decides who sees it. tests/test_data_classes.py keeps this
# map and the columns' classes in step.
RESTRICTED_FIELDS = {
    "case_safe_contact.phone": "may_view_safe_contact",
    "case_safe_contact.safe_to_call": "may_view_safe_contact",
    "case_safe_contact.safe_address": "may_view_safe_contact",
    # Shown only on the referral form, and only to those who may change her record there.
    "person.address": "may_edit_person",
    # Whole on the referral form; its first half in search results, to whoever may see one of her cases.
    "person.postcode": "may_view_person",
    # Never shown: keys made from her names, dates of birth and postcode districts (those of her postcode and
    # address), read only to find whom a search compares with.
    "person_match_key.key": "may_view_person",
    # The referral form as typed (her address among it): read back only to its author, by the store's query,
    # on a case they may change.
    "referral_draft.fields": "may_change_case",
    # Postcodes a subject access request searched by, and the sealed copies of what was found (her safe
    # contact among them): the coordinator handling requests only.
    "subject_access_request.search_postcodes": "may_handle_subject_access",
    "subject_access_item.content": "may_handle_subject_access",
}


# Cases and what is recorded on them


def may_view_case(user: User, case: CaseScope) -> bool:
    """The coordinator and chairs see every case; other staff see the cases their agency is
    involved in; administrators and the auditor see no case; an excluded person sees none.
    The coordinator is the one who decides near matches on exclusion lists, so is held by none."""
    if (case.excluded and user.role is not Role.COORDINATOR) or user.role in NO_CASE_ROLES:
        return False
    return user.role in CASE_WIDE_ROLES or user.agency_id in case.involved_agency_ids or case.break_glass


def may_change_case(user: User, case: CaseScope) -> bool:
    """Add people, assessments, incidents, judgements and referrals: case workers whose work the case
    is. Break-glass opens a case to read, not to change."""
    if (case.excluded and user.role is not Role.COORDINATOR) or user.role not in CASE_WORKER_ROLES:
        return False
    return user.role is Role.COORDINATOR or user.agency_id in case.involved_agency_ids


def may_be_told_about_any_case(user: User) -> bool:
    """Administrators and auditors work on no case, so are told about none, whatever they were told before."""
    return user.role not in NO_CASE_ROLES


def may_be_told_about_case(user: User, case: CaseScope) -> bool:
    """An in-app notification names a case by its reference only, and goes to people whose work brings
    the case to them (research asked of their agency, an action it owns), who may not see the whole case.
    Even the reference is kept from anyone its exclusion list names; the coordinator, who decides near
    matches, is held by none. Being told opens nothing: each page still asks its own rule."""
    held_by_exclusion = case.excluded and user.role is not Role.COORDINATOR
    return not held_by_exclusion and may_be_told_about_any_case(user)


def may_break_glass(user: User, case: CaseScope) -> bool:
    """Staff who may not see a case may look, for a reason they give, unless an exclusion list names
    them: break-glass never opens a case to the people it is kept from."""
    return user.role in (Role.PRACTITIONER, Role.AGENCY_REP) and not case.excluded and not may_view_case(user, case)


def may_view_assessment(user: User, case: CaseScope) -> bool:
    return may_view_case(user, case)


def may_change_assessment(user: User, case: CaseScope) -> bool:
    """Change a completed assessment's answers (a new version, the old one kept): whoever may change the case."""
    return may_change_case(user, case)


def may_view_referral(user: User, case: CaseScope) -> bool:
    return may_view_case(user, case)


def may_see_why_a_referral_ended(user: User, case: CaseScope) -> bool:
    """A reason for declining or withdrawing is written between the referrer and the MARAC: the
    referrer, the coordinator and the chair see it."""
    if not may_view_case(user, case):
        return False
    return user.role in (Role.COORDINATOR, Role.CHAIR) or case.referred_by_user


@dataclass(frozen=True)
class ReferralScope:
    case: CaseScope
    made_by_user: bool
    awaiting_triage: bool


def may_withdraw_referral(user: User, referral: ReferralScope) -> bool:
    """Before the coordinator has triaged it: whoever made it, or the coordinator."""
    if not (may_view_case(user, referral.case) and referral.awaiting_triage):
        return False
    return referral.made_by_user or user.role is Role.COORDINATOR


def may_correct_referral(user: User, referral: ReferralScope) -> bool:
    """Putting right what a referral says is open to the same people, for the same time, as withdrawing
    it: once the coordinator has triaged it they decide on what it says, so corrections go to them."""
    return may_withdraw_referral(user, referral)


def may_view_exclusion_list(user: User, case: CaseScope) -> bool:
    """The names on it are themselves sensitive: the coordinator, and whoever referred the case."""
    if not may_view_case(user, case):
        return False
    return user.role is Role.COORDINATOR or case.referred_by_user


def may_edit_person(user: User, case: CaseScope, person: PersonScope) -> bool:
    """A person on more than one case is shared: only the coordinator, or the agency that first
    recorded her, changes her record. Otherwise anyone who may change the case."""
    if not may_change_case(user, case):
        return False
    shared = person.case_count > 1
    return not shared or user.role is Role.COORDINATOR or user.agency_id == person.created_by_agency_id


def may_view_person(user: User, cases: Iterable[CaseScope]) -> bool:
    """A person is seen through her cases: whoever may see at least one of the cases naming her. One
    on no case the user may see is not found, as if she did not exist, so knowing a name gives nothing away."""
    return any(may_view_case(user, case) for case in cases)


def may_record_safe_contact(user: User, case: CaseScope) -> bool:
    """Practitioners of an agency on the case, and the coordinator, record their own agency's."""
    return user.role in (Role.PRACTITIONER, Role.COORDINATOR) and may_view_case(user, case)


def may_view_safe_contact(user: User, contact: SafeContactScope) -> bool:
    """Safe-contact details belong to the case and the agency that recorded them: that agency's
    case workers, the IDVA service on the case and the coordinator see them; no one else."""
    if not may_view_case(user, contact.case):
        return False
    if user.role is Role.COORDINATOR:
        return True
    own_or_idva = user.agency_id == contact.recorded_by_agency_id or user.agency_id in contact.case.idva_agency_ids
    return user.role is Role.PRACTITIONER and own_or_idva


def may_confirm_person_link(user: User) -> bool:
    """Only the coordinator confirms that a new case's victim is a person already known."""
    return user.role is Role.COORDINATOR


# Meetings


def may_view_meeting(user: User, meeting: MeetingScope) -> bool:
    if user.role in MEETING_WIDE_ROLES:
        return True
    return user.role is Role.AGENCY_REP and meeting.agency_invited


def may_view_agenda(user: User, meeting: MeetingScope) -> bool:
    return user.role in MEETING_WIDE_ROLES


def may_run_meeting(user: User, meeting: MeetingScope) -> bool:
    """Start it, record attendance, review actions, take and approve its minutes: the meeting's own
    chair, or the coordinator. A chair of another meeting may not."""
    return user.role is Role.COORDINATOR or (user.role is Role.CHAIR and user.id == meeting.chair_id)


def may_take_meeting_step(user: User, meeting: MeetingScope, step_roles: frozenset[Role]) -> bool:
    if user.role not in step_roles:
        return False
    return user.role is not Role.CHAIR or may_run_meeting(user, meeting)


def may_view_research_return(user: User, research: ResearchReturnScope) -> bool:
    """An agency's own return, once the list is issued, unless the user is excluded from the case."""
    return (
        user.role is Role.AGENCY_REP
        and user.agency_id == research.agency_id
        and research.list_issued
        and not research.excluded
    )


def may_edit_research_return(user: User, research: ResearchReturnScope) -> bool:
    return may_view_research_return(user, research) and research.open_for_research


# Documents


def may_receive_meeting_documents(user: User, meeting: MeetingScope) -> bool:
    """The MARAC list, agenda, minutes and whole action plan: chairs, the coordinator, and the
    representatives of invited agencies (once the exclusion-list check has cleared them)."""
    return user.role in MEETING_WIDE_ROLES or (user.role is Role.AGENCY_REP and meeting.agency_invited)


def may_receive_agency_action_plan(user: User, agency_id: int) -> bool:
    return user.role in MEETING_WIDE_ROLES or (user.role in AGENCY_SCOPED_ROLES and user.agency_id == agency_id)


def may_receive_case_in_documents(user: User, case: CaseScope) -> bool:
    """A meeting's documents carry each of its cases, except to a person an exclusion list names: their
    copies leave that case out (and only that case) until the coordinator releases them. The coordinator
    decides those matches, so is held by none. Administrators and the auditor receive no case at all."""
    if user.role in NO_CASE_ROLES:
        return False
    return not case.excluded or user.role is Role.COORDINATOR


def may_see_draft_minutes(user: User) -> bool:
    return user.role in MEETING_WIDE_ROLES


def may_read_minutes(user: User, minutes: MinutesScope) -> bool:
    """What a meeting minuted about a case, as the minutes go out: chairs and the coordinator once
    they are approved; representatives of the agencies invited to the meeting once they are
    distributed. Practitioners and drafts are left out, as with the minutes document."""
    if user.role in MEETING_WIDE_ROLES:
        return minutes.approved
    return user.role is Role.AGENCY_REP and minutes.meeting.agency_invited and minutes.distributed


# Actions


def may_view_action(user: User, action: ActionScope) -> bool:
    if (action.excluded and user.role is not Role.COORDINATOR) or user.role in NO_CASE_ROLES:
        return False
    if user.role in MEETING_WIDE_ROLES:
        return True
    return user.role in AGENCY_SCOPED_ROLES and user.agency_id == action.owner_agency_id


def may_update_action(user: User, action: ActionScope) -> bool:
    if not may_view_action(user, action):
        return False
    return user.role is Role.COORDINATOR or user.role in AGENCY_SCOPED_ROLES


def may_edit_action(user: User, action: ActionScope) -> bool:
    """Change what was agreed (description, owning agency, named person, due date), with a reason: the
    coordinator, and the chair of the meeting that agreed it, who answer for the action plan. The owning
    agency's staff mark progress (may_update_action) but do not rewrite or hand on what the MARAC agreed."""
    if not may_view_action(user, action):
        return False
    return user.role is Role.COORDINATOR or (user.role is Role.CHAIR and user.id == action.meeting_chair_id)


# The audit trail


def may_run_audit_reports(user: User) -> bool:
    """Who viewed a case, and what a user viewed (SECURITY L8): the auditor and administrators, who see
    identifiers, names of staff and times, never a case's content. Case workers may not: an audit of
    who looked is not for the people being looked at."""
    return user.role in AUDIT_REPORT_ROLES


# Imports


def may_view_import_batch(user: User, batch: ImportBatchScope) -> bool:
    return user.role is Role.COORDINATOR or batch.uploaded_by_id == user.id


# Information governance


def may_view_data_inventory(user: User) -> bool:
    """What the service holds, table by table, and how long it keeps it: the administrator and the coordinator,
    who answer to the data protection officer for it, and the auditor who checks it. It describes the data,
    never any record in it."""
    return user.role in (Role.ADMIN, Role.COORDINATOR, Role.AUDITOR)


# Sessions


@dataclass(frozen=True)
class SessionScope:
    owner_id: int


def may_end_session(user: User, session: SessionScope) -> bool:
    """Your own sessions only (S5); the administrator ends all of one person's at once, from their account."""
    return session.owner_id == user.id


# Retention (SECURITY D5)


def may_review_retention(user: User) -> bool:
    """The coordinator reviews what falls due for anonymisation and sets legal holds; no one else does."""
    return user.role is Role.COORDINATOR


def may_hold_case(user: User, case: CaseScope) -> bool:
    """A legal hold is set or lifted by the coordinator, on a case they may see."""
    return may_review_retention(user) and may_view_case(user, case)


# Subject access requests


def may_handle_subject_access(user: User) -> bool:
    """Recording a subject access request, searching everything held about a person across every case,
    deciding what is disclosed and exporting it: the coordinator alone, who answers for the MARAC's
    records. Nobody else sees what a search finds, since it crosses every case and agency."""
    return user.role is Role.COORDINATOR
