from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.models import Agency, User
from risk.models import Case, new_id
from extensions import StrEnumType, UTCDateTime, db, utcnow


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    LIST_ISSUED = "list-issued"
    IN_PROGRESS = "in-progress"
    MINUTES_DRAFT = "minutes-draft"
    MINUTES_APPROVED = "minutes-approved"
    DISTRIBUTED = "distributed"


class Meeting(db.Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    venue: Mapped[str] = mapped_column(String(200))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    capacity: Mapped[int] = mapped_column(default=20)
    minutes_per_case: Mapped[int] = mapped_column(default=15)
    status: Mapped[MeetingStatus] = mapped_column(StrEnumType(MeetingStatus, 20), default=MeetingStatus.PLANNED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    chair: Mapped[User | None] = relationship()


class ReferralState(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    HEARD = "heard"
    CLOSED = "closed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"


class Referral(db.Model):
    __tablename__ = "referral"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("eligibility_decision.id"))
    criteria: Mapped[list] = mapped_column(JSON)
    referrer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    victim_informed: Mapped[bool]
    consent_given: Mapped[bool]
    no_consent_reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[ReferralState] = mapped_column(StrEnumType(ReferralState, 20), default=ReferralState.RECEIVED, index=True)
    state_reason: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    referrer: Mapped[User] = relationship(foreign_keys=[referrer_id])
    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version_id}
