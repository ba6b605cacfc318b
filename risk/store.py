"""Every query the risk package makes, as a named function: a case's assessments, professional
judgements and eligibility decisions, each found by the case's id."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from access.models import User
from extensions import db
from risk.instruments import get_pack
from risk.models import Assessment, AssessmentStatus, Decision, ProfessionalJudgement


def create_assessment(*, case_id: str, tool_id: str, assessor: User, assessed_on: date) -> Assessment:
    pack = get_pack(tool_id)
    assessment = Assessment(
        case_id=case_id,
        tool_id=pack.id,
        tool_version=pack.version,
        assessor_id=assessor.id,
        agency_id=assessor.agency_id,
        assessed_on=assessed_on,
        answers={},
        comments={},
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


def get_assessment(case_id: str, assessment_id: str) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.id == assessment_id, Assessment.case_id == case_id))


def list_assessments(case_id: str) -> list[Assessment]:
    query = select(Assessment).where(Assessment.case_id == case_id)
    return list(db.session.scalars(query.order_by(Assessment.assessed_on.desc(), Assessment.created_at.desc())))


def list_completed_assessments(case_id: str) -> list[Assessment]:
    """Newest first, with who assessed and their agency, read together rather than one by one."""
    query = (
        select(Assessment)
        .where(Assessment.case_id == case_id, Assessment.status == AssessmentStatus.COMPLETE)
        .options(selectinload(Assessment.assessor), selectinload(Assessment.agency))
    )
    return list(db.session.scalars(query.order_by(Assessment.assessed_on.desc(), Assessment.created_at.desc())))


def add_judgement(case_id: str, *, tier: int, rationale: str, author: User) -> ProfessionalJudgement:
    judgement = ProfessionalJudgement(case_id=case_id, tier=tier, rationale=rationale.strip(), author_id=author.id)
    db.session.add(judgement)
    db.session.flush()
    return judgement


def list_judgements(case_id: str) -> list[ProfessionalJudgement]:
    """Newest first, with their authors."""
    query = (
        select(ProfessionalJudgement)
        .where(ProfessionalJudgement.case_id == case_id)
        .options(selectinload(ProfessionalJudgement.author))
    )
    return list(
        db.session.scalars(query.order_by(ProfessionalJudgement.recorded_at.desc(), ProfessionalJudgement.id.desc()))
    )


def decision_values(decision, *, evaluated_by_id: int, today: date) -> dict:
    """A decision's columns as stored, for one row here or many in a bulk import."""
    return decision.to_record() | {"evaluated_on": today, "evaluated_by_id": evaluated_by_id}


def save_decision(case_id: str, decision, *, evaluated_by: User, today: date) -> Decision:
    row = Decision(case_id=case_id, **decision_values(decision, evaluated_by_id=evaluated_by.id, today=today))
    db.session.add(row)
    db.session.flush()
    return row


def get_decision(decision_id: int) -> Decision | None:
    return db.session.get(Decision, decision_id)


def list_decisions(case_id: str) -> list[Decision]:
    """Every eligibility decision on the case, as made, oldest first."""
    return list(
        db.session.scalars(
            select(Decision).where(Decision.case_id == case_id).order_by(Decision.evaluated_on, Decision.id)
        )
    )
