from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.models import User
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

