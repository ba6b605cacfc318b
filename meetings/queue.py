"""The coordinator's referral queue: what each row shows, and the moves a coordinator makes."""

import math
from dataclasses import dataclass
from datetime import date

from access.audit import AuditAction, record_event
from cases import journey, notices
from cases import store as cases_store
from cases.models import PartyRole, Person, Referral, ReferralState
from cases.vocabulary import normalise_reference
from extensions import utcnow
from meetings import store
from meetings.vocabulary import QueueSort
from risk import store as risk_store
from risk.criteria import REPEAT
from risk.matching import PersonRecord


@dataclass(frozen=True)
class QueueRow:
    referral: Referral
    reference: str
    initials: str
    tier: int
    criteria: list
    repeat: bool
    last_marac: date | None
    days_waiting: int
    possible_matches: int
    has_children: bool


def queue_row(referral: Referral, today: date, possible_matches: int, referral_dates: tuple[date, ...]) -> QueueRow:
    """`possible_matches`: how many known people may be her; `referral_dates`: the days of the victim's MARAC
    referrals (cases.store.previous_referral_dates)."""
    case = referral.case
    earlier = [day for day in referral_dates if day < referral.received_at.date()]
    decision = risk_store.get_decision(referral.decision_id)
    return QueueRow(
        referral=referral,
        reference=case.reference,
        initials=case.victim.initials,
        tier=decision.tier,
        criteria=referral.criteria,
        repeat="repeat" in referral.criteria,
        last_marac=max(earlier, default=None),
        days_waiting=(today - referral.received_at.date()).days,
        possible_matches=possible_matches,
        has_children=any(party.role is PartyRole.CHILD for party in case.parties),
    )


PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueSearch:
    """What the coordinator asked for; None or empty asks for nothing."""

    text: str | None = None
    """A case reference, or the victim's name (matched loosely, as Find a case does)."""
    state: str | None = None
    criterion: str | None = None
    agency_id: int | None = None
    flags: frozenset[str] = frozenset()
    sort: QueueSort = QueueSort.WAITING_LONGEST
    page: int = 1

    @property
    def narrowed(self) -> bool:
        return bool(self.text or self.state or self.criterion or self.agency_id is not None or self.flags)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    search: QueueSearch


def queue_for(user, search: QueueSearch, today: date) -> QueuePage:
    """The open referrals this user may see, searched, filtered, sorted and one page of them, paged in the
    database so that only the rows shown are built. A case kept from the user is left out before counting,
    so neither a row nor the total hints at it."""
    query = queue_query(search)
    visible = cases_store.may_view_case_condition(user)
    hidden = cases_store.cases_kept_from(user, store.open_referral_case_ids(query, visible=visible))
    total = store.count_open_referrals(query, visible=visible, hidden=hidden)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(search.page, 1), pages)
    referrals = store.page_of_open_referrals(
        query, visible=visible, hidden=hidden, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    matches = possible_match_counts_of(referrals)
    # Read for the whole page at once, not a query per row.
    referral_dates = cases_store.previous_referral_dates_by_victim(
        sorted({referral.case.victim_id for referral in referrals})
    )
    rows = [
        queue_row(referral, today, matches[referral.id], referral_dates[referral.case.victim_id])
        for referral in referrals
    ]
    return QueuePage(rows, total, page, pages, search)


def queue_query(search: QueueSearch) -> store.QueueQuery:
    reference = normalise_reference(search.text) if search.text else None
    named = search.text and not reference
    return store.QueueQuery(
        reference=reference,
        victim_ids=tuple(journey.victims_named_like(search.text)) if named else None,
        state=search.state,
        criterion=search.criterion,
        agency_id=search.agency_id,
        flags=search.flags,
        sort=search.sort,
    )


def possible_matches(referral: Referral) -> list:
    return possible_matches_of([referral])[referral.id]


def possible_matches_of(referrals: list[Referral]) -> dict[str, list]:
    """Referral id -> the known people (other than her own record) who may be its victim, best first; the
    people for every referral read together."""
    victims = {referral.id: referral.case.victim for referral in referrals}
    found = journey.suggestions_for_each(
        [victim_record(referral_id, victim) for referral_id, victim in victims.items()]
    )
    return {
        referral_id: [(person, match) for person, match in found[referral_id] if person.id != victim.id]
        for referral_id, victim in victims.items()
    }


def possible_match_counts_of(referrals: list[Referral]) -> dict[str, int]:
    """Referral id -> how many known people (other than her own record) may be its victim: what a row of the
    queue shows, so the people matched are read only as the matcher reads them, never whole."""
    victims = {referral.id: referral.case.victim for referral in referrals}
    found = journey.matches_for_each([victim_record(referral_id, victim) for referral_id, victim in victims.items()])
    return {
        referral_id: sum(match.person_id != victim.id for match in found[referral_id])
        for referral_id, victim in victims.items()
    }


def victim_record(referral_id: str, victim: Person) -> PersonRecord:
    return journey.candidate_record(
        referral_id, victim.given_name, victim.family_name, victim.date_of_birth, victim.postcode
    )


def matching_person(referral: Referral, person_id: str) -> Person | None:
    return next((person for person, _ in possible_matches(referral) if person.id == person_id), None)


TRIAGE_WORDS = {ReferralState.ACCEPTED: "accepted", ReferralState.DECLINED: "declined"}


def triage(referral: Referral, state: ReferralState, *, user, action: AuditAction, reason: str | None = None) -> bool:
    """Accepts or declines a referral still waiting for triage; False, with nothing changed, when it has
    moved on since the page was opened (withdrawn by its referrer, or triaged by someone else)."""
    if referral.state is not ReferralState.RECEIVED:
        return False
    referral.state = state
    referral.state_reason = reason
    referral.triaged_at = utcnow()
    record_event(action, user=user, object_type="referral", object_id=referral.id)
    notices.referral_triaged(referral, TRIAGE_WORDS[state])
    return True


def accept_many(referrals: list[Referral], *, user) -> tuple[list[Referral], list[Referral]]:
    """Each still waiting is accepted and audited on its own; those that moved on meanwhile are left as
    they are. Returns (accepted, skipped)."""
    accepted, skipped = [], []
    for referral in referrals:
        moved_on = not triage(referral, ReferralState.ACCEPTED, user=user, action=AuditAction.REFERRAL_ACCEPTED)
        (skipped if moved_on else accepted).append(referral)
    return accepted, skipped


# A referral still in the queue: waiting for triage, or accepted and waiting for the planner. One on an
# agenda is taken off it first, so that the meeting's agencies are told.
WITHDRAWABLE = (ReferralState.RECEIVED, ReferralState.ACCEPTED)


def withdraw(referral: Referral, *, reason: str, user) -> bool:
    """The coordinator takes a referral out of the queue; False, with nothing changed, when it has moved
    on. The referrer is told."""
    if referral.state not in WITHDRAWABLE:
        return False
    journey.withdraw_referral(referral, reason=reason, user=user)
    notices.referral_triaged(referral, "withdrawn")
    return True


def link_victim(referral: Referral, person: Person, *, user) -> None:
    """The coordinator confirms the referral's victim is a person already known: never automatic."""
    journey.link_victim(referral.case, person, user=user)
    add_repeat_if_the_rules_now_say_so(referral, user=user)
    record_event(AuditAction.REFERRAL_LINKED, user=user, object_type="referral", object_id=referral.id)


def add_repeat_if_the_rules_now_say_so(referral: Referral, *, user) -> None:
    """Linking brings in the victim's earlier MARAC referrals, so the rules run again and the decision is kept."""
    decision = journey.record_decision(referral.case, user)
    if REPEAT in decision.criteria and REPEAT not in referral.criteria:
        referral.criteria = [*referral.criteria, REPEAT]
        referral.decision = decision
