"""Bulk import: each uploaded file on its way in, and each agency's usual column mapping."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.models import Agency
from extensions import StrEnumType, UTCDateTime, db, utcnow
from risk.models import new_id


class ImportStatus(StrEnum):
    STAGED = "staged"
    IMPORTED = "imported"
    FAILED = "failed"
    DISCARDED = "discarded"


class SavedImportMapping(db.Model):
    """An agency's usual column mapping for one tool, offered again on its next upload."""

    __tablename__ = "saved_import_mapping"
    __table_args__ = (UniqueConstraint("agency_id", "tool_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    tool_id: Mapped[str] = mapped_column(String(40))
    mapping: Mapped[dict] = mapped_column(JSON)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportBatch(db.Model):
    """One uploaded file on its way in. The file itself waits in the private import folder under
    `token`; the name shown is the uploader's own and is never used on disk."""

    __tablename__ = "import_batch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    tool_id: Mapped[str] = mapped_column(String(40))
    filename_shown: Mapped[str] = mapped_column(String(255))
    mapping: Mapped[dict] = mapped_column(JSON)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ImportStatus] = mapped_column(StrEnumType(ImportStatus, 20), default=ImportStatus.STAGED)
    rows_imported: Mapped[int] = mapped_column(default=0)

    agency: Mapped[Agency] = relationship()
