"""Who may receive a meeting's documents: the exclusion-list check before anything is released.

Each case on the agenda may name people who must not receive information about it. Their names are
compared with every recipient of the meeting's documents; a near match holds the documents back from
everyone but the coordinator until the coordinator decides it: a different person (release), or
withhold the case from that recipient (their copies of the meeting's documents leave that case out, and
only that case). A decision can be reviewed later, with a reason; both are kept. The excluded names
never leave these pages.
"""

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from access.audit import AuditAction, record_event
from access.models import Role, User
from cases.models import Case, ClearanceDecision, ClearanceReview, DistributionClearance, ExcludedPerson, Referral
from extensions import db
from meetings import store as meetings_store
from meetings.models import Action, AgendaItem, Invitation, Meeting
from risk.matching import near_match
from transactions import all_or_nothing

RECIPIENT_ROLES = (Role.AGENCY_REP, Role.CHAIR, Role.COORDINATOR)
HELD_BACK = (
    "These documents are held back while the MARAC coordinator checks who receives them. "
    "Ask the coordinator if you need them now."
)
AUDIT_ACTIONS = {
    ClearanceDecision.RELEASE: AuditAction.EXCLUSION_MATCH_CLEARED,
    ClearanceDecision.WITHHOLD: AuditAction.EXCLUSION_MATCH_WITHHELD,
}


@dataclass(frozen=True)
class ExclusionMatch:
    case: Case
    excluded: ExcludedPerson
    recipient: User


# Queries


def list_recipients(meeting: Meeting) -> list[User]:
    """Active representatives, chairs and coordinators of invited agencies, the meeting's chair,
    every coordinator (they may open any meeting's documents), and practitioners of agencies that
    own actions from the meeting (they receive their agency's action plan)."""
    invited = select(Invitation.agency_id).where(Invitation.meeting_id == meeting.id)
    owning_actions = (
        select(Action.owner_agency_id)
        .join(AgendaItem, Action.agenda_item_id == AgendaItem.id)
        .where(AgendaItem.meeting_id == meeting.id)
    )
    receives = or_(
        and_(User.role.in_(RECIPIENT_ROLES), User.agency_id.in_(invited)),
        User.role == Role.COORDINATOR,
        User.id == meeting.chair_id,
        and_(User.role == Role.PRACTITIONER, User.agency_id.in_(owning_actions)),
    )
    return list(db.session.scalars(select(User).where(User.active, receives).order_by(User.name, User.id)))


def list_clearances(meeting: Meeting) -> list[DistributionClearance]:
    query = (
        select(DistributionClearance)
        .where(DistributionClearance.meeting_id == meeting.id)
        .order_by(DistributionClearance.decided_at, DistributionClearance.id)
    )
    return list(db.session.scalars(query))


def get_clearance(meeting: Meeting, clearance_id: int) -> DistributionClearance | None:
    clearance = db.session.get(DistributionClearance, clearance_id)
    return clearance if clearance is not None and clearance.meeting_id == meeting.id else None


def list_reviews(meeting: Meeting) -> list[ClearanceReview]:
    query = (
        select(ClearanceReview)
        .join(DistributionClearance, ClearanceReview.clearance_id == DistributionClearance.id)
        .where(DistributionClearance.meeting_id == meeting.id)
        .order_by(ClearanceReview.decided_at, ClearanceReview.id)
    )
    return list(db.session.scalars(query))


def list_meetings_with_exclusions() -> list[Meeting]:
    on_agenda = (
        select(AgendaItem.meeting_id)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(ExcludedPerson, ExcludedPerson.case_id == Referral.case_id)
    )
    return list(db.session.scalars(select(Meeting).where(Meeting.id.in_(on_agenda)).order_by(Meeting.starts_at)))


# The check


def matches_for(meeting: Meeting) -> list[ExclusionMatch]:
    """Near matches between the agenda's exclusion lists and the recipients, not yet decided."""
    exclusions = meetings_store.list_exclusions_on_agendas([meeting.id])
    if not exclusions:
        return []
    decided = {(row.excluded_person_id, row.user_id) for row in list_clearances(meeting)}
    recipients = list_recipients(meeting)
    return [
        ExclusionMatch(excluded.case, excluded, recipient)
        for _, excluded in exclusions
        for recipient in recipients
        if (excluded.id, recipient.id) not in decided and near_match(excluded.name, recipient.name)
    ]


def withheld_reason(meeting, user: User) -> str | None:
    """None when `user` may download this meeting's documents now; otherwise why not, in words for them.
    A withheld match holds back nothing else: that person's copies leave its case out (reports.documents)."""
    if getattr(user, "role", None) is Role.COORDINATOR:
        return None
    return HELD_BACK if matches_for(meeting) else None


def withheld_reasons(meetings: list[Meeting], user: User) -> dict[int, str | None]:
    """withheld_reason for each meeting, checking only meetings whose cases have exclusion lists."""
    with_exclusions = {
        meeting_id for meeting_id, _ in meetings_store.list_exclusions_on_agendas([meeting.id for meeting in meetings])
    }
    return {
        meeting.id: withheld_reason(meeting, user) if meeting.id in with_exclusions else None for meeting in meetings
    }


def checks_needed() -> list[tuple[Meeting, list[ExclusionMatch]]]:
    """Meetings whose documents are held back, each with the matches the coordinator must decide."""
    return [(meeting, found) for meeting in list_meetings_with_exclusions() if (found := matches_for(meeting))]


def find_match(meeting: Meeting, excluded_person_id: int, user_id: int) -> ExclusionMatch | None:
    return next(
        (
            match
            for match in matches_for(meeting)
            if (match.excluded.id, match.recipient.id) == (excluded_person_id, user_id)
        ),
        None,
    )


def is_decided(meeting: Meeting, excluded_person_id: int, user_id: int) -> bool:
    return any(
        (row.excluded_person_id, row.user_id) == (excluded_person_id, user_id) for row in list_clearances(meeting)
    )


def decide(meeting: Meeting, match: ExclusionMatch, decision: ClearanceDecision, *, by: User) -> bool:
    """Records the decision; False when someone else decided this match a moment earlier."""
    clearance = DistributionClearance(
        meeting_id=meeting.id,
        excluded_person_id=match.excluded.id,
        user_id=match.recipient.id,
        decision=decision,
        decided_by_id=by.id,
    )
    try:
        with all_or_nothing():
            db.session.add(clearance)
            db.session.flush()
    except IntegrityError:
        return False
    record_event(AUDIT_ACTIONS[decision], user=by, object_type="distribution-clearance", object_id=str(clearance.id))
    return True


def review(clearance: DistributionClearance, decision: ClearanceDecision, reason: str, *, by: User) -> None:
    """Changes a decision for a reason: the clearance holds the new one, the review keeps the one it replaced."""
    db.session.add(
        ClearanceReview(
            clearance_id=clearance.id,
            previous_decision=clearance.decision,
            decision=decision,
            reason=reason,
            decided_by_id=by.id,
        )
    )
    clearance.decision = decision
    db.session.flush()
    # A change is told apart from a first decision in the trail; its reason stays in the review row alone.
    record_event(
        AuditAction.EXCLUSION_DECISION_CHANGED,
        user=by,
        object_type="distribution-clearance",
        object_id=str(clearance.id),
    )
