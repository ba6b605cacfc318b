"""Bulk import: each uploaded file on its way in, and each agency's usual column mapping."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.models import Agency
from extensions import StrEnumType, UTCDateTime, data_class, db, retention, utcnow
from risk.models import new_id


class ImportStatus(StrEnum):
    STAGED = "staged"
    IMPORTED = "imported"
    FAILED = "failed"
    DISCARDED = "discarded"


class SavedImportMapping(db.Model):
    """An agency's usual column mapping for one tool, offered again on its next upload."""

    __tablename__ = "saved_import_mapping"
    __table_args__ = (UniqueConstraint("agency_id", "tool_id"), retention("operational"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    tool_id: Mapped[str] = mapped_column(String(40), info=data_class("operational"))
    mapping: Mapped[dict] = mapped_column(JSON, info=data_class("operational"))
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))


class ImportBatch(db.Model):
    """One uploaded file on its way in. The file itself waits in the private import folder under
    `token`; the name shown is the uploader's own and is never used on disk."""

    __tablename__ = "import_batch"
    __table_args__ = retention("import")

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id, info=data_class("operational"))
    token: Mapped[str | None] = mapped_column(String(64), unique=True, info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True, info=data_class("operational"))
    tool_id: Mapped[str] = mapped_column(String(40), info=data_class("operational"))
    filename_shown: Mapped[str] = mapped_column(String(255), info=data_class("personal"))
    mapping: Mapped[dict] = mapped_column(JSON, info=data_class("operational"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    status: Mapped[ImportStatus] = mapped_column(
        StrEnumType(ImportStatus, 20), default=ImportStatus.STAGED, info=data_class("operational")
    )
    rows_imported: Mapped[int] = mapped_column(default=0, info=data_class("operational"))

    agency: Mapped[Agency] = relationship()
