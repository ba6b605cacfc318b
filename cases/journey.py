"""The practitioner journey, in plain steps the views call: each returns what the page needs."""

from dataclasses import dataclass
from datetime import date

from flask import current_app, request
from sqlalchemy.exc import IntegrityError

from access import alerts, policy
from access import store as access_store
from access.audit import AuditAction, record_event, record_events
from access.models import AgencyKind, AlertKind, User
from access.policy import CaseScope, PersonScope, SafeContactScope
from cases import notices, store
from cases.models import (
    Case,
    Incident,
    PartyRole,
    Person,
    Referral,
    ReferralState,
    SafeContact,
    VictimLinkProposal,
)
from extensions import db, utcnow
from risk import store as risk_store
from risk.criteria import INCIDENTS, REPEAT, Decision, evaluate, is_current
from risk.in_force import current_ruleset
from risk.instruments import Pack, get_pack, load_all_packs
from risk.matching import Match, PersonRecord, find_matches, search_keys
from risk.models import Assessment, AssessmentStatus
from risk.models import Decision as DecisionRow  # beside risk.criteria's Decision, the rules' answer
from risk.schema import RiskResult, Tier
from risk.scoring import score, score_stored
from transactions import all_or_nothing

DEFAULT_TOOL_FOR_AGENCY = {AgencyKind.POLICE: "police-dash"}


def tools_in_order(user: User) -> list[Pack]:
    """The agency's usual tool first, then the rest by name."""
    default = DEFAULT_TOOL_FOR_AGENCY.get(user.agency.kind, "dash-ric")
    packs = sorted(load_all_packs().values(), key=lambda pack: pack.name)
    return sorted(packs, key=lambda pack: pack.id != default)


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


def suggest_people(given_name: str, family_name: str, date_of_birth: date | None, postcode: str | None):
    """Known people who may be this person, best first."""
    candidate = candidate_record("new", given_name, family_name, date_of_birth, postcode)
    return people_suggested(candidate, store.match_records_sharing_keys(search_keys(candidate)))


def suggestions_for_each(candidates: list[PersonRecord]) -> dict[str, list[tuple[Person, Match]]]:
    """Record id -> the known people who may be that person, best first: the same as suggest_people for
    each, with the people for all of them read in one go, as the matcher reads them; only those suggested are
    read whole."""
    matches = matches_for_each(candidates)
    people = store.people_with_ids(match.person_id for found in matches.values() for match in found)
    return {record_id: [(people[match.person_id], match) for match in found] for record_id, found in matches.items()}


def matches_for_each(candidates: list[PersonRecord]) -> dict[str, list[Match]]:
    """Record id -> the matches of the known people who may be that person, best first (suggestions_for_each
    without reading anyone whole: for a list that shows only how many there are)."""
    wanted = {candidate.id: search_keys(candidate) for candidate in candidates}
    by_key = store.match_records_by_key(set().union(*wanted.values()))
    return {
        candidate.id: find_matches(
            candidate, {record.id: record for key in wanted[candidate.id] for record in by_key.get(key, [])}.values()
        )
        for candidate in candidates
    }


def people_suggested(candidate: PersonRecord, records: list[PersonRecord]) -> list[tuple[Person, Match]]:
    """The known people who may be the candidate, best first, from records read for the matcher
    (store.match_records_sharing_keys): only the few people suggested are read whole."""
    matches = find_matches(candidate, records)
    people = store.people_with_ids(match.person_id for match in matches)
    return [(people[match.person_id], match) for match in matches]


def victims_named_like(name: str) -> list[str]:
    """The ids of victims whose name or an alias is like the one typed, best first: the same matching
    that finds repeats, so a misspelling, a swapped name or a married name on record is still found."""
    typed = PersonRecord(id="typed", names=(name,))
    victims = store.match_records_sharing_keys(search_keys(typed), victims_only=True)
    return [match.person_id for match in find_matches(typed, victims)]


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
        record_events(AuditAction.CASE_VIEWED, user=user, object_type="case", object_ids=case_ids)
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


def possible_match(person: Person) -> PossibleMatch:
    return PossibleMatch(person.id, person.date_of_birth.year if person.date_of_birth else None)


def find_possible_matches(user: User, typed: TypedPerson) -> list[PossibleMatch]:
    """Known people like the one typed, best first, as the user may be shown them (matches_shown_to)."""
    found = [
        person for person, _ in suggest_people(typed.given_name, typed.family_name, typed.date_of_birth, typed.postcode)
    ]
    return [possible_match(person) for person in matches_shown_to(user, {"typed": found})["typed"]]


def matches_shown_to(user: User, found: dict[str, list[Person]], most: int | None = None) -> dict[str, list[Person]]:
    """Record id -> the known people the user may be shown as possibly that person, best first, at most `most`
    each: less anyone whose case's exclusion list names the user, so she is neither shown nor hinted at.
    Showing them is a look at their cases, so each of those cases records it in the audit trail."""
    shown = matches_for(user, found, most)
    record_matches_shown(user, shown.case_ids)
    return shown.people


@dataclass(frozen=True)
class ShownMatches:
    people: dict[str, list[Person]]  # record id -> the people the user may be shown, best first
    case_ids: list[str]  # their cases, each of which records the look


def matches_for(user: User, found: dict[str, list[Person]], most: int | None = None) -> ShownMatches:
    """matches_shown_to's reading alone, for work that reads first and writes after (a large import's check)."""
    cases = cases_of_people({person.id for people in found.values() for person in people})
    kept = people_kept_from(user, cases)
    shown = {
        record_id: [person for person in people if person.id not in kept][:most] for record_id, people in found.items()
    }
    shown_ids = dict.fromkeys(person.id for people in shown.values() for person in people)
    return ShownMatches(shown, [case_id for person_id in shown_ids for case_id in cases.get(person_id, [])])


def record_matches_shown(user: User, case_ids: list[str]) -> None:
    record_events(AuditAction.PERSON_MATCH_SHOWN, user=user, object_type="case", object_ids=case_ids)


PEOPLE_PER_QUERY = 1000


def cases_of_people(person_ids: set[str]) -> dict[str, list[str]]:
    """Person id -> the cases she is the victim in: a query per thousand people (a file can match thousands)."""
    ids, cases = sorted(person_ids), {}
    for start in range(0, len(ids), PEOPLE_PER_QUERY):
        cases |= store.cases_by_victim(ids[start : start + PEOPLE_PER_QUERY])
    return cases


def people_kept_from(user: User, cases: dict[str, list[str]]) -> set[str]:
    """The people with a case whose exclusion list names the user (store.cases_excluding)."""
    people = list(cases.items())
    kept = set()
    for start in range(0, len(people), PEOPLE_PER_QUERY):
        chunk = people[start : start + PEOPLE_PER_QUERY]
        excluded = store.cases_excluding(user, [case_id for _, case_ids in chunk for case_id in case_ids])
        kept |= {person_id for person_id, case_ids in chunk if excluded.intersection(case_ids)}
    return kept


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
    return people_editable(user, scope, [person]) == {person.id}


def people_editable_by(user: User, case: Case, scope: CaseScope) -> set[str]:
    return people_editable(user, scope, [case.victim, *(party.person for party in case.parties)])


def people_editable(user: User, scope: CaseScope, people: list[Person]) -> set[str]:
    """Of these people on one case, those this user may edit: how many cases name each, in one query."""
    naming = store.count_cases_naming([person.id for person in people])
    return {
        person.id
        for person in people
        if policy.may_edit_person(user, scope, PersonScope(person.created_by_agency_id, naming[person.id]))
    }


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


@dataclass(frozen=True)
class NewParty:
    """A person causing harm, a child or another member of the household, as the practitioner typed them."""

    role: PartyRole
    given_name: str
    family_name: str
    date_of_birth: date | None
    aliases: tuple[str, ...] = ()
    relationship_to_victim: str | None = None


def add_party(case: Case, user: User, party: NewParty) -> Person:
    person = store.create_person(
        given_name=party.given_name,
        family_name=party.family_name,
        date_of_birth=party.date_of_birth,
        postcode=None,
        agency_id=user.agency_id,
        aliases=list(party.aliases),
    )
    store.add_party(case, person, party.role, party.relationship_to_victim or None)
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
    assessment.answers = given(pack, answers)
    assessment.comments = given(pack, comments)
    if complete:
        assessment.result = score(pack, assessment.answers)
        assessment.status = AssessmentStatus.COMPLETE
    action = AuditAction.ASSESSMENT_COMPLETED if complete else AuditAction.ASSESSMENT_SAVED
    record_event(action, user=user, object_type="assessment", object_id=assessment.id)
    if complete:
        db.session.flush()
        record_decision(store.get_case_by_id(assessment.case_id), user)


def given(pack: Pack, values: dict[str, str]) -> dict[str, str]:
    """The items answered (or commented on), in the pack's order; a blank is no answer."""
    return {item.id: values[item.id] for item in pack.items if values.get(item.id)}


@dataclass(frozen=True)
class AnsweredItem:
    """One item of a tool as the result page shows it: the tool's number, its short label, the answer in words."""

    number: str | None
    label: str
    answer: str
    comment: str | None


def answered_items(assessment: Assessment, pack: Pack) -> list[AnsweredItem]:
    return [
        AnsweredItem(
            item.number,
            item.label,
            item.answer_label(assessment.answers.get(item.id)),
            assessment.comments.get(item.id),
        )
        for item in pack.items
    ]


@dataclass(frozen=True)
class AssessmentVersions:
    """Where one assessment stands among the versions its answers have been through."""

    earlier: Assessment | None
    later: Assessment | None
    latest: Assessment


def assessment_versions(assessment: Assessment) -> AssessmentVersions:
    later = risk_store.get_next_version(assessment.id)
    return AssessmentVersions(earlier=assessment.supersedes, later=later, latest=latest_version(assessment))


def latest_version(assessment: Assessment) -> Assessment:
    while (later := risk_store.get_next_version(assessment.id)) is not None:
        assessment = later
    return assessment


def later_versions(assessments: list[Assessment]) -> dict[str, Assessment]:
    """For each replaced assessment in the list, the version that replaced it."""
    return {assessment.supersedes_id: assessment for assessment in assessments if assessment.supersedes_id}


@dataclass(frozen=True)
class AnswerChange:
    """New answers for a completed assessment, why they change, and the change form's one-time key."""

    change_key: str
    answers: dict[str, str]
    comments: dict[str, str]
    reason: str


@dataclass(frozen=True)
class TierDrop:
    """The new answers give a lower tier than the version they change (None: no tier at all)."""

    before: Tier
    after: Tier | None

    @property
    def acceptance(self) -> str:
        """What the form sends back once the person has seen this drop and saves anyway."""
        return f"lower-to-{int(self.after or 0)}"


class ChangedMeanwhile(Exception):
    """Another version replaced the assessment after the form was opened; nothing was saved."""

    def __init__(self, latest: Assessment):
        super().__init__("The assessment has a later version.")
        self.latest = latest


def tier_drop(assessment: Assessment, pack: Pack, answers: dict[str, str]) -> TierDrop | None:
    before, after = result_for(assessment).tier, score(pack, given(pack, answers)).tier
    if before is None or (after or 0) >= before:
        return None
    return TierDrop(before, after)


def change_answers(assessment: Assessment, pack: Pack, change: AnswerChange, *, user: User) -> Assessment:
    """A new version of a completed assessment, scored, with the case's decision made again; the earlier
    version stays as it was, and so does any referral made on it. The same form sent twice makes one version.
    Raises ChangedMeanwhile, with nothing saved, when another version replaced this one first."""
    made = made_by_this_form(assessment, change.change_key)
    if made is not None:
        return made
    later = risk_store.get_next_version(assessment.id)
    if later is not None:
        raise ChangedMeanwhile(latest_version(later))
    answers = given(pack, change.answers)
    try:
        # Sent twice at once, or changed by two people at once: the unique keys refuse the second.
        with all_or_nothing():
            version = risk_store.create_later_version(
                assessment,
                tool_version=pack.version,
                answers=answers,
                comments=given(pack, change.comments),
                result=score(pack, answers),
                changed_by=user,
                reason=change.reason,
                change_key=change.change_key,
            )
    except IntegrityError:
        made = made_by_this_form(assessment, change.change_key)
        if made is not None:
            return made
        raise ChangedMeanwhile(latest_version(assessment)) from None
    record_event(AuditAction.ASSESSMENT_CHANGED, user=user, object_type="assessment", object_id=version.id)
    record_decision(store.get_case_by_id(assessment.case_id), user)
    return version


def made_by_this_form(assessment: Assessment, change_key: str) -> Assessment | None:
    made = risk_store.get_assessment_by_change_key(change_key)
    return made if made is not None and made.supersedes_id == assessment.id else None


def current_decision(case: Case, today: date) -> Decision:
    return evaluate(store.case_facts(case, today), current_ruleset())


@dataclass(frozen=True)
class CaseRisk:
    """What the rules make of a case today, with each completed assessment's result by today's packs."""

    decision: Decision
    results: dict[str, RiskResult]
    not_current: frozenset[str]


def case_risk(case: Case, today: date, records: store.CaseRecords | None = None) -> CaseRisk:
    """`records`: the case's rows as the case page has read them already (read here if not given)."""
    facts, rules = store.case_facts(case, today, records), current_ruleset()
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
class VictimDetails:
    """Her identifiers and diversity details as the referral form gives them."""

    person: "PersonDetails"
    address: str | None
    postcode: str | None


@dataclass(frozen=True)
class ReferralDetails:
    """What the referrer says about one referral. The key is the form's own, so a form sent twice is one referral."""

    idempotency_key: str
    victim_informed: bool
    consent_given: bool
    no_consent_reason: str | None
    excluded_people: tuple[tuple[str, str | None], ...]  # (name, note)
    risk_summary: str = ""
    victim_wants: str = ""
    referrer_phone: str | None = None
    referrer_email: str | None = None
    other_agency_ids: tuple[int, ...] = ()
    other_agencies_note: str | None = None
    perpetrator_not_known: bool = False
    relationships: tuple[tuple[int, str | None], ...] = ()  # (case party id, relationship to her)
    victim: VictimDetails | None = None  # None where this referrer may not change her record
    new_party: NewParty | None = None

    @property
    def referral_fields(self) -> dict:
        """The columns of the referral itself."""
        return {
            "victim_informed": self.victim_informed,
            "consent_given": self.consent_given,
            "no_consent_reason": None if self.consent_given else self.no_consent_reason,
            "risk_summary": self.risk_summary,
            "victim_wants": self.victim_wants,
            "referrer_phone": self.referrer_phone,
            "referrer_email": self.referrer_email,
            "other_agency_ids": sorted(set(self.other_agency_ids)),
            "other_agencies_note": self.other_agencies_note or None,
            "perpetrator_not_known": self.perpetrator_not_known,
        }


def names_a_perpetrator_or_says_none_can_be(case: Case, details: ReferralDetails) -> bool:
    """Agencies research the people a referral names: "none recorded" must be the referrer's choice."""
    adding_one = details.new_party is not None and details.new_party.role is PartyRole.PERPETRATOR
    return details.perpetrator_not_known or adding_one or bool(store.perpetrator_ids(case))


@dataclass(frozen=True)
class ReferralStatus:
    """Where the case's latest referral stands, for the case page."""

    referral: Referral
    is_open: bool
    reason_it_ended: str | None  # why it was declined or withdrawn, only for those the policy lets see it
    may_withdraw: bool
    heard_and_nothing_new: bool = False  # heard, and no assessment, judgement or incident recorded since


ENDED_WITH_A_REASON = (ReferralState.DECLINED, ReferralState.WITHDRAWN)


def referral_scope(user: User, referral: Referral, scope: CaseScope) -> policy.ReferralScope:
    return policy.ReferralScope(
        case=scope,
        made_by_user=referral.referrer_id == user.id,
        awaiting_triage=referral.state is ReferralState.RECEIVED,
    )


def referral_status(
    user: User, case: Case, scope: CaseScope, records: store.CaseRecords | None = None
) -> ReferralStatus | None:
    records = records or store.CaseRecords(case)
    referral = records.latest_referral
    if referral is None:
        return None
    may_see_reason = referral.state in ENDED_WITH_A_REASON and policy.may_see_why_a_referral_ended(user, scope)
    return ReferralStatus(
        referral=referral,
        is_open=referral.state in store.OPEN_REFERRAL_STATES,
        reason_it_ended=referral.state_reason if may_see_reason else None,
        may_withdraw=policy.may_withdraw_referral(user, referral_scope(user, referral, scope)),
        heard_and_nothing_new=heard_and_nothing_new_since(case, referral, records),
    )


def heard_and_nothing_new_since(case: Case, referral: Referral, records: store.CaseRecords | None = None) -> bool:
    """The MARAC has heard what the case holds: referring it again waits for something new (and a new
    incident within the repeat window sends it back by itself)."""
    if referral.state not in (ReferralState.HEARD, ReferralState.CLOSED):
        return False
    last = (records or store.CaseRecords(case)).last_recorded_evidence
    return last is None or last <= referral.received_at


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
    record_case_details(case, details, user=user)
    decision_row = risk_store.save_decision(case.id, decision, evaluated_by=user, today=date.today())
    referral = store.create_referral(
        case, decision_row, referrer=user, idempotency_key=details.idempotency_key, **details.referral_fields
    )
    case.repeat_watch_ends = decision.repeat_watch_ends
    record_event(AuditAction.DECISION_MADE, user=user, object_type="case", object_id=case.id)
    record_event(AuditAction.REFERRAL_MADE, user=user, object_type="referral", object_id=referral.id)
    record_exclusions(case, list(details.excluded_people), user=user)
    store.delete_referral_draft(case, user)
    notices.referral_received(referral)
    return referral


def record_case_details(case: Case, details: ReferralDetails, *, user: User) -> None:
    """What the form says about the people, which belongs to the case rather than to the referral."""
    if details.victim is not None:
        save_victim_details(case, details.victim, user=user)
    if details.new_party is not None:
        add_party(case, user, details.new_party)
    parties = {party.id: party for party in case.parties}
    for party_id, relationship in details.relationships:
        if party_id in parties:
            parties[party_id].relationship_to_victim = relationship or None


def save_victim_details(case: Case, victim: VictimDetails, *, user: User) -> None:
    save_person_details(case.victim, victim.person, user=user, case=case)
    case.victim.address = victim.address or None
    case.victim.postcode = (victim.postcode or "").upper() or case.victim.postcode


class ReferralMovedOn(Exception):
    """The coordinator took the referral on (or it was withdrawn) since the form was opened."""


def correct_referral(referral: Referral, details: ReferralDetails, *, version: int, user: User) -> None:
    """Before triage the referrer (or the coordinator) puts right what the referral says. Once the
    coordinator has looked at it, corrections go to the coordinator instead: the form is refused."""
    if referral.state is not ReferralState.RECEIVED or referral.version_id != version:
        raise ReferralMovedOn
    case = referral.case
    record_case_details(case, details, user=user)
    for name, value in details.referral_fields.items():
        setattr(referral, name, value)
    referral.perpetrator_ids = sorted(store.perpetrator_ids(case))
    referral.corrected_at = utcnow()
    record_exclusions(case, list(details.excluded_people), user=user)
    record_event(AuditAction.REFERRAL_CORRECTED, user=user, object_type="referral", object_id=referral.id)


def save_referral_draft(case: Case, user: User, fields: dict[str, list[str]]):
    return store.save_referral_draft(case, user, fields)


def referral_draft(case: Case, user: User):
    return store.get_referral_draft(case, user)


def referral_form_data(case: Case, user: User) -> dict:
    """A new referral starts from what the case holds and what this referrer gave last time."""
    last = store.latest_referral(case)
    return {
        "referrer_email": user.email,
        "referrer_phone": store.latest_phone_of(user) or "",
        "other_agency_ids": list(last.other_agency_ids or []) if last else [],
        "other_agencies_note": last.other_agencies_note if last else "",
    }


def referral_data(referral: Referral) -> dict:
    """The form as the referral was sent, to correct it."""
    return {
        "idempotency_key": referral.idempotency_key,
        "perpetrator_not_known": referral.perpetrator_not_known,
        "risk_summary": referral.risk_summary or "",
        "victim_wants": referral.victim_wants or "",
        "victim_informed": "yes" if referral.victim_informed else "no",
        "consent_given": "yes" if referral.consent_given else "no",
        "no_consent_reason": referral.no_consent_reason or "",
        "referrer_phone": referral.referrer_phone or "",
        "referrer_email": referral.referrer_email or "",
        "other_agency_ids": list(referral.other_agency_ids or []),
        "other_agencies_note": referral.other_agencies_note or "",
    }


def other_agency_names(referral: Referral) -> list[str]:
    names = {agency.id: agency.name for agency in access_store.list_agencies()}
    return [names[agency_id] for agency_id in referral.other_agency_ids or [] if agency_id in names]


def victim_form_data(person: Person) -> dict:
    return person_form_data(person) | {"address": person.address or "", "postcode": person.postcode or ""}


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
