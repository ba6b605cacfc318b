"""The server-side session registry.

The signed Flask cookie carries only a random token; the registry row (found by the token's
SHA-256) is what makes a session live. Revoking the row ends the session wherever the cookie is.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request, session

from access import policy, store
from access.audit import AuditAction, record_event
from access.models import Role, SessionStage, User, UserSession
from extensions import utcnow

TOKEN_KEY = "sid"
# The last-seen time is written when it has moved by this share of the idle limit (a minute of thirty), not on
# every page: most pages then write nothing to the session (issue 20). The session can end up to one step sooner
# than the person's last page plus the limit, never later, so a page 29 minutes after the last is still served
# (S3); the page's countdown is worked out from the time written, so it stays exact.
LAST_SEEN_STEPS_PER_IDLE_LIMIT = 30


def begin_session(user: User, stage: SessionStage) -> UserSession:
    """Start a fresh session: new token, old cookie contents (and CSRF token) discarded."""
    token = secrets.token_urlsafe(32)
    session.clear()
    session[TOKEN_KEY] = token
    row = store.create_session(
        user=user, token=token, stage=stage, ip=request.remote_addr, user_agent=request.user_agent.string
    )
    if stage is SessionStage.COMPLETE:
        # Only a finished sign-in has proved who it is in full; step-up (S6) counts from here.
        row.authenticated_at = row.created_at
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
        session.clear()
        return None
    if request_refreshes_session() and idle_clock_has_moved_a_step(row, now):
        row.last_seen_at = now
    return row


def reset_idle_clock(row: UserSession) -> None:
    """The person chose to stay signed in: the full idle limit from now, whenever the clock was last written."""
    row.last_seen_at = utcnow()


def idle_clock_has_moved_a_step(row: UserSession, now: datetime) -> bool:
    return now - row.last_seen_at >= idle_limit(row.user) / LAST_SEEN_STEPS_PER_IDLE_LIMIT


def idle_limit(user: User) -> timedelta:
    config = current_app.config
    return config["ADMIN_IDLE_TIMEOUT"] if user.role in (Role.ADMIN, Role.AUDITOR) else config["IDLE_TIMEOUT"]


def has_expired(row: UserSession, now: datetime) -> bool:
    return (
        now - row.last_seen_at > idle_limit(row.user) or now - row.created_at > current_app.config["ABSOLUTE_TIMEOUT"]
    )


def time_left(row: UserSession, now: datetime) -> timedelta:
    """Until the idle limit or the absolute limit, whichever comes first."""
    ends_at = min(row.last_seen_at + idle_limit(row.user), row.created_at + current_app.config["ABSOLUTE_TIMEOUT"])
    return max(ends_at - now, timedelta(0))


def leaves_idle_clock(view):
    """For requests a page makes by itself, such as asking how long is left: they must not keep a session
    alive (S3), or an open tab would never time out. Only what the person does resets the clock."""
    view.refreshes_session = False
    return view


def request_refreshes_session() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "refreshes_session", True)


@dataclass(frozen=True)
class PageTimeout:
    """What a signed-in page tells its script, so it can warn before the idle sign-out (S3)."""

    seconds_left: int
    idle_seconds: int
    warn_seconds: int
    absolute_hours: int

    @property
    def idle_minutes(self) -> int:
        return self.idle_seconds // 60


def page_timeout() -> PageTimeout:
    row = current_complete_session()
    config = current_app.config
    return PageTimeout(
        seconds_left=round(time_left(row, utcnow()).total_seconds()),
        idle_seconds=int(idle_limit(row.user).total_seconds()),
        warn_seconds=int(config["IDLE_WARNING"].total_seconds()),
        absolute_hours=int(config["ABSOLUTE_TIMEOUT"].total_seconds() // 3600),
    )


def timeout_context() -> dict:
    return {"page_timeout": page_timeout}


def end_session(reason: str) -> None:
    row = current_session()
    if row is not None:
        store.revoke_session(row, reason)
    session.clear()
    g.registry_session = None


def limit_concurrent_sessions(user: User) -> None:
    """Keep the newest sessions up to the limit; older ones are revoked."""
    for old in store.list_live_complete_sessions(user)[current_app.config["MAX_SESSIONS_PER_USER"] :]:
        store.revoke_session(old, "session-limit")


def live_sessions_of(user: User) -> list[UserSession]:
    """The user's signed-in browsers, newest first: those past a time limit are already over, so not listed."""
    now = utcnow()
    return [row for row in store.list_live_complete_sessions(user) if not has_expired(row, now)]


def other_live_session(user: User, session_id: int) -> UserSession | None:
    """One of the user's other live sessions, or None: someone else's (policy), this browser's (signing out
    ends that) or one already over."""
    row = store.get_session(session_id)
    if row is None or not policy.may_end_session(user, policy.SessionScope(owner_id=row.user_id)):
        return None
    if row.id == current_session().id or row not in live_sessions_of(user):
        return None
    return row


def end_other_session(row: UserSession, *, by: User) -> None:
    store.revoke_session(row, "ended-by-user")
    record_event(AuditAction.SESSION_ENDED, user=by, object_type="session", object_id=row.id)


def end_other_sessions(user: User) -> int:
    ended = store.revoke_sessions_for_user(user, "ended-by-user", keep=current_session())
    record_event(AuditAction.OTHER_SESSIONS_ENDED, user=user, object_type="user", object_id=user.id)
    return ended


def end_all_sessions_of(user: User, *, by: User) -> int:
    """The administrator signs one person out everywhere (a lost laptop, a leaver)."""
    ended = store.revoke_sessions_for_user(user, "ended-by-admin")
    record_event(AuditAction.USER_SESSIONS_ENDED, user=by, object_type="user", object_id=user.id)
    return ended


def load_signed_in_user(_request) -> User | None:
    row = current_complete_session()
    return row.user if row else None
