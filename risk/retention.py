"""What anonymising a case removes from the risk package's tables (SECURITY D5): the answers and comments
of its assessments and the reasons given for judgements and changes. Scores, bands, tiers and every
eligibility decision stay: the data return and the case's history count them, and none names anyone."""

from datetime import datetime

from sqlalchemy import func, select, update

from extensions import db
from risk.imports.models import ImportBatch, ImportStatus
from risk.models import Assessment, ProfessionalJudgement


def clear_assessment_text(case_id: str) -> None:
    statements = (
        update(Assessment)
        .where(Assessment.case_id == case_id)
        .values(answers={}, comments={}, source_if_not_victim=None, change_reason=None),
        update(ProfessionalJudgement).where(ProfessionalJudgement.case_id == case_id).values(rationale=""),
    )
    for statement in statements:
        db.session.execute(statement.execution_options(synchronize_session=False))


def old_file_names(cutoff: datetime):
    """Of finished batches only: a staged one's file still waits, and its name says how to read it."""
    return (
        ImportBatch.uploaded_at < cutoff,
        ImportBatch.filename_shown != "",
        ImportBatch.status != ImportStatus.STAGED,
    )


def count_old_import_file_names(cutoff: datetime) -> int:
    """Uploaded files' names older than the import rule (a name an agency gave may name a person)."""
    return db.session.scalar(select(func.count()).select_from(ImportBatch).where(*old_file_names(cutoff)))


def clear_old_import_file_names(cutoff: datetime) -> int:
    return db.session.execute(
        update(ImportBatch)
        .where(*old_file_names(cutoff))
        .values(filename_shown="")
        .execution_options(synchronize_session=False)
    ).rowcount
