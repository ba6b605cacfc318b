"""The server-side session registry.

The signed Flask cookie carries only a random token; the registry row (found by the token's
SHA-256) is what makes a session live. Revoking the row ends the session wherever the cookie is.
"""

import secrets

from flask import current_app, g, request, session

from access import store
from access.audit import AuditAction, record_event
from access.models import Role, SessionStage, User, UserSession
from extensions import db, utcnow

TOKEN_KEY = "sid"


def begin_session(user: User, stage: SessionStage) -> UserSession:
    """Start a fresh session: new token, old cookie contents (and CSRF token) discarded."""
    token = secrets.token_urlsafe(32)
    session.clear()
    session[TOKEN_KEY] = token
    row = store.create_session(
        user=user, token=token, stage=stage, ip=request.remote_addr, user_agent=request.user_agent.string
    )
    g.registry_session = row
    return row


def current_session() -> UserSession | None:
    if "registry_session" not in g:
        g.registry_session = _load_live_session()
    return g.registry_session


def current_complete_session() -> UserSession | None:
    row = current_session()
    return row if row and row.stage is SessionStage.COMPLETE else None


def current_partial_session() -> UserSession | None:
    row = current_session()
    return row if row and row.stage is SessionStage.PASSWORD else None


def _load_live_session() -> UserSession | None:
    token = session.get(TOKEN_KEY)
    if not token:
        return None
    row = store.get_live_session(token)
    if row is None or not row.user.active:
        session.clear()
        return None
    now = utcnow()
    if has_expired(row, now):
        store.revoke_session(row, "expired")
        record_event(AuditAction.SESSION_EXPIRED, user=row.user, object_type="session", object_id=row.id)
        db.session.commit()
        session.clear()
        return None
    row.last_seen_at = now
    db.session.commit()
    return row


def has_expired(row: UserSession, now) -> bool:
    config = current_app.config
    idle_limit = config["ADMIN_IDLE_TIMEOUT"] if row.user.role == Role.ADMIN else config["IDLE_TIMEOUT"]
    return now - row.last_seen_at > idle_limit or now - row.created_at > config["ABSOLUTE_TIMEOUT"]


def end_session(reason: str) -> None:
    row = current_session()
    if row is not None:
        store.revoke_session(row, reason)
    session.clear()
    g.registry_session = None


def limit_concurrent_sessions(user: User) -> None:
    """Keep the newest sessions up to the limit; older ones are revoked."""
    for old in store.list_live_complete_sessions(user)[current_app.config["MAX_SESSIONS_PER_USER"]:]:
        store.revoke_session(old, "session-limit")


def load_signed_in_user(_request) -> User | None:
    row = current_complete_session()
    return row.user if row else None
