"""The coordinator's referral queue: what each row shows, and the moves a coordinator makes."""

from dataclasses import dataclass
from datetime import date

from access.audit import AuditAction, record_event
from cases import journey, notices
from cases import store as cases_store
from cases.models import Person, Referral, ReferralState
from extensions import utcnow
from risk import store as risk_store
from risk.criteria import REPEAT


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


def queue_row(referral: Referral, today: date, matches: list) -> QueueRow:
    case = referral.case
    earlier = [day for day in cases_store.previous_referral_dates(case) if day < referral.received_at.date()]
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
        possible_matches=len(matches),
    )


def possible_matches(referral: Referral, people=None) -> list:
    victim = referral.case.victim
    suggestions = journey.suggest_people(
        victim.given_name, victim.family_name, victim.date_of_birth, victim.postcode, people
    )
    return [(person, match) for person, match in suggestions if person.id != victim.id]


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
