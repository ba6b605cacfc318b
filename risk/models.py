"""Assessments as entered and scored, professional judgements, and every eligibility decision. Each
belongs to a case (by its id): the cases package holds the case itself."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from access.models import Agency, User
from extensions import StrEnumType, UTCDateTime, data_class, db, retention, utcnow
from risk.schema import RiskResult
from risk.vocabulary import AssessmentStatus


def new_id() -> str:
    return str(uuid.uuid4())


class RiskResultType(TypeDecorator):
    """A RiskResult kept as JSON in its stored shape (RiskResult.to_stored), read back as a RiskResult."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, RiskResult):
            raise TypeError(f"An assessment's result must be a RiskResult, not {type(value).__name__}.")
        return value.to_stored()

    def process_result_value(self, value, dialect):
        return None if value is None else RiskResult.from_stored(value)


class Assessment(db.Model):
    """Raw answers are kept exactly as entered; the result is what scoring made of them then. Changing the
    answers of a completed assessment makes a new version that supersedes it: the earlier row is kept as it
    was, and the new one records who changed it (changed_by), when (created_at) and why (change_reason)."""

    __tablename__ = "assessment"
    __table_args__ = retention("case")

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    tool_id: Mapped[str] = mapped_column(String(40), info=data_class("operational"))
    tool_version: Mapped[str] = mapped_column(String(60), info=data_class("operational"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict, info=data_class("special"))
    comments: Mapped[dict] = mapped_column(JSON, default=dict, info=data_class("special"))
    result: Mapped[RiskResult | None] = mapped_column(RiskResultType, info=data_class("special"))
    status: Mapped[AssessmentStatus] = mapped_column(
        StrEnumType(AssessmentStatus, 20), default=AssessmentStatus.DRAFT, info=data_class("operational")
    )
    assessed_on: Mapped[date] = mapped_column(Date, info=data_class("operational"))
    source_if_not_victim: Mapped[str | None] = mapped_column(String(200), info=data_class("personal"))
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, info=data_class("operational")
    )
    version_id: Mapped[int] = mapped_column(default=1, info=data_class("operational"))
    supersedes_id: Mapped[str | None] = mapped_column(
        ForeignKey("assessment.id"), unique=True, info=data_class("operational")
    )
    change_reason: Mapped[str | None] = mapped_column(Text, info=data_class("special"))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    # The change form's one-time key: the same form sent twice makes one version.
    change_key: Mapped[str | None] = mapped_column(String(36), unique=True, info=data_class("operational"))

    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])
    agency: Mapped[Agency] = relationship()
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
    supersedes: Mapped["Assessment | None"] = relationship(foreign_keys=[supersedes_id], remote_side=[id])

    __mapper_args__ = {"version_id_col": version_id}


class ProfessionalJudgement(db.Model):
    __tablename__ = "professional_judgement"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    tier: Mapped[int] = mapped_column(info=data_class("special"))
    rationale: Mapped[str] = mapped_column(Text, info=data_class("special"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))

    author: Mapped[User] = relationship()


class Decision(db.Model):
    """Every eligibility evaluation, as it was made; never changed afterwards (database triggers)."""

    __tablename__ = "eligibility_decision"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    ruleset: Mapped[str] = mapped_column(String(40), info=data_class("operational"))
    eligible: Mapped[bool] = mapped_column(info=data_class("special"))
    criteria: Mapped[list] = mapped_column(JSON, info=data_class("special"))
    tier: Mapped[int] = mapped_column(info=data_class("special"))
    tier_source: Mapped[str] = mapped_column(String(60), info=data_class("operational"))
    prompts: Mapped[list] = mapped_column(JSON, info=data_class("special"))
    routes: Mapped[list] = mapped_column(JSON, info=data_class("special"))
    # What met each criterion ({code: [{kind, ref, text}]}) and the unchecked rules relied on;
    # empty before December 2026.
    evidence: Mapped[dict | None] = mapped_column(JSON, info=data_class("special"))
    unverified: Mapped[list | None] = mapped_column(JSON, info=data_class("operational"))
    evaluated_on: Mapped[date] = mapped_column(Date, info=data_class("operational"))
    evaluated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
