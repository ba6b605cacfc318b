"""Every query the access package makes, as a named function."""

import hashlib
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, Row, Select, and_, false, func, or_, select, update

from access.models import (
    Agency,
    ApiToken,
    AuditEvent,
    RecoveryCode,
    Role,
    SessionStage,
    User,
    UserSession,
)
from extensions import db, utcnow


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).join(User.agency).order_by(Agency.name, User.name)))


def list_demo_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_demo).order_by(User.id)))


def list_active_users(role: Role, agency_ids: list[int] | None = None) -> list[User]:
    """Everyone active in this role (of these agencies, when given): the people a notification may go to."""
    query = select(User).where(User.active, User.role == role)
    if agency_ids is not None:
        query = query.where(User.agency_id.in_(agency_ids))
    return list(db.session.scalars(query.order_by(User.id)))


def list_active_users_unused_since(cutoff: datetime) -> list[User]:
    """Active accounts with no sign-in since the cutoff (or, never signed in, made before it)."""
    unused = or_(User.last_sign_in_at < cutoff, and_(User.last_sign_in_at.is_(None), User.created_at < cutoff))
    return list(db.session.scalars(select(User).where(User.active, unused).order_by(User.id)))


def create_user(*, name, email, agency, role: Role, password_hash, is_demo=False) -> User:
    user = User(
        name=name.strip(),
        email=email.strip().lower(),
        agency=agency,
        role=role,
        password_hash=password_hash,
        is_demo=is_demo,
        must_change_password=not is_demo,
    )
    db.session.add(user)
    db.session.flush()
    return user


def get_agency(agency_id: int) -> Agency | None:
    return db.session.get(Agency, agency_id)


def get_agency_by_name(name: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(func.lower(Agency.name) == name.strip().lower()))


def list_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name)))


def create_agency(*, name, kind) -> Agency:
    agency = Agency(name=name.strip(), kind=kind)
    db.session.add(agency)
    db.session.flush()
    return agency


def claim_totp_timecode(user: User, timecode: int) -> bool:
    """Atomically record a used TOTP timecode; False if it, or a later one, was used already."""
    result = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .where(or_(User.totp_last_timecode.is_(None), User.totp_last_timecode < timecode))
        .values(totp_last_timecode=timecode)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        user.totp_last_timecode = timecode
        return True
    return False


def replace_recovery_codes(user: User, code_hashes: list[str]) -> None:
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=h) for h in code_hashes)


def list_unused_recovery_codes(user: User) -> list[RecoveryCode]:
    return list(
        db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))
    )


def mark_recovery_code_used(code: RecoveryCode) -> bool:
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == code.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def create_session(*, user: User, token: str, stage: SessionStage, ip, user_agent) -> UserSession:
    row = UserSession(
        token_hash=token_hash(token),
        user=user,
        stage=stage,
        ip=ip,
        user_agent=(user_agent or "")[:200],
    )
    db.session.add(row)
    db.session.flush()
    return row


def get_live_session(token: str) -> UserSession | None:
    return db.session.scalar(
        select(UserSession).where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
    )


def get_session(session_id: int) -> UserSession | None:
    return db.session.get(UserSession, session_id)


def revoke_session(row: UserSession, reason: str) -> None:
    row.revoked_at = utcnow()
    row.revoked_reason = reason


def revoke_sessions_for_user(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    query = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.session.execute(query).rowcount


def revoke_sessions_for_users(users: list[User], reason: str) -> int:
    query = (
        update(UserSession)
        .where(UserSession.user_id.in_([user.id for user in users]), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(query).rowcount


def list_live_complete_sessions(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.stage == SessionStage.COMPLETE,
                UserSession.revoked_at.is_(None),
            )
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        )
    )


def record_failed_attempt(user: User, threshold: int, lock_until: datetime) -> bool:
    """Count a failure in the database (so it holds across workers); True if it locks the account."""
    failures = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_attempts=User.failed_attempts + 1)
        .returning(User.failed_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    user.failed_attempts = failures
    if failures < threshold:
        return False
    user.failed_attempts = 0
    user.locked_until = lock_until
    return True


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def record_successful_sign_in(user: User) -> None:
    user.failed_attempts = 0
    user.locked_until = None
    user.last_sign_in_at = utcnow()


def create_api_token(*, agency: Agency, name: str, token: str, created_by: User) -> ApiToken:
    row = ApiToken(
        agency=agency, name=name.strip(), token_hash=token_hash(token), prefix=token[:8], created_by_id=created_by.id
    )
    db.session.add(row)
    db.session.flush()
    return row


def get_api_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


def get_live_api_token(token: str) -> ApiToken | None:
    return db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    )


def list_api_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).join(ApiToken.agency).order_by(Agency.name, ApiToken.created_at)))


# The audit trail, read by the who-saw-what reports (SECURITY L8). Each query is built by a named function
# (so the benchmark and the index test run exactly what the pages run) and reads on an index:
# ix_audit_event_object for events about objects, ix_audit_event_user for one user's events.


def audit_events_about_query(
    objects: Mapping[str, Collection[str]], since: datetime | None, until: datetime | None
) -> Select:
    """Events about any of these objects (ids by object type), in the period, newest first."""
    about = [
        and_(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(sorted(ids)))
        for object_type, ids in objects.items()
        if ids
    ]
    return audit_report_rows(or_(false(), *about), *in_period(since, until))


def audit_events_by_user_query(user_id: int, since: datetime | None, until: datetime | None) -> Select:
    """Everything this user did, in the period, newest first."""
    return audit_report_rows(AuditEvent.user_id == user_id, *in_period(since, until))


def audit_report_rows(*conditions: ColumnElement[bool]) -> Select:
    """An event with who did it: their name and role now, and the agency they acted for then."""
    return (
        select(
            AuditEvent.id,
            AuditEvent.occurred_at,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.ip,
            AuditEvent.user_id,
            User.name.label("user_name"),
            User.role.label("user_role"),
            Agency.name.label("agency_name"),
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Agency, Agency.id == AuditEvent.agency_id)
        .where(*conditions)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )


def in_period(since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    """From since (inclusive) to until (exclusive); either end may be open."""
    bounds = []
    if since is not None:
        bounds.append(AuditEvent.occurred_at >= since)
    if until is not None:
        bounds.append(AuditEvent.occurred_at < until)
    return bounds


def counted(query: Select) -> Select:
    """How many events a report query finds, for paging: its conditions alone, without the joins."""
    return select(func.count()).select_from(AuditEvent).where(query.whereclause)


def count_audit_events(query: Select) -> int:
    return db.session.scalar(counted(query))


def list_audit_events(query: Select, *, offset: int = 0, limit: int | None = None) -> list[Row]:
    return list(db.session.execute(query.offset(offset).limit(limit)))


def get_user_by_email_or_id(typed: str) -> User | None:
    """The user an auditor names: by e-mail address, or by the account number the audit trail holds."""
    typed = typed.strip()
    return get_user(int(typed)) if typed.isdigit() else get_user_by_email(typed)


def list_case_views(case_id: str) -> list[tuple[datetime, str | None]]:
    """Each time someone opened the case: when, and from which agency (a subject access request may ask)."""
    query = (
        select(AuditEvent.occurred_at, Agency.name)
        .outerjoin(Agency, AuditEvent.agency_id == Agency.id)
        .where(AuditEvent.action == "case-viewed", AuditEvent.object_type == "case", AuditEvent.object_id == case_id)
        .order_by(AuditEvent.id)
    )
    return [(occurred_at, agency) for occurred_at, agency in db.session.execute(query)]


def list_documents_downloaded(document_id_patterns: list[str]) -> list[tuple[datetime, str, str | None]]:
    """Each download of a document whose id is like one of the patterns (SQL LIKE): when, the document id,
    and the agency it went to."""
    if not document_id_patterns:
        return []
    query = (
        select(AuditEvent.occurred_at, AuditEvent.object_id, Agency.name)
        .outerjoin(Agency, AuditEvent.agency_id == Agency.id)
        .where(
            AuditEvent.action == "document-downloaded",
            AuditEvent.object_type == "document",
            or_(*(AuditEvent.object_id.like(pattern) for pattern in document_id_patterns)),
        )
        .order_by(AuditEvent.id)
    )
    return [(occurred_at, document_id, agency) for occurred_at, document_id, agency in db.session.execute(query)]
