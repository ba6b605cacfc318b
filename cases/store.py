"""Every query the cases package makes, as a named function, and the facts the policy needs about a case."""

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from functools import cache, cached_property
from typing import TypeVar

from flask import current_app
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    Text,
    any_,
    bindparam,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from access import policy
from access.models import Agency, AgencyKind, User
from access.policy import CaseScope
from access.request_memo import remembered
from cases.models import (
    BreakGlassGrant,
    Case,
    CaseParty,
    CaseReferenceCounter,
    ClearanceDecision,
    DistributionClearance,
    ExcludedPerson,
    Incident,
    PartyRole,
    Person,
    PersonMatchKey,
    Referral,
    ReferralDraft,
    ReferralState,
    SafeContact,
    record_of_columns,
)
from cases.vocabulary import format_reference, normalise_reference
from extensions import db, on_postgresql, utcnow
from risk import store as risk_store
from risk.criteria import (
    AssessmentFacts,
    CaseFacts,
    IncidentFacts,
    JudgementFacts,
    ReferralFacts,
    Victim,
)
from risk.instruments import get_pack
from risk.matching import PersonRecord, near_match
from risk.models import Assessment, AssessmentStatus, Decision, ProfessionalJudgement
from risk.schema import RiskResult, Tier
from risk.scoring import score_stored
from transactions import all_or_nothing

TAKEN_TO_MARAC = (ReferralState.ACCEPTED, ReferralState.SCHEDULED, ReferralState.HEARD, ReferralState.CLOSED)
OPEN_REFERRAL_STATES = (ReferralState.RECEIVED, ReferralState.ACCEPTED, ReferralState.SCHEDULED)
CASE_LIST_READ_AHEAD = 4
T = TypeVar("T")


# What the policy needs to know about a case


def involved_agencies(case_ids: list[str]) -> dict[str, dict[int, bool]]:
    """For each case, the agencies that opened it, assessed, reported an incident or referred, each with whether
    it is an IDVA service: one statement (on SQLite, one per thousand cases), the kinds read with the involvement
    rather than after it."""
    agencies: dict[str, dict[int, bool]] = {case_id: {} for case_id in case_ids}
    for batch in in_batches(case_ids):
        for case_id, agency_id, is_idva in db.session.execute(involvement_query(on_postgresql()), {"ids": batch}):
            agencies[case_id][agency_id] = bool(is_idva)
    return agencies


@cache
def involvement_query(postgresql: bool) -> Select:
    """Built once for each kind of database (is_one_of differs). The policy asks it on nearly every page, and
    building and keying a four-part union each time cost more than running it: under the load bench, about a
    twelfth of the app's own time (issue 20)."""
    involvement = union_all(
        select(Case.id.label("case_id"), Case.created_by_agency_id.label("agency_id")).where(is_one_of(Case.id, "ids")),
        select(Assessment.case_id, Assessment.agency_id).where(is_one_of(Assessment.case_id, "ids")),
        select(Incident.case_id, Incident.reporting_agency_id).where(is_one_of(Incident.case_id, "ids")),
        select(Referral.case_id, Referral.agency_id).where(is_one_of(Referral.case_id, "ids")),
    ).subquery()
    return select(
        involvement.c.case_id, involvement.c.agency_id, (Agency.kind == AgencyKind.IDVA).label("is_idva")
    ).outerjoin(Agency, Agency.id == involvement.c.agency_id)


def cases_excluding(user: User, case_ids: list[str] | Select) -> set[str]:
    """The cases whose exclusion list names someone like this user (matched as the distribution check
    matches), unless the coordinator released the match. A withheld match stays excluded. Cases named in a list
    are read once per request (access.request_memo): an action's page asks of its case when loading the action
    and again for what it may offer."""
    if isinstance(case_ids, Select):
        return read_cases_excluding(user, case_ids)
    if not case_ids:
        return set()
    key = ("cases excluding", user.id, user.name, frozenset(case_ids))
    return set(remembered(key, lambda: frozenset(read_cases_excluding(user, case_ids))))


def any_exclusion_list_among(case_ids: Select) -> ColumnElement[bool]:
    """Whether any of these cases has an exclusion list, as a question to ask with another query."""
    return exists().where(ExcludedPerson.case_id.in_(case_ids))


def read_cases_excluding(user: User, case_ids: list[str] | Select) -> set[str]:
    entries = list(db.session.scalars(select(ExcludedPerson).where(ExcludedPerson.case_id.in_(case_ids))))
    if not entries:
        return set()
    decisions = select(DistributionClearance.excluded_person_id, DistributionClearance.decision).where(
        DistributionClearance.user_id == user.id,
        DistributionClearance.excluded_person_id.in_([entry.id for entry in entries]),
    )
    withheld, released = set(), set()
    for entry_id, decision in db.session.execute(decisions):
        (released if decision is ClearanceDecision.RELEASE else withheld).add(entry_id)
    cleared = released - withheld
    return {entry.case_id for entry in entries if entry.id not in cleared and near_match(entry.name, user.name)}


def referred_by(user: User, case_id: str) -> bool:
    return bool(db.session.scalar(select(exists().where(Referral.case_id == case_id, Referral.referrer_id == user.id))))


def cases_under_break_glass(user: User, case_ids: list[str]) -> set[str]:
    query = select(BreakGlassGrant.case_id).where(
        BreakGlassGrant.user_id == user.id, BreakGlassGrant.case_id.in_(case_ids), BreakGlassGrant.expires_at > utcnow()
    )
    return set(db.session.scalars(query))


def case_scopes(user: User, case_ids: list[str]) -> dict[str, CaseScope]:
    if not case_ids:
        return {}  # a list with nothing on it asks nothing of the database
    involved = involved_agencies(case_ids)
    excluded = cases_excluding(user, case_ids)
    break_glass = cases_under_break_glass(user, case_ids)
    return {
        case_id: CaseScope(
            involved_agency_ids=frozenset(agencies),
            idva_agency_ids=frozenset(agency_id for agency_id, is_idva in agencies.items() if is_idva),
            excluded=case_id in excluded,
            break_glass=case_id in break_glass,
        )
        for case_id, agencies in involved.items()
    }


def cases_visible_to(user: User, case_ids: list[str]) -> set[str]:
    """Of these cases, the ones the policy lets this user see: for lists, queues and agendas."""
    scopes = case_scopes(user, list(dict.fromkeys(case_ids)))
    return {case_id for case_id, scope in scopes.items() if policy.may_view_case(user, scope)}


def case_scope(user: User, case: Case) -> CaseScope:
    scope = case_scopes(user, [case.id])[case.id]
    return replace(scope, referred_by_user=referred_by(user, case.id))


def get_case_by_id(case_id: str) -> Case | None:
    return db.session.get(Case, case_id)


def get_case_by_reference_or_id(typed: str) -> Case | None:
    """The case a reference names (typed any way, like "riv 2026 142"), or the case with this id."""
    reference = normalise_reference(typed)
    if reference is not None:
        return db.session.scalar(select(Case).where(Case.reference == reference))
    return get_case_by_id(typed.strip().lower()) if typed.strip() else None


def case_references(case_ids: list[str]) -> dict[str, str]:
    """The reference of each of these cases that exists, by id."""
    if not case_ids:
        return {}
    found = db.session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids)))
    return {case_id: reference for case_id, reference in found}


def audit_objects_of_case(case_id: str) -> dict[str, list[str]]:
    """What the audit trail records about a case under its own id, as audit object ids by type: the
    case, its referrals and its assessments (every version)."""
    referrals = select(Referral.id).where(Referral.case_id == case_id)
    assessments = select(Assessment.id).where(Assessment.case_id == case_id)
    return {
        "case": [case_id],
        "referral": list(db.session.scalars(referrals)),
        "assessment": list(db.session.scalars(assessments)),
    }


def add_break_glass_grant(case: Case, user: User, reason: str, duration) -> BreakGlassGrant:
    grant = BreakGlassGrant(
        case_id=case.id, user_id=user.id, reason=reason, granted_at=utcnow(), expires_at=utcnow() + duration
    )
    db.session.add(grant)
    db.session.flush()
    return grant


def count_break_glass_since(user: User, since) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(BreakGlassGrant)
        .where(BreakGlassGrant.user_id == user.id, BreakGlassGrant.granted_at > since)
    )


def get_case_for(user: User, case_id: str) -> tuple[Case, CaseScope] | None:
    """The case and what the policy knows of it, if this user may see it."""
    case = get_case_by_id(case_id)
    if case is None:
        return None
    scope = case_scope(user, case)
    return (case, scope) if policy.may_view_case(user, scope) else None


def create_person(*, given_name, family_name, date_of_birth, postcode, agency_id, **details) -> Person:
    person = Person(
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        postcode=(postcode or "").strip().upper() or None,
        created_by_agency_id=agency_id,
        **details,
    )
    db.session.add(person)
    db.session.flush()
    return person


KEYS_PER_QUERY = 1000  # well inside every database's limit on bound parameters


def is_one_of(column, name: str) -> ColumnElement[bool]:
    """column = ANY(:name), one array parameter, on PostgreSQL: the statement's text is the same however many
    values, so it is parsed and planned as one (an expanding IN is a new statement for each count). Elsewhere an
    expanding IN, a batch at a time (in_batches)."""
    if on_postgresql():
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def in_batches(values: list) -> list[list]:
    """All the values at once on PostgreSQL (one array parameter); elsewhere a thousand at a time."""
    if on_postgresql():
        return [values] if values else []
    return [values[start : start + KEYS_PER_QUERY] for start in range(0, len(values), KEYS_PER_QUERY)]


def person_ids_sharing_keys(keys: Iterable[str]) -> list[str]:
    """The ids of everyone stored with one of these blocking keys, each once (read from the key index alone)."""
    query = select(PersonMatchKey.person_id).where(is_one_of(PersonMatchKey.key, "keys")).distinct()
    found = set()
    for batch in in_batches(sorted(set(keys))):
        found.update(db.session.scalars(query, {"keys": batch}))
    return sorted(found)


def victims_among(person_ids: list[str]) -> list[str]:
    """Those of these people who are a case's victim (read from the index of victims alone)."""
    query = select(Case.victim_id).where(is_one_of(Case.victim_id, "ids")).distinct()
    return sorted({victim for batch in in_batches(person_ids) for victim in db.session.scalars(query, {"ids": batch})})


def rows_of_people(columns: tuple, person_ids: list[str], *, victims_only: bool = False) -> list:
    """These people's columns, read by their ids; only those who are a case's victim when asked.

    Each step is a statement of its own, through an index: the ids sharing a key (person_ids_sharing_keys), the
    victims among them, then the people by their primary key. Asked in one statement, PostgreSQL guessed that
    thousands share a search's hundred keys and read every person stored (or every case, for the victims)."""
    query = select(*columns).where(is_one_of(Person.id, "ids"))
    wanted = victims_among(person_ids) if victims_only else person_ids
    return [row for batch in in_batches(wanted) for row in db.session.execute(query, {"ids": batch})]


# The lists as text: most people have no aliases and no other date of birth ("[]"), so most need no parsing.
MATCHED_COLUMNS = (
    Person.id,
    Person.given_name,
    Person.family_name,
    cast(Person.aliases, Text),
    Person.date_of_birth,
    cast(Person.date_of_birth_variants, Text),
    Person.postcode,
)


def json_list(text: str | None) -> list:
    return [] if text in (None, "[]") else json.loads(text) or []


def match_record_of_row(row) -> PersonRecord:
    person_id, given_name, family_name, aliases, date_of_birth, date_of_birth_variants, postcode = row
    return record_of_columns(
        {
            "id": person_id,
            "given_name": given_name,
            "family_name": family_name,
            "aliases": json_list(aliases),
            "date_of_birth": date_of_birth,
            "date_of_birth_variants": json_list(date_of_birth_variants),
            "postcode": postcode,
        }
    )


def match_records_sharing_keys(keys: Iterable[str], *, victims_only: bool = False) -> list[PersonRecord]:
    """Everyone stored with one of these blocking keys (risk.matching.search_keys), as the matcher reads her: only
    the columns it compares, not whole people (a search compares hundreds and suggests a few; read whole, each
    would have her sealed address opened too)."""
    rows = rows_of_people(MATCHED_COLUMNS, person_ids_sharing_keys(keys), victims_only=victims_only)
    return [match_record_of_row(row) for row in rows]


def people_with_ids(person_ids: Iterable[str]) -> dict[str, Person]:
    """Id -> the person, for these ids (those found: a search's suggestions)."""
    return {person.id: person for (person,) in rows_of_people((Person,), sorted(set(person_ids)))}


def people_sharing_keys(keys: Iterable[str], *, victims_only: bool = False) -> list[Person]:
    """Everyone stored with one of these blocking keys (risk.matching.search_keys), through the key index, each
    once, oldest first; only people who are a case's victim when asked."""
    rows = rows_of_people((Person,), person_ids_sharing_keys(keys), victims_only=victims_only)
    return sorted((person for (person,) in rows), key=lambda person: (person.created_at, person.id))


def match_records_by_key(keys: Iterable[str]) -> dict[str, list[PersonRecord]]:
    """Key -> the people stored with it as the matcher reads them (match_records_sharing_keys), however many
    searches the keys serve (an import looks up hundreds of thousands): the key and person id pairs through the
    key index, then each person found read once, by her primary key."""
    query = select(PersonMatchKey.key, PersonMatchKey.person_id).where(is_one_of(PersonMatchKey.key, "keys"))
    pairs = [pair for batch in in_batches(sorted(set(keys))) for pair in db.session.execute(query, {"keys": batch})]
    rows = rows_of_people(MATCHED_COLUMNS, sorted({person_id for _, person_id in pairs}))
    records, found = {record.id: record for record in map(match_record_of_row, rows)}, {}
    for key, person_id in pairs:
        found.setdefault(key, []).append(records[person_id])
    return found


def add_match_keys(rows: list[tuple[str, set[str]]]) -> None:
    """Blocking keys for people written in bulk, past the ORM (which writes them itself: keep_match_keys), as
    (person id, keys) pairs; cases.models.keys_of_columns gives the keys of a person row."""
    table = PersonMatchKey.__table__
    if values := [{"person_id": person_id, "key": key} for person_id, keys in rows for key in keys]:
        db.session.execute(insert(table), values)


def create_case(*, victim: Person, marac_area: str, agency_id: int) -> Case:
    opened_at = utcnow()
    case = Case(
        victim=victim,
        marac_area=marac_area,
        created_by_agency_id=agency_id,
        created_at=opened_at,
        reference=new_case_references(opened_at.year, 1)[0],
    )
    db.session.add(case)
    db.session.flush()
    return case


def new_case_references(year: int, count: int) -> list[str]:
    """References for `count` cases opened in `year` (UTC, which is UK time at New Year), in the area's
    own prefix. They are taken in the caller's transaction, so they are used up only if it commits."""
    prefix = current_app.config["CASE_REFERENCE_PREFIX"]
    first = reserve_reference_numbers(prefix, year, count)
    return [format_reference(prefix, year, number) for number in range(first, first + count)]


def reserve_reference_numbers(prefix: str, year: int, count: int) -> int:
    """The first of `count` numbers no other case of this prefix and year has. The counter's row is
    locked until the transaction ends (on PostgreSQL; SQLite lets one writer in at a time anyway), so
    two cases opened at once never share a number; the unique reference is the backstop."""
    if get_reference_counter(prefix, year, lock=False) is None:
        try:
            # Two first cases of a year at once: the second insert fails here and uses the first's row.
            with all_or_nothing():
                db.session.add(CaseReferenceCounter(prefix=prefix, year=year, last_number=0))
        except IntegrityError:
            pass
    counter = get_reference_counter(prefix, year, lock=True)
    first = counter.last_number + 1
    counter.last_number += count
    db.session.flush()
    return first


def get_reference_counter(prefix: str, year: int, *, lock: bool) -> CaseReferenceCounter | None:
    query = select(CaseReferenceCounter).where(CaseReferenceCounter.prefix == prefix, CaseReferenceCounter.year == year)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def add_party(case: Case, person: Person, role: PartyRole, relationship_to_victim: str | None = None) -> CaseParty:
    party = CaseParty(case=case, person=person, role=role, relationship_to_victim=relationship_to_victim)
    db.session.add(party)
    db.session.flush()
    return party


def list_safe_contacts(case: Case) -> list[SafeContact]:
    return list(db.session.scalars(select(SafeContact).where(SafeContact.case_id == case.id).order_by(SafeContact.id)))


def get_safe_contact(case: Case, agency_id: int) -> SafeContact | None:
    return db.session.scalar(
        select(SafeContact).where(SafeContact.case_id == case.id, SafeContact.agency_id == agency_id)
    )


def save_safe_contact(case: Case, user: User, *, phone, safe_to_call, safe_address) -> SafeContact:
    """The user's own agency's safe-contact details on this case, created or replaced."""
    contact = get_safe_contact(case, user.agency_id) or SafeContact(case_id=case.id, agency_id=user.agency_id)
    contact.phone, contact.safe_to_call, contact.safe_address = phone or None, safe_to_call, safe_address or None
    contact.updated_by_id = user.id
    db.session.add(contact)
    db.session.flush()
    return contact


def count_cases_naming(person_ids: list[str]) -> dict[str, int]:
    """Person id -> how many cases name them, as victim or party, for all of a case's people in one query."""
    as_victim = select(Case.victim_id.label("person_id"), Case.id.label("case_id")).where(
        Case.victim_id.in_(person_ids)
    )
    as_party = select(CaseParty.person_id, CaseParty.case_id).where(CaseParty.person_id.in_(person_ids))
    naming = union(as_victim, as_party).subquery()
    query = select(naming.c.person_id, func.count()).group_by(naming.c.person_id)
    return {person_id: 0 for person_id in person_ids} | {
        person_id: count for person_id, count in db.session.execute(query)
    }


def load_parties(case_ids: list[str]) -> None:
    """Load these cases' parties, with their people, in one query, for pages that list every case's people
    (otherwise each case reads its own parties)."""
    db.session.scalars(select(Case).where(Case.id.in_(case_ids)).options(selectinload(Case.parties))).all()


def cases_by_victim(person_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for case_id, victim_id in db.session.execute(
        select(Case.id, Case.victim_id).where(Case.victim_id.in_(person_ids)).order_by(Case.created_at)
    ):
        found.setdefault(victim_id, []).append(case_id)
    return found


def cases_with_victim(person_ids: list[str]) -> list[str]:
    return list(db.session.scalars(select(Case.id).where(Case.victim_id.in_(person_ids)).order_by(Case.created_at)))


def add_incident(
    case: Case,
    *,
    occurred_on: date,
    type: str,
    agency_id: int,
    reference: str | None,
    recorded_by: User,
    perpetrator_id: str | None = None,
) -> Incident:
    incident = Incident(
        case_id=case.id,
        occurred_on=occurred_on,
        type=type,
        reporting_agency_id=agency_id,
        reference=reference or None,
        recorded_by_id=recorded_by.id,
        perpetrator_id=perpetrator_id,
    )
    db.session.add(incident)
    db.session.flush()
    return incident


def list_incidents(case: Case) -> list[Incident]:
    """Newest first, with who reported and who caused each (the rules and the case page read both), joined to
    each row: one statement."""
    query = (
        select(Incident)
        .where(Incident.case_id == case.id)
        .options(joinedload(Incident.reporting_agency), joinedload(Incident.perpetrator))
    )
    return list(db.session.scalars(query.order_by(Incident.occurred_on.desc())))


def perpetrator_ids(case: Case) -> set[str]:
    return {party.person_id for party in case.parties if party.role is PartyRole.PERPETRATOR}


def perpetrators(case: Case) -> list[Person]:
    return [party.person for party in case.parties if party.role is PartyRole.PERPETRATOR]


def related_case_ids(case: Case) -> list[str]:
    """Cases of the same victim that share any perpetrator with this one (this case included)."""
    perpetrators = perpetrator_ids(case)
    sharing = select(CaseParty.case_id).where(
        CaseParty.role == PartyRole.PERPETRATOR, CaseParty.person_id.in_(perpetrators)
    )
    query = select(Case.id).where(Case.victim_id == case.victim_id, or_(Case.id == case.id, Case.id.in_(sharing)))
    return list(db.session.scalars(query))


def victims_referrals_taken_to_marac(case: Case) -> list[Referral]:
    """Every MARAC referral about this victim, on any of her cases: the rules decide which perpetrator each concerns."""
    victims_cases = select(Case.id).where(Case.victim_id == case.victim_id)
    query = select(Referral).where(Referral.case_id.in_(victims_cases), Referral.state.in_(TAKEN_TO_MARAC))
    return list(db.session.scalars(query.order_by(Referral.received_at)))


def previous_referral_dates(case: Case) -> tuple[date, ...]:
    return tuple(referral.received_at.date() for referral in victims_referrals_taken_to_marac(case))


def previous_referral_dates_by_victim(victim_ids: list[str]) -> dict[str, tuple[date, ...]]:
    """For each of these victims, the days of every MARAC referral about her on any of her cases, earliest first
    (previous_referral_dates for many victims in one query, as a list of them needs)."""
    query = (
        select(Case.victim_id, Referral.received_at)
        .join(Case, Case.id == Referral.case_id)
        .where(Case.victim_id.in_(victim_ids), Referral.state.in_(TAKEN_TO_MARAC))
        .order_by(Referral.received_at)
    )
    dates = {victim_id: [] for victim_id in victim_ids}
    for victim_id, received_at in db.session.execute(query):
        dates[victim_id].append(received_at.date())
    return {victim_id: tuple(days) for victim_id, days in dates.items()}


class CaseRecords:
    """One case's assessments (every version), professional judgements, incidents and referrals, each read at
    most once and only when first asked for, so that the parts of the case page (its summary, the panel of where
    it stands and the history) share the same rows instead of reading them again. Made for one request and not
    kept past it: the rows are the request's session's."""

    def __init__(self, case: Case):
        self.case = case
        self._results: dict[str, RiskResult] = {}
        self._read: dict[str, object] = {}

    def read_once(self, name: str, read: Callable[[], T]) -> T:
        """What another package reads about the case for more than one part of the page (its hearings, its
        transfers), under a name of that package's: read when first asked for, and shared after."""
        if name not in self._read:
            self._read[name] = read()
        return self._read[name]

    @cached_property
    def assessments(self) -> list[Assessment]:
        """Every version of every assessment, newest first, with who made it and who changed its answers."""
        return risk_store.list_assessments(self.case.id)

    @cached_property
    def judgements(self) -> list[ProfessionalJudgement]:
        return risk_store.list_judgements(self.case.id)

    @cached_property
    def incidents(self) -> list[Incident]:
        return list_incidents(self.case)

    @cached_property
    def referrals(self) -> list[Referral]:
        return list_referrals(self.case)

    @property
    def completed_assessments(self) -> list[Assessment]:
        """Newest first, each version that was completed (a replaced version too)."""
        return [assessment for assessment in self.assessments if assessment.status is AssessmentStatus.COMPLETE]

    @property
    def latest_assessments(self) -> list[Assessment]:
        """Newest first, less every version a later one replaced (a changed version stays in its own case)."""
        replaced = {assessment.supersedes_id for assessment in self.assessments if assessment.supersedes_id}
        return [assessment for assessment in self.assessments if assessment.id not in replaced]

    @property
    def latest_referral(self) -> Referral | None:
        """The one received last; of two received at the same moment, the first in id order (as latest_referral)."""
        if not self.referrals:
            return None
        last_received = max(referral.received_at for referral in self.referrals)
        return next(referral for referral in self.referrals if referral.received_at == last_received)

    def result_of(self, assessment: Assessment) -> RiskResult:
        """The assessment's result by today's pack (journey.result_for), worked out once for the whole page."""
        if assessment.id not in self._results:
            self._results[assessment.id] = score_stored(get_pack(assessment.tool_id), assessment.answers)
        return self._results[assessment.id]

    @property
    def last_recorded_evidence(self) -> datetime | None:
        """When the latest completed assessment, judgement or incident was recorded, if any."""
        times = [assessment.updated_at for assessment in self.completed_assessments]
        times += [judgement.recorded_at for judgement in self.judgements]
        times += [incident.recorded_at for incident in self.incidents]
        return max((time for time in times if time is not None), default=None)


def case_facts(case: Case, today: date, records: CaseRecords | None = None) -> CaseFacts:
    """What the rules need about a case; `records` are rows the caller has read already (read here if not)."""
    records = records or CaseRecords(case)
    # Only the latest version of each assessment: one whose answers were changed is no longer current.
    complete = [
        assessment for assessment in records.latest_assessments if assessment.status is AssessmentStatus.COMPLETE
    ]
    return CaseFacts(
        today=today,
        victim=Victim(date_of_birth=case.victim.date_of_birth, area=case.marac_area),
        assessments=tuple(
            AssessmentFacts(
                assessment.tool_id, assessment.assessed_on, records.result_of(assessment), ref=assessment.id
            )
            for assessment in complete
        ),
        judgements=tuple(
            JudgementFacts(Tier(judgement.tier), judgement.rationale, ref=str(judgement.id))
            for judgement in records.judgements
        ),
        incidents=tuple(
            IncidentFacts(
                incident.occurred_on,
                incident.reporting_agency.kind.value,
                incident.type,
                perpetrator=incident.perpetrator_id,
                ref=str(incident.id),
            )
            for incident in records.incidents
        ),
        previous_referrals=tuple(
            ReferralFacts(referral.received_at.date(), tuple(referral.perpetrator_ids or ()), ref=referral.id)
            for referral in victims_referrals_taken_to_marac(case)
        ),
    )


def create_referral(case: Case, decision: Decision, *, referrer: User, idempotency_key: str, **fields) -> Referral:
    """The fields are the referral form's (consent, risk summary, contacts...), as the journey gives them."""
    referral = Referral(
        case_id=case.id,
        decision_id=decision.id,
        criteria=decision.criteria,
        referrer_id=referrer.id,
        agency_id=referrer.agency_id,
        idempotency_key=idempotency_key,
        perpetrator_ids=sorted(perpetrator_ids(case)),
        **fields,
    )
    db.session.add(referral)
    db.session.flush()
    return referral


def latest_phone_of(user: User) -> str | None:
    """The phone number this referrer gave last, to fill in their next referral."""
    query = select(Referral.referrer_phone).where(Referral.referrer_id == user.id, Referral.referrer_phone.is_not(None))
    return db.session.scalar(query.order_by(Referral.received_at.desc()).limit(1))


def get_referral_draft(case: Case, user: User) -> ReferralDraft | None:
    return db.session.scalar(
        select(ReferralDraft).where(ReferralDraft.case_id == case.id, ReferralDraft.user_id == user.id)
    )


def save_referral_draft(case: Case, user: User, fields: dict[str, list[str]]) -> ReferralDraft:
    draft = get_referral_draft(case, user) or ReferralDraft(case_id=case.id, user_id=user.id)
    draft.fields = fields
    draft.saved_at = utcnow()
    db.session.add(draft)
    db.session.flush()
    return draft


def delete_referral_draft(case: Case, user: User) -> None:
    db.session.execute(delete(ReferralDraft).where(ReferralDraft.case_id == case.id, ReferralDraft.user_id == user.id))


def get_referral_by_key(key: str) -> Referral | None:
    return db.session.scalar(select(Referral).where(Referral.idempotency_key == key))


def get_referral(case: Case, referral_id: str) -> Referral | None:
    return db.session.scalar(select(Referral).where(Referral.id == referral_id, Referral.case_id == case.id))


def list_cases_for(user: User, limit: int = 50) -> list[Case]:
    """Newest first, the cases the policy lets this user see (see may_view_case_condition), less any
    whose exclusion list names them."""
    query = (
        select(Case)
        .where(may_view_case_condition(user))
        .order_by(Case.created_at.desc(), Case.id)
        .options(joinedload(Case.victim))
    )
    # Read a few more than shown, so cases held back by an exclusion list do not shorten the list.
    cases = list(db.session.scalars(query.limit(limit * CASE_LIST_READ_AHEAD)))
    scopes = case_scopes(user, [case.id for case in cases])
    return [case for case in cases if policy.may_view_case(user, scopes[case.id])][:limit]


def involving_agency(agency_id: int) -> ColumnElement[bool]:
    """Cases the agency opened, assessed the victim on, reported an incident on or referred."""
    return or_(
        Case.created_by_agency_id == agency_id,
        Case.id.in_(select(Assessment.case_id).where(Assessment.agency_id == agency_id)),
        Case.id.in_(select(Incident.case_id).where(Incident.reporting_agency_id == agency_id)),
        Case.id.in_(select(Referral.case_id).where(Referral.agency_id == agency_id)),
    )


def may_view_case_condition(user: User) -> ColumnElement[bool]:
    """policy.may_view_case as a query condition, for lists that page through many cases: every case for
    the coordinator and chairs; for other staff their agency's cases and any they broke the glass on.
    Exclusion lists are matched by name, outside the database: see cases_kept_from."""
    if user.role in policy.NO_CASE_ROLES:
        return false()
    if user.role in policy.CASE_WIDE_ROLES:
        return true()
    live_grants = select(BreakGlassGrant.case_id).where(
        BreakGlassGrant.user_id == user.id, BreakGlassGrant.expires_at > utcnow()
    )
    return or_(involving_agency(user.agency_id), Case.id.in_(live_grants))


def cases_kept_from(user: User, case_ids: list[str] | Select) -> set[str]:
    """Of these cases, those an exclusion list keeps from this user, as the policy decides."""
    excluded = cases_excluding(user, case_ids)
    scopes = case_scopes(user, sorted(excluded)) if excluded else {}
    return {case_id for case_id, scope in scopes.items() if not policy.may_view_case(user, scope)}


def person_in_case(case: Case, person_id: str) -> Person | None:
    if person_id == case.victim_id:
        return case.victim
    return next((party.person for party in case.parties if party.person_id == person_id), None)


def latest_referral(case: Case) -> Referral | None:
    query = select(Referral).where(Referral.case_id == case.id).order_by(Referral.received_at.desc(), Referral.id)
    return db.session.scalars(query.limit(1)).first()


def has_open_referral(case_ids: list[str]) -> bool:
    query = select(Referral.id).where(Referral.case_id.in_(case_ids), Referral.state.in_(OPEN_REFERRAL_STATES)).limit(1)
    return db.session.scalar(query) is not None


def list_referrals(case: Case) -> list[Referral]:
    """Oldest first, with who referred and their agency, joined to each row: one statement."""
    query = (
        select(Referral)
        .where(Referral.case_id == case.id)
        .options(joinedload(Referral.agency), joinedload(Referral.referrer))
    )
    return list(db.session.scalars(query.order_by(Referral.received_at, Referral.id)))


def list_excluded_people(case: Case) -> list[ExcludedPerson]:
    return list(
        db.session.scalars(select(ExcludedPerson).where(ExcludedPerson.case_id == case.id).order_by(ExcludedPerson.id))
    )


def add_excluded_people(
    case: Case, entries: list[tuple[str, str | None]], *, recorded_by: User
) -> list[ExcludedPerson]:
    """Adds the people not already on the case's list (the same name, ignoring case, is not added twice)."""
    known = {person.name.casefold() for person in list_excluded_people(case)}
    added = []
    for name, note in entries:
        if name.casefold() not in known:
            known.add(name.casefold())
            added.append(ExcludedPerson(case_id=case.id, name=name, note=note, recorded_by_id=recorded_by.id))
    db.session.add_all(added)
    return added
