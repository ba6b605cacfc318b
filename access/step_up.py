"""Step-up (S6): before a bulk export or a change to security settings, a session that last proved who it is
(password and security code) more than STEP_UP_WINDOW ago is asked to do so again.

`requires_step_up` goes on any view, under its access declaration. A GET comes back to the same URL once
confirmed; a form sent (POST) comes back to its page, which says to press the button again: nothing was
done, and nothing the person typed is kept outside their own browser.
"""

from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, redirect, request, url_for

from access import sessions, signin, store
from access.audit import AuditAction, record_event
from access.models import User, UserSession
from access.permissions import return_path
from extensions import utcnow

STEP_UP_ENDPOINT = "access.confirm_it_is_you"
AGAIN_KEY = "again"


def is_recently_confirmed(row: UserSession) -> bool:
    confirmed_at = row.authenticated_at
    return confirmed_at is not None and utcnow() - confirmed_at <= current_app.config["STEP_UP_WINDOW"]


def requires_step_up(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        row = sessions.current_complete_session()
        if row is not None and is_recently_confirmed(row):
            return view(*args, **kwargs)
        if request.method == "GET":
            return redirect(url_for(STEP_UP_ENDPOINT, next=request.full_path.rstrip("?")))
        return redirect(url_for(STEP_UP_ENDPOINT, next=form_page(), **{AGAIN_KEY: 1}))

    guarded.requires_step_up = True
    return guarded


def form_page() -> str:
    """The page the form was sent from: the same URL if it has a page, else the page that sent it."""
    path = return_path()
    if path:
        return path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path
    return url_for("meetings.home")


def confirm_it_is_you(user: User, *, password: str, code: str | None) -> bool:
    """True, and the session counts as confirmed now, if the password (and the security code, when the
    account signs in with one) are right. A wrong one counts towards the lock, as at sign-in."""
    if store.is_locked(user):
        record_event(AuditAction.STEP_UP_FAILED, user=user, object_type="user", object_id=user.id)
        return False
    if not signin.is_current_password(user, password):
        signin.record_failure(user, AuditAction.STEP_UP_FAILED)
        return False
    if code is not None and not signin.check_totp_code(user, code):
        return False
    row = sessions.current_complete_session()
    row.authenticated_at = utcnow()
    user.failed_attempts = 0
    record_event(AuditAction.STEP_UP, user=user, object_type="session", object_id=row.id)
    return True


def needs_security_code(user: User) -> bool:
    """As at sign-in: demo accounts in demo mode have no second factor, so the password alone."""
    return not signin.may_skip_second_factor(user)


def sign_out_if_locked(user: User) -> bool:
    """Too many failures lock the account, and a session that cannot prove who it is is ended everywhere."""
    if not store.is_locked(user):
        return False
    store.revoke_sessions_for_user(user, "locked-at-step-up")
    sessions.end_session("locked-at-step-up")
    return True
