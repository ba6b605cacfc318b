"""What the coordinator decided about each near match between a case's exclusion list and a
meeting's document recipients."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.models import User
from extensions import StrEnumType, UTCDateTime, db, utcnow
from risk.models import ExcludedPerson


class ClearanceDecision(StrEnum):
    RELEASE = "release"
    WITHHOLD = "withhold"


class DistributionClearance(db.Model):
    """One decision per meeting, excluded person and recipient: release (a different person) or
    withhold this meeting's documents from the recipient."""

    __tablename__ = "distribution_clearance"
    __table_args__ = (UniqueConstraint("meeting_id", "excluded_person_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    excluded_person_id: Mapped[int] = mapped_column(ForeignKey("excluded_person.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decision: Mapped[ClearanceDecision] = mapped_column(StrEnumType(ClearanceDecision, 20))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    excluded_person: Mapped[ExcludedPerson] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
