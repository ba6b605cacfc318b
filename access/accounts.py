"""Accounts, agencies and API tokens, as the administrator and each user change them: every change audited."""

import secrets
from dataclasses import dataclass

from flask import current_app

from access import sessions, signin, store
from access.audit import AuditAction, record_event
from access.models import Agency, AgencyKind, ApiToken, Role, User
from extensions import utcnow


@dataclass(frozen=True)
class UserChange:
    name: str
    email: str
    agency_id: int
    role: Role
    active: bool


def problem_with_user_change(user: User, change: UserChange, *, by: User) -> str | None:
    other = store.get_user_by_email(change.email)
    if other is not None and other.id != user.id:
        return "Enter a different email address: another account already uses this one"
    if user.id == by.id and (change.role is not Role.ADMIN or not change.active):
        return "You cannot remove your own administrator access. Ask another administrator to do it"
    return None


def apply_user_change(user: User, change: UserChange, *, by: User) -> None:
    was_active = user.active
    user.name = change.name
    user.email = change.email.lower()
    user.agency_id = change.agency_id
    user.role = change.role
    user.active = change.active
    record_event(AuditAction.USER_CHANGED, user=by, object_type="user", object_id=user.id)
    if was_active and not user.active:
        store.revoke_sessions_for_user(user, "user-disabled")
        record_event(AuditAction.USER_DISABLED, user=by, object_type="user", object_id=user.id)
    elif user.active and not was_active:
        record_event(AuditAction.USER_ENABLED, user=by, object_type="user", object_id=user.id)


def new_one_time_password() -> str:
    return secrets.token_urlsafe(15)


def give_one_time_password(user: User, lifetime_setting: str) -> str:
    """A10: a new one-time password for the user, working once until NEW_ACCOUNT_ or RESET_PASSWORD_LIFETIME ends."""
    one_time_password = new_one_time_password()
    user.password_hash = signin.make_password_hash(one_time_password)
    user.must_change_password = True
    user.one_time_password_expires_at = utcnow() + current_app.config[lifetime_setting]
    return one_time_password


def change_own_password(user: User, *, current_password: str, new_password: str) -> bool:
    """False, and nothing changed, unless the current password is right; other sessions end."""
    if not signin.is_current_password(user, current_password):
        return False
    user.password_hash = signin.make_password_hash(new_password)
    store.revoke_sessions_for_user(user, "password-changed", keep=sessions.current_session())
    record_event(AuditAction.PASSWORD_CHANGED, user=user, object_type="user", object_id=user.id)
    return True


def create_user(*, name: str, email: str, agency_id: int, role: Role, active: bool, by: User) -> tuple[User, str]:
    """The new account and the one-time password to give its holder, who must change it at first sign-in."""
    user = store.create_user(
        name=name, email=email, agency=store.get_agency(agency_id), role=role, password_hash="not-yet-given"
    )
    one_time_password = give_one_time_password(user, "NEW_ACCOUNT_PASSWORD_LIFETIME")
    user.active = active
    record_event(AuditAction.USER_CREATED, user=by, object_type="user", object_id=user.id)
    return user, one_time_password


def unlock_user(user: User, *, by: User) -> None:
    user.locked_until = None
    user.failed_attempts = 0
    record_event(AuditAction.USER_CHANGED, user=by, object_type="user", object_id=user.id)


def reset_password(user: User, *, by: User) -> str:
    """A new one-time password for the user; their sessions end. Their security code app stays: a reset
    never skips the security code (A10)."""
    one_time_password = give_one_time_password(user, "RESET_PASSWORD_LIFETIME")
    store.revoke_sessions_for_user(user, "password-reset")
    record_event(AuditAction.USER_PASSWORD_RESET, user=by, object_type="user", object_id=user.id)
    return one_time_password


def create_agency(*, name: str, kind: AgencyKind, by: User) -> Agency:
    agency = store.create_agency(name=name, kind=kind)
    record_event(AuditAction.AGENCY_CREATED, user=by, object_type="agency", object_id=agency.id)
    return agency


def create_api_token(*, agency_id: int, name: str, by: User) -> tuple[ApiToken, str]:
    """The token's row and the token itself, shown once: only its hash is kept."""
    token = secrets.token_urlsafe(32)
    row = store.create_api_token(agency=store.get_agency(agency_id), name=name, token=token, created_by=by)
    record_event(AuditAction.API_TOKEN_CREATED, user=by, object_type="api-token", object_id=row.id)
    return row, token


def revoke_api_token(row: ApiToken, *, by: User) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_event(AuditAction.API_TOKEN_REVOKED, user=by, object_type="api-token", object_id=row.id)
