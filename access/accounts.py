"""Changing a user's account, as the administrator does: the checks and the change, each audited."""

from dataclasses import dataclass

from access import store
from access.audit import AuditAction, record_event
from access.models import Role, User


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
