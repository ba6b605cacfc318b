"""Every query the risk package makes, as a named function: a case's assessments, professional
judgements and eligibility decisions, each found by the case's id."""

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, joinedload

from access.models import User
from extensions import db
from risk.instruments import get_pack
from risk.models import Assessment, Decision, ProfessionalJudgement
from risk.schema import RiskResult
from risk.vocabulary import AssessmentStatus


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
    """Every version, newest first, with who assessed, their agency and who changed the answers, joined to each
    row: one statement."""
    query = (
        select(Assessment)
        .where(Assessment.case_id == case_id)
        .options(joinedload(Assessment.assessor), joinedload(Assessment.agency), joinedload(Assessment.changed_by))
    )
    return list(db.session.scalars(query.order_by(Assessment.assessed_on.desc(), Assessment.created_at.desc())))


def list_latest_assessments(case_id: str) -> list[Assessment]:
    """The case's assessments less every version a later one has replaced, newest first."""
    later = aliased(Assessment)
    query = select(Assessment).where(
        Assessment.case_id == case_id, ~exists().where(later.supersedes_id == Assessment.id)
    )
    return list(db.session.scalars(query.order_by(Assessment.assessed_on.desc(), Assessment.created_at.desc())))


def list_completed_assessments(case_id: str) -> list[Assessment]:
    """Newest first, with who assessed and their agency, joined to each row rather than read one by one."""
    query = (
        select(Assessment)
        .where(Assessment.case_id == case_id, Assessment.status == AssessmentStatus.COMPLETE)
        .options(joinedload(Assessment.assessor), joinedload(Assessment.agency), joinedload(Assessment.changed_by))
    )
    return list(db.session.scalars(query.order_by(Assessment.assessed_on.desc(), Assessment.created_at.desc())))


def get_next_version(assessment_id: str) -> Assessment | None:
    """The version that replaced this one, if any."""
    return db.session.scalar(select(Assessment).where(Assessment.supersedes_id == assessment_id))


def get_assessment_by_change_key(change_key: str) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.change_key == change_key))


def create_later_version(
    earlier: Assessment,
    *,
    tool_version: str,
    answers: dict,
    comments: dict,
    result: RiskResult,
    changed_by: User,
    reason: str,
    change_key: str,
) -> Assessment:
    """A completed copy of the earlier assessment with other answers; the earlier row is not touched. Two
    versions of the same one refuse each other (IntegrityError): the supersedes column is unique."""
    version = Assessment(
        case_id=earlier.case_id,
        tool_id=earlier.tool_id,
        tool_version=tool_version,
        answers=answers,
        comments=comments,
        result=result,
        status=AssessmentStatus.COMPLETE,
        assessed_on=earlier.assessed_on,
        source_if_not_victim=earlier.source_if_not_victim,
        assessor_id=earlier.assessor_id,
        agency_id=earlier.agency_id,
        supersedes_id=earlier.id,
        change_reason=reason,
        changed_by_id=changed_by.id,
        change_key=change_key,
    )
    db.session.add(version)
    db.session.flush()
    return version


def add_judgement(case_id: str, *, tier: int, rationale: str, author: User) -> ProfessionalJudgement:
    judgement = ProfessionalJudgement(case_id=case_id, tier=tier, rationale=rationale.strip(), author_id=author.id)
    db.session.add(judgement)
    db.session.flush()
    return judgement


def list_judgements(case_id: str) -> list[ProfessionalJudgement]:
    """Newest first, with their authors (joined: one statement)."""
    query = (
        select(ProfessionalJudgement)
        .where(ProfessionalJudgement.case_id == case_id)
        .options(joinedload(ProfessionalJudgement.author))
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
