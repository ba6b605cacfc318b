"""The sign-in journey: password, then (first time) a new password and TOTP enrolment, then TOTP.

Every failure looks the same from outside; the reason goes only to the audit trail.
"""

from flask import current_app

from access import sessions, store
from access.audit import AuditAction, record_event
from access.models import SessionStage, User
from access.passwords import hash_password, make_hasher, verify_password
from access.second_factor import matching_timecode, new_recovery_codes, new_totp_secret, normalise_recovery_code
from extensions import utcnow

TIMING_DUMMY_PASSWORD = "timing-equaliser-for-unknown-accounts"
ONE_TIME_PASSWORD_EXPIRED = "This one-time password has expired. Ask your administrator for a new one."
ACCOUNT_DISABLED = "Your account has been disabled. Contact your administrator."


class SignInRefused(Exception):
    """The password was right but the account may not sign in with it; the message says what to do. Raised only
    after the right password, so it tells nothing to someone who does not know it."""


def hasher():
    return make_hasher(current_app.config["PASSWORD_HASH_PARAMETERS"])


def make_password_hash(password: str) -> str:
    return hash_password(hasher(), password)


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("marac_dummy_hash", {})
    if "hash" not in cache:
        cache["hash"] = make_password_hash(TIMING_DUMMY_PASSWORD)
    return cache["hash"]


def check_password(email: str, password: str) -> User | None:
    """The user if the password is right and the account may sign in; None otherwise. SignInRefused if the
    password is right but the account is disabled or it is a one-time password that is spent or expired."""
    user = store.get_user_by_email(email)
    if user is None:
        verify_password(hasher(), _dummy_hash(), password)
        record_event(AuditAction.SIGN_IN_FAILED, object_type="user")
        return None
    password_ok = verify_password(hasher(), user.password_hash, password)
    if password_ok and not user.active:
        record_event(AuditAction.SIGN_IN_DISABLED, user=user, object_type="user", object_id=user.id)
        raise SignInRefused(ACCOUNT_DISABLED)
    if password_ok and not store.is_locked(user):
        if user.must_change_password:
            spend_one_time_password(user)
        if hasher().check_needs_rehash(user.password_hash):
            user.password_hash = make_password_hash(password)
        return user
    if user.active and not store.is_locked(user):
        record_failure(user, AuditAction.SIGN_IN_FAILED)
    else:
        record_event(AuditAction.SIGN_IN_FAILED, user=user, object_type="user", object_id=user.id)
    return None


def spend_one_time_password(user: User) -> None:
    """A10: it works once, and only until it expires (no recorded expiry: made before expiry existed, so refused)."""
    now = utcnow()
    expires_at = user.one_time_password_expires_at
    if expires_at is None or expires_at <= now:
        record_event(AuditAction.ONE_TIME_PASSWORD_EXPIRED, user=user, object_type="user", object_id=user.id)
        raise SignInRefused(ONE_TIME_PASSWORD_EXPIRED)
    user.one_time_password_expires_at = now


def record_failure(user: User, action: AuditAction) -> None:
    config = current_app.config
    record_event(action, user=user, object_type="user", object_id=user.id)
    locked = store.record_failed_attempt(user, config["LOCKOUT_THRESHOLD"], utcnow() + config["LOCKOUT_DURATION"])
    if locked:
        record_event(AuditAction.ACCOUNT_LOCKED, user=user, object_type="user", object_id=user.id)


def is_current_password(user: User, password: str) -> bool:
    return verify_password(hasher(), user.password_hash, password)


def start_partial_sign_in(user: User) -> None:
    if not user.has_second_factor and user.totp_secret is None:
        # Made here, on a POST, so that the set-up page only ever reads.
        user.totp_secret = new_totp_secret()
    sessions.begin_session(user, SessionStage.PASSWORD)


def may_skip_second_factor(user: User) -> bool:
    return bool(current_app.config["DEMO_MODE"] and user.is_demo)


def next_step_endpoint(user: User) -> str:
    if user.must_change_password:
        return "access.set_new_password"
    if may_skip_second_factor(user):
        return "access.finish_sign_in"
    if not user.has_second_factor:
        return "access.set_up_second_factor"
    return "access.verify_second_factor"


def check_totp_code(user: User, code: str) -> bool:
    """True once per code; a wrong, stale or reused code counts as a failure."""
    if store.is_locked(user):
        record_event(AuditAction.SECOND_FACTOR_FAILED, user=user, object_type="user", object_id=user.id)
        return False
    timecode = matching_timecode(user.totp_secret, code, utcnow())
    if timecode is not None and store.claim_totp_timecode(user, timecode):
        return True
    record_failure(user, AuditAction.SECOND_FACTOR_FAILED)
    return False


def check_recovery_code(user: User, code: str) -> bool:
    if not store.is_locked(user):
        candidate = normalise_recovery_code(code)
        for stored in store.list_unused_recovery_codes(user):
            if verify_password(hasher(), stored.code_hash, candidate) and store.mark_recovery_code_used(stored):
                record_event(AuditAction.RECOVERY_CODE_USED, user=user, object_type="user", object_id=user.id)
                return True
    record_failure(user, AuditAction.SECOND_FACTOR_FAILED)
    return False


def complete_sign_in(user: User) -> None:
    partial = sessions.current_partial_session()
    if partial is not None:
        store.revoke_session(partial, "second-factor-passed")
    store.record_successful_sign_in(user)
    sessions.begin_session(user, SessionStage.COMPLETE)
    sessions.limit_concurrent_sessions(user)
    record_event(AuditAction.SIGN_IN, user=user, object_type="user", object_id=user.id)


def set_first_password(user: User, password: str) -> None:
    """The user's own password in place of the one-time password they were given."""
    user.password_hash = make_password_hash(password)
    user.must_change_password = False
    user.one_time_password_expires_at = None
    record_event(AuditAction.PASSWORD_CHANGED, user=user, object_type="user", object_id=user.id)


def enrol_second_factor(user: User) -> list[str]:
    """Confirms the security-code app; returns the recovery codes, to be shown once and kept only as hashes."""
    codes = new_recovery_codes()
    user.totp_enrolled_at = utcnow()
    store.replace_recovery_codes(user, [make_password_hash(code) for code in codes])
    record_event(AuditAction.SECOND_FACTOR_ENROLLED, user=user, object_type="user", object_id=user.id)
    return codes


def sign_out(user: User) -> None:
    record_event(AuditAction.SIGN_OUT, user=user, object_type="user", object_id=user.id)
    sessions.end_session("signed-out")
