"""The practitioner journey, in plain steps the views call: each returns what the page needs."""

from dataclasses import dataclass
from datetime import date

from flask import current_app, request
from sqlalchemy.exc import IntegrityError

from access import alerts, policy
from access.audit import AuditAction, record_event, record_events
from access.models import AgencyKind, AlertKind, User
from access.policy import CaseScope, PersonScope, SafeContactScope
from cases import store
from cases.models import Case, Incident, PartyRole, Person, Referral, ReferralState, SafeContact, VictimLinkProposal
from extensions import db, utcnow
from risk import store as risk_store
from risk.criteria import INCIDENTS, REPEAT, Decision, evaluate, is_current
from risk.in_force import current_ruleset
from risk.instruments import Pack, get_pack, load_all_packs
from risk.matching import Match, PersonRecord, find_matches
from risk.models import Assessment, AssessmentStatus
from risk.models import Decision as DecisionRow  # beside risk.criteria's Decision, the rules' answer
from risk.schema import RiskResult
from risk.scoring import score, score_stored
from transactions import all_or_nothing

DEFAULT_TOOL_FOR_AGENCY = {AgencyKind.POLICE: "police-dash"}


def tools_in_order(user: User) -> list[Pack]:
    """The agency's usual tool first, then the rest by name."""
    default = DEFAULT_TOOL_FOR_AGENCY.get(user.agency.kind, "dash-ric")
    packs = sorted(load_all_packs().values(), key=lambda pack: pack.name)
    return sorted(packs, key=lambda pack: pack.id != default)


def record_for(person: Person) -> PersonRecord:
    names = (f"{person.given_name} {person.family_name}", *person.aliases)
    dates = tuple(str(day) for day in [person.date_of_birth, *person.date_of_birth_variants] if day)
    return PersonRecord(
        id=person.id, names=names, dates_of_birth=dates, postcodes=(person.postcode,) if person.postcode else ()
    )


def candidate_record(
    record_id: str, given_name: str, family_name: str, date_of_birth: date | None, postcode: str | None
) -> PersonRecord:
    """Someone typed in or read from a file, to compare with the people already known."""
    return PersonRecord(
        id=record_id,
        names=(f"{given_name} {family_name}",),
        dates_of_birth=(date_of_birth.isoformat(),) if date_of_birth else (),
        postcodes=(postcode,) if postcode else (),
    )


def suggest_people(given_name: str, family_name: str, date_of_birth: date | None, postcode: str | None, people=None):
    """Known people who may be this person, best first; pass `people` to reuse one read of them."""
    candidate = candidate_record("new", given_name, family_name, date_of_birth, postcode)
    return people_matching(candidate, store.list_people_for_matching() if people is None else people)


def people_matching(candidate: PersonRecord, people: list[Person]) -> list[tuple[Person, Match]]:
    by_id = {person.id: person for person in people}
    return [
        (by_id[match.person_id], match)
        for match in find_matches(candidate, [record_for(person) for person in by_id.values()])
    ]


def victims_named_like(name: str) -> list[str]:
    """The ids of victims whose name or an alias is like the one typed, best first: the same matching
    that finds repeats, so a misspelling, a swapped name or a married name on record is still found."""
    typed = PersonRecord(id="typed", names=(name,))
    return [person.id for person, _ in people_matching(typed, store.list_victims_for_matching())]


def record_case_view(user: User, case_id: str) -> None:
    record_case_views(user, [case_id])


def listing(user: User, case_ids: list[str], page: str) -> str:
    """A page that lists cases, once each case it shows is in the audit trail (as `case-listed`, kept
    apart from opening one, so a home page of fifty cases does not read as fifty cases opened).
    Recorded in one write after the page is made; if the record cannot be written, the page is not sent."""
    record_events(AuditAction.CASE_LISTED, user=user, object_type="case", object_ids=case_ids)
    return page


def record_case_views(user: User, case_ids: list[str]) -> None:
    """Every look at a case is in the audit trail; changes are recorded by what they change."""
    if request.method == "GET" and case_ids:
        for case_id in case_ids:
            record_event(AuditAction.CASE_VIEWED, user=user, object_type="case", object_id=case_id)
        alerts.check_cases_viewed(user)


@dataclass(frozen=True)
class TypedPerson:
    """A victim as the practitioner typed her when looking for her."""

    given_name: str
    family_name: str
    date_of_birth: date | None
    postcode: str | None


@dataclass(frozen=True)
class PossibleMatch:
    """A known person who may be the one typed, shown with nothing the searcher did not already
    know: their own typed name, and her year of birth at most."""

    person_id: str
    year_of_birth: int | None


def find_possible_matches(user: User, typed: TypedPerson) -> list[PossibleMatch]:
    """Known people like the one typed, best first, less anyone whose case's exclusion list names the
    user. Showing them is a look at their cases, so each of those cases records it in the audit trail."""
    found = [
        person for person, _ in suggest_people(typed.given_name, typed.family_name, typed.date_of_birth, typed.postcode)
    ]
    cases = store.cases_by_victim([person.id for person in found])
    kept_from_user = store.cases_excluding(user, [case_id for case_ids in cases.values() for case_id in case_ids])
    shown = [person for person in found if not kept_from_user.intersection(cases.get(person.id, []))]
    for person in shown:
        for case_id in cases.get(person.id, []):
            record_event(AuditAction.PERSON_MATCH_SHOWN, user=user, object_type="case", object_id=case_id)
    return [PossibleMatch(person.id, person.date_of_birth.year if person.date_of_birth else None) for person in shown]


def start_case_for_new_person(user: User, typed: TypedPerson, *, proposed_victim_id: str | None = None) -> Case:
    """Every new case starts with the victim as typed. Choosing a known person only proposes the
    link: her record, her other cases and her safe contact stay closed until the coordinator confirms."""
    victim = store.create_person(
        given_name=typed.given_name,
        family_name=typed.family_name,
        date_of_birth=typed.date_of_birth,
        postcode=typed.postcode,
        agency_id=user.agency_id,
    )
    case = store.create_case(
        victim=victim, marac_area=current_app.config.get("MARAC_AREA") or "Not set", agency_id=user.agency_id
    )
    record_event(AuditAction.CASE_CREATED, user=user, object_type="case", object_id=case.id)
    if proposed_victim_id is not None:
        case.link_proposal = VictimLinkProposal(person_id=proposed_victim_id, proposed_by_id=user.id)
        for case_id in [case.id, *store.cases_with_victim([proposed_victim_id])]:
            record_event(AuditAction.PERSON_LINK_PROPOSED, user=user, object_type="case", object_id=case_id)
    return case


def link_victim(case: Case, person: Person, *, user: User) -> None:
    """The coordinator confirms the case's victim is a person already known: never automatic."""
    case.victim_id = person.id
    case.link_proposal = None
    db.session.flush()
    for case_id in dict.fromkeys([case.id, *store.cases_with_victim([person.id])]):
        record_event(AuditAction.PERSON_LINK_CONFIRMED, user=user, object_type="case", object_id=case_id)


def confirm_victim_link(case: Case, *, user: User) -> None:
    link_victim(case, case.proposed_victim, user=user)
    record_decision(case, user)


def reject_victim_link(case: Case, *, user: User) -> None:
    case.link_proposal = None
    record_event(AuditAction.PERSON_LINK_REJECTED, user=user, object_type="case", object_id=case.id)


BREAK_GLASS_MESSAGE = "You can read this case for the next hour. The MARAC coordinator has been told, with your reason."


def break_glass(user: User, case_id: str, reason: str) -> tuple[Case, str | None] | None:
    """Opens a case outside the user's work for a short time, for the reason given: a high-severity
    audit event and an alert to the coordinator; returns the case and what to tell the user. None, and
    only the refusal recorded, when the case does not exist or may not be opened this way (an
    exclusion list names the user)."""
    case = store.get_case_by_id(case_id)
    scope = store.case_scope(user, case) if case else None
    if scope is not None and policy.may_view_case(user, scope):
        return case, None  # already theirs to see: nothing to break
    if case is None or not policy.may_break_glass(user, scope):
        record_event(AuditAction.BREAK_GLASS_REFUSED, user=user, object_type="case", object_id=case_id, severity="high")
        return None
    store.add_break_glass_grant(case, user, reason, current_app.config["BREAK_GLASS_DURATION"])
    record_event(AuditAction.BREAK_GLASS_USED, user=user, object_type="case", object_id=case.id, severity="high")
    alerts.raise_alert(AlertKind.BREAK_GLASS, user, object_type="case", object_id=case.id)
    alerts.check_break_glass_uses(user, store.count_break_glass_since(user, utcnow() - alerts.DAY))
    return case, BREAK_GLASS_MESSAGE


def may_edit_person(user: User, scope: CaseScope, person: Person) -> bool:
    return policy.may_edit_person(
        user, scope, PersonScope(person.created_by_agency_id, store.count_cases_naming(person.id))
    )


def people_editable_by(user: User, case: Case, scope: CaseScope) -> set[str]:
    people = [case.victim, *(party.person for party in case.parties)]
    return {person.id for person in people if may_edit_person(user, scope, person)}


def visible_safe_contacts(user: User, case: Case, scope: CaseScope) -> list[SafeContact]:
    return [
        contact
        for contact in store.list_safe_contacts(case)
        if policy.may_view_safe_contact(user, SafeContactScope(scope, contact.agency_id))
    ]


def record_safe_contact_view(user: User, case: Case) -> None:
    """Under the case the details belong to, whether or not any were recorded yet."""
    record_event(AuditAction.SAFE_CONTACT_VIEWED, user=user, object_type="case", object_id=case.id)


def save_safe_contact(
    case: Case, user: User, *, phone: str | None, safe_to_call: bool, safe_address: str | None
) -> None:
    store.save_safe_contact(case, user, phone=phone, safe_to_call=safe_to_call, safe_address=safe_address)
    record_event(AuditAction.SAFE_CONTACT_CHANGED, user=user, object_type="case", object_id=case.id)


def add_party(
    case: Case, user: User, *, given_name: str, family_name: str, date_of_birth: date | None, role: PartyRole
) -> Person:
    person = store.create_person(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=None,
        agency_id=user.agency_id,
    )
    store.add_party(case, person, role)
    record_event(AuditAction.PARTY_ADDED, user=user, object_type="case", object_id=case.id)
    return person


def record_incident(
    case: Case,
    user: User,
    *,
    occurred_on: date,
    type: str,
    agency_id: int,
    reference: str | None,
    perpetrator_id: str | None,
) -> Referral | None:
    """Records the incident and what the rules now make of the case; returns the referral made when the
    incident makes the case a repeat."""
    incident = store.add_incident(
        case,
        occurred_on=occurred_on,
        type=type,
        agency_id=agency_id,
        reference=reference,
        recorded_by=user,
        perpetrator_id=perpetrator_id,
    )
    record_event(AuditAction.INCIDENT_RECORDED, user=user, object_type="case", object_id=case.id)
    record_decision(case, user)
    return return_as_repeat(case, incident, user=user)


def start_assessment(
    case: Case, user: User, *, tool_id: str, assessed_on: date, source_if_not_victim: str | None
) -> Assessment:
    assessment = risk_store.create_assessment(case_id=case.id, tool_id=tool_id, assessor=user, assessed_on=assessed_on)
    assessment.source_if_not_victim = source_if_not_victim
    return assessment


def record_judgement(case: Case, user: User, *, tier: int, rationale: str) -> None:
    """A professional judgement can raise the tier the rules see, never lower it; the decision is kept again."""
    risk_store.add_judgement(case.id, tier=tier, rationale=rationale, author=user)
    record_event(AuditAction.JUDGEMENT_RECORDED, user=user, object_type="case", object_id=case.id)
    record_decision(case, user)


def save_answers(
    assessment: Assessment,
    pack: Pack,
    *,
    answers: dict[str, str],
    comments: dict[str, str],
    complete: bool,
    user: User,
) -> None:
    """Keeps every answer and comment given, exactly as entered; a completed assessment also keeps its result."""
    assessment.answers = {item.id: answers[item.id] for item in pack.items if answers.get(item.id)}
    assessment.comments = {item.id: comments[item.id] for item in pack.items if comments.get(item.id)}
    if complete:
        assessment.result = score(pack, assessment.answers)
        assessment.status = AssessmentStatus.COMPLETE
    action = AuditAction.ASSESSMENT_COMPLETED if complete else AuditAction.ASSESSMENT_SAVED
    record_event(action, user=user, object_type="assessment", object_id=assessment.id)
    if complete:
        db.session.flush()
        record_decision(store.get_case_by_id(assessment.case_id), user)


def current_decision(case: Case, today: date) -> Decision:
    return evaluate(store.case_facts(case, today), current_ruleset())


@dataclass(frozen=True)
class CaseRisk:
    """What the rules make of a case today, with each completed assessment's result by today's packs."""

    decision: Decision
    results: dict[str, RiskResult]
    not_current: frozenset[str]


def case_risk(case: Case, today: date) -> CaseRisk:
    facts, rules = store.case_facts(case, today), current_ruleset()
    return CaseRisk(
        decision=evaluate(facts, rules),
        results={assessment.ref: assessment.result for assessment in facts.assessments},
        not_current=frozenset(
            assessment.ref for assessment in facts.assessments if not is_current(assessment, facts, rules)
        ),
    )


def record_decision(case: Case, user: User) -> DecisionRow:
    """Kept whenever the facts change, so the history shows what the rules said at each point."""
    row = risk_store.save_decision(case.id, current_decision(case, date.today()), evaluated_by=user, today=date.today())
    record_event(AuditAction.DECISION_MADE, user=user, object_type="case", object_id=case.id)
    return row


def result_for(assessment: Assessment):
    return score_stored(get_pack(assessment.tool_id), assessment.answers)


@dataclass(frozen=True)
class ReferralDetails:
    """What the referrer says about one referral. The key is the form's own, so a form sent twice is one referral."""

    idempotency_key: str
    victim_informed: bool
    consent_given: bool
    no_consent_reason: str | None
    excluded_people: tuple[tuple[str, str | None], ...]  # (name, note)


@dataclass(frozen=True)
class ReferralStatus:
    """Where the case's latest referral stands, for the case page."""

    referral: Referral
    is_open: bool
    reason_it_ended: str | None  # why it was declined or withdrawn, only for those the policy lets see it
    may_withdraw: bool


ENDED_WITH_A_REASON = (ReferralState.DECLINED, ReferralState.WITHDRAWN)


def referral_scope(user: User, referral: Referral, scope: CaseScope) -> policy.ReferralScope:
    return policy.ReferralScope(
        case=scope,
        made_by_user=referral.referrer_id == user.id,
        awaiting_triage=referral.state is ReferralState.RECEIVED,
    )


def referral_status(user: User, case: Case, scope: CaseScope) -> ReferralStatus | None:
    referral = store.latest_referral(case)
    if referral is None:
        return None
    may_see_reason = referral.state in ENDED_WITH_A_REASON and policy.may_see_why_a_referral_ended(user, scope)
    return ReferralStatus(
        referral=referral,
        is_open=referral.state in store.OPEN_REFERRAL_STATES,
        reason_it_ended=referral.state_reason if may_see_reason else None,
        may_withdraw=policy.may_withdraw_referral(user, referral_scope(user, referral, scope)),
    )


def withdraw_referral(referral: Referral, *, reason: str, user: User) -> None:
    """It leaves the referral queue; the case may be referred again."""
    referral.state = ReferralState.WITHDRAWN
    referral.state_reason = reason
    record_event(AuditAction.REFERRAL_WITHDRAWN, user=user, object_type="referral", object_id=referral.id)


def open_referral(case: Case) -> Referral | None:
    referral = store.latest_referral(case)
    return referral if referral is not None and referral.state in store.OPEN_REFERRAL_STATES else None


def refer(case: Case, decision: Decision, details: ReferralDetails, *, user: User) -> Referral:
    """One referral per form, however often it is sent: a repeat of the same form returns the first."""
    key = details.idempotency_key
    existing = store.get_referral_by_key(key)
    if existing is not None:
        return existing
    try:
        # Sent twice at once, both may get here: the unique key refuses the second, whose savepoint
        # is undone, and it returns the first one's referral.
        with all_or_nothing():
            referral = make_referral(case, decision, details, user=user)
    except IntegrityError:
        return store.get_referral_by_key(key)
    return referral


def make_referral(case: Case, decision: Decision, details: ReferralDetails, *, user: User) -> Referral:
    decision_row = risk_store.save_decision(case.id, decision, evaluated_by=user, today=date.today())
    referral = store.create_referral(
        case,
        decision_row,
        referrer=user,
        victim_informed=details.victim_informed,
        consent_given=details.consent_given,
        no_consent_reason=None if details.consent_given else details.no_consent_reason,
        idempotency_key=details.idempotency_key,
    )
    case.repeat_watch_ends = decision.repeat_watch_ends
    record_event(AuditAction.DECISION_MADE, user=user, object_type="case", object_id=case.id)
    record_event(AuditAction.REFERRAL_MADE, user=user, object_type="referral", object_id=referral.id)
    record_exclusions(case, list(details.excluded_people), user=user)
    return referral


def record_exclusions(case: Case, entries: list[tuple[str, str | None]], *, user: User) -> None:
    """The names are sensitive: the audit trail says only that the case's list changed."""
    if store.add_excluded_people(case, entries, recorded_by=user):
        record_event(AuditAction.EXCLUSION_RECORDED, user=user, object_type="case", object_id=case.id)


REPEAT_REASON = (
    "Returned to the MARAC queue automatically as a repeat: further abuse between the same victim and perpetrator "
    "after a referral taken to MARAC, within the rule set's repeat window, is referred back whatever the risk level."
)


def made_a_repeat(decision: Decision, incident: Incident) -> bool:
    """Whether the rules' one repeat rule counted this incident."""
    return any(
        item.kind == INCIDENTS and item.ref == str(incident.id)
        for criterion in decision.criteria
        if criterion.code == REPEAT
        for item in criterion.evidence
    )


def return_as_repeat(case: Case, incident: Incident, *, user: User) -> Referral | None:
    """Puts the case back in the coordinator's queue after a repeat incident, unless a referral is already open."""
    decision = current_decision(case, date.today())
    if not made_a_repeat(decision, incident) or store.has_open_referral(store.related_case_ids(case)):
        return None
    decision_row = risk_store.save_decision(case.id, decision, evaluated_by=user, today=date.today())
    referral = store.create_referral(
        case,
        decision_row,
        referrer=user,
        victim_informed=False,
        consent_given=False,
        no_consent_reason=REPEAT_REASON,
        idempotency_key=f"repeat-incident-{incident.id}",
    )
    referral.state_reason = REPEAT_REASON
    case.repeat_watch_ends = decision.repeat_watch_ends
    record_event(AuditAction.REFERRAL_RETURNED_AS_REPEAT, user=user, object_type="referral", object_id=referral.id)
    return referral


def split_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def person_form_data(person: Person) -> dict:
    return {
        "aliases": ", ".join(person.aliases),
        "date_of_birth_variants": ", ".join(person.date_of_birth_variants),
        "gender": person.gender or "",
        "ethnicity": person.ethnicity or "",
        "disability": person.disability or "",
        "sexuality": person.sexuality or "",
        "language": person.language or "",
        "interpreter_needed": "yes" if person.interpreter_needed else "no",
    }


@dataclass(frozen=True)
class PersonDetails:
    """A person's details beyond the name and date of birth, as the practitioner gave them."""

    aliases: tuple[str, ...]
    date_of_birth_variants: tuple[str, ...]
    gender: str | None
    ethnicity: str | None
    disability: str | None
    sexuality: str | None
    language: str | None
    interpreter_needed: bool


def save_person_details(person: Person, details: PersonDetails, *, user: User, case: Case) -> None:
    person.aliases = list(details.aliases)
    person.date_of_birth_variants = list(details.date_of_birth_variants)
    for name in ("gender", "ethnicity", "disability", "sexuality", "language"):
        setattr(person, name, getattr(details, name) or None)
    person.interpreter_needed = details.interpreter_needed
    record_event(AuditAction.PERSON_CHANGED, user=user, object_type="case", object_id=case.id)
