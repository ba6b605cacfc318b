from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.field_crypto import EncryptedText
from access.vocabulary import AgencyKind, AlertKind, Role, SessionStage
from extensions import StrEnumType, UTCDateTime, data_class, db, retention, utcnow


class Agency(db.Model):
    __tablename__ = "agency"
    __table_args__ = retention("operational")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    name: Mapped[str] = mapped_column(String(120), unique=True, info=data_class("operational"))
    kind: Mapped[AgencyKind] = mapped_column(StrEnumType(AgencyKind), info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = retention("account")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    name: Mapped[str] = mapped_column(String(100), info=data_class("personal"))
    email: Mapped[str] = mapped_column(String(254), unique=True, info=data_class("personal"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 20), info=data_class("operational"))
    active: Mapped[bool] = mapped_column(default=True, info=data_class("operational"))
    is_demo: Mapped[bool] = mapped_column(default=False, info=data_class("operational"))
    password_hash: Mapped[str] = mapped_column(String(255), info=data_class("operational"))
    must_change_password: Mapped[bool] = mapped_column(default=True, info=data_class("operational"))
    totp_secret: Mapped[str | None] = mapped_column(
        EncryptedText("user_account.totp_secret"), info=data_class("operational")
    )
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    totp_last_timecode: Mapped[int | None] = mapped_column(info=data_class("operational"))
    failed_attempts: Mapped[int] = mapped_column(default=0, info=data_class("operational"))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    one_time_password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    """A10: when the one-time password stops working; set to the moment of its first use, so it works once."""

    agency: Mapped[Agency] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enrolled_at is not None


class RecoveryCode(db.Model):
    __tablename__ = "recovery_code"
    __table_args__ = retention("account")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True, info=data_class("operational"))
    code_hash: Mapped[str] = mapped_column(String(255), info=data_class("operational"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))


class UserSession(db.Model):
    """One row per signed-in browser; the cookie carries only a random token whose hash is here."""

    __tablename__ = "user_session"
    __table_args__ = retention("session")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=data_class("operational"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True, info=data_class("operational"))
    stage: Mapped[SessionStage] = mapped_column(StrEnumType(SessionStage, 20), info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    revoked_reason: Mapped[str | None] = mapped_column(String(40), info=data_class("operational"))
    ip: Mapped[str | None] = mapped_column(String(45), info=data_class("personal"))
    user_agent: Mapped[str | None] = mapped_column(String(200), info=data_class("personal"))
    authenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    """S6: the last time this session proved who it is in full (sign-in or step-up)."""

    user: Mapped[User] = relationship(lazy="joined")


class AuditEvent(db.Model):
    """Append-only and hash-chained: row_hash is an HMAC, keyed with MARAC_AUDIT_KEY, of the row and the
    previous row's hash."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("row_hash"),
        Index("ix_audit_event_object", "object_type", "object_id", "occurred_at"),
        Index("ix_audit_event_user", "user_id", "occurred_at"),
        retention("audit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, info=data_class("operational"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, info=data_class("operational"))
    user_id: Mapped[int | None] = mapped_column(info=data_class("operational"))
    agency_id: Mapped[int | None] = mapped_column(info=data_class("operational"))
    action: Mapped[str] = mapped_column(String(60), info=data_class("operational"))
    object_type: Mapped[str | None] = mapped_column(String(60), info=data_class("operational"))
    object_id: Mapped[str | None] = mapped_column(String(64), info=data_class("operational"))
    ip: Mapped[str | None] = mapped_column(String(45), info=data_class("personal"))
    prev_hash: Mapped[str] = mapped_column(String(64), info=data_class("operational"))
    row_hash: Mapped[str] = mapped_column(String(64), info=data_class("operational"))
    severity: Mapped[str | None] = mapped_column(String(10), info=data_class("operational"))
    """"high" for what someone must look at (break-glass use); None for the everyday record."""


class SecurityAlert(db.Model):
    """Something the MARAC coordinator must look at: who did it, to what, and whether it has been seen."""

    __tablename__ = "security_alert"
    __table_args__ = retention("audit")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    kind: Mapped[AlertKind] = mapped_column(StrEnumType(AlertKind, 30), info=data_class("operational"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True, info=data_class("operational"))
    object_type: Mapped[str | None] = mapped_column(String(60), info=data_class("operational"))
    object_id: Mapped[str | None] = mapped_column(String(64), info=data_class("operational"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info=data_class("operational"))
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ApiToken(db.Model):
    """A per-agency token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __table_args__ = retention("account")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True, info=data_class("operational"))
    name: Mapped[str] = mapped_column(String(100), info=data_class("operational"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=data_class("operational"))
    prefix: Mapped[str] = mapped_column(String(12), info=data_class("operational"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))

    agency: Mapped[Agency] = relationship(lazy="joined")


class Notification(db.Model):
    """A line in one person's in-app notifications. It names no person: a case is named by its reference
    (case_id is kept so that the list can leave out a case the reader may no longer see)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"), retention("notification"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    message: Mapped[str] = mapped_column(String(300), info=data_class("personal"))
    link: Mapped[str | None] = mapped_column(String(500), info=data_class("operational"))
    case_id: Mapped[str | None] = mapped_column(String(36), info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
