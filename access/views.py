import base64
import secrets

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from access import alerts, sessions, signin, store
from access.audit import AuditAction, record_event
from access.models import AgencyKind, Role, User
from access.permissions import allow, allow_any_role, public, sign_in_step
from access.second_factor import new_recovery_codes, provisioning_uri
from extensions import db, limiter, utcnow
from forms.access import (
    AgencyForm,
    ApiTokenForm,
    ChangePasswordForm,
    NewPasswordForm,
    RecoveryCodeForm,
    SecondFactorForm,
    SignInForm,
    UserForm,
)

bp = Blueprint("access", __name__)

NEXT_KEY = "next"
SIGN_IN_FAILED_MESSAGE = (
    "The email address or password is not right, or the account cannot be used just now. "
    "Check them and try again. After 10 failed attempts an account is locked for 30 minutes; "
    "your administrator can unlock it sooner."
)


def sign_in_rate_limit():
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_rate_limit, methods=["POST"])
def sign_in():
    next_path = safe_next_path(request.args.get(NEXT_KEY))
    if request.method == "GET" and next_path and current_user.is_authenticated:
        # Signed in again in another tab: an older tab's "Sign in again" link just takes it back to its page.
        return redirect(next_path)
    form = SignInForm()
    if form.validate_on_submit():
        user = signin.check_password(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(SIGN_IN_FAILED_MESSAGE)
        else:
            return after_password_step(user)
    return render_template("access/sign-in.html", form=form)


def after_password_step(user: User):
    next_path = safe_next_path(request.args.get(NEXT_KEY))
    if signin.may_skip_second_factor(user):
        signin.complete_sign_in(user)
        return redirect(next_path or url_for("meetings.home"))
    signin.start_partial_sign_in(user)
    if next_path:
        session[NEXT_KEY] = next_path
    return redirect(url_for(signin.next_step_endpoint(user)))


def finish_sign_in(user: User):
    next_path = session.get(NEXT_KEY)
    signin.complete_sign_in(user)
    return redirect(next_path or url_for("meetings.home"))


def safe_next_path(value: str | None) -> str | None:
    """Only a path on this site: no scheme, host or backslash tricks."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(char) < 32 for char in value) or ":" in value.split("?")[0]:
        return None
    return value


@bp.route("/sign-in/continue")
@sign_in_step
def continue_sign_in():
    return redirect(url_for(signin.next_step_endpoint(sessions.current_partial_session().user)))


@bp.route("/sign-in/new-password", methods=["GET", "POST"])
@sign_in_step
def set_new_password():
    user = sessions.current_partial_session().user
    if not user.must_change_password:
        return redirect(url_for("access.continue_sign_in"))
    form = NewPasswordForm(context_words=context_words_for(user))
    if form.validate_on_submit():
        user.password_hash = signin.make_password_hash(form.password.data)
        user.must_change_password = False
        record_event(AuditAction.PASSWORD_CHANGED, user=user, object_type="user", object_id=user.id)
        db.session.commit()
        return redirect(url_for("access.continue_sign_in"))
    return render_template("access/set-new-password.html", form=form)


def context_words_for(user: User) -> tuple[str, ...]:
    return tuple(user.name.split()) + tuple(user.agency.name.split()) + (user.email.split("@")[0],)


@bp.route("/sign-in/set-up-security-code", methods=["GET", "POST"])
@sign_in_step
def set_up_second_factor():
    user = sessions.current_partial_session().user
    if user.has_second_factor or user.must_change_password:
        return redirect(url_for("access.continue_sign_in"))
    secret = user.totp_secret
    form = SecondFactorForm()
    if form.validate_on_submit():
        if signin.check_totp_code(user, form.code.data):
            return confirm_enrolment(user)
        form.code.errors.append("Enter the code your app shows now: this code is not right or has been used")
    uri = provisioning_uri(secret, user.email)
    return render_template(
        "access/set-up-second-factor.html",
        form=form,
        secret=secret,
        qr_code=base64.b64encode(segno.make(uri, error="m").svg_inline(scale=4).encode()).decode(),
    )


def confirm_enrolment(user: User):
    codes = new_recovery_codes()
    user.totp_enrolled_at = utcnow()
    store.replace_recovery_codes(user, [signin.make_password_hash(code) for code in codes])
    record_event(AuditAction.SECOND_FACTOR_ENROLLED, user=user, object_type="user", object_id=user.id)
    next_path = session.get(NEXT_KEY)
    signin.complete_sign_in(user)
    # Shown once, in this response only: never stored readable, never put in a cookie.
    return render_template("access/recovery-codes.html", codes=codes, next_path=next_path or url_for("meetings.home"))


@bp.route("/sign-in/security-code", methods=["GET", "POST"])
@sign_in_step
def verify_second_factor():
    user = sessions.current_partial_session().user
    if not user.has_second_factor:
        return redirect(url_for("access.continue_sign_in"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if signin.check_totp_code(user, form.code.data):
            return finish_sign_in(user)
        form.code.errors.append(
            "Enter the code your app shows now: this code is not right, has expired or has been used"
        )
    return render_template("access/verify-second-factor.html", form=form)


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
@sign_in_step
def use_recovery_code():
    user = sessions.current_partial_session().user
    if not user.has_second_factor:
        return redirect(url_for("access.continue_sign_in"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if signin.check_recovery_code(user, form.code.data):
            return finish_sign_in(user)
        form.code.errors.append("Enter a recovery code you have not used before, exactly as it was given to you")
    return render_template("access/use-recovery-code.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@allow_any_role
def sign_out():
    record_event(AuditAction.SIGN_OUT, user=current_user, object_type="user", object_id=current_user.id)
    sessions.end_session("signed-out")
    db.session.commit()
    response = redirect(url_for("access.signed_out"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/signed-out")
@public
def signed_out():
    return render_template("access/signed-out.html")


@bp.route("/session/time-left")
@allow_any_role
@sessions.leaves_idle_clock
def check_time_left():
    """Asked by the page before it warns: another tab may have kept the session alive meanwhile."""
    return time_left_response()


@bp.route("/session/stay-signed-in", methods=["POST"])
@allow_any_role
def stay_signed_in():
    """The person chose to stay signed in (S3): this request, unlike the check above, resets the idle clock."""
    return time_left_response()


def time_left_response():
    return jsonify(seconds_left=round(sessions.time_left(sessions.current_session(), utcnow()).total_seconds()))


@bp.route("/account/password", methods=["GET", "POST"])
@allow_any_role
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(context_words=context_words_for(user))
    if form.validate_on_submit():
        if signin.is_current_password(user, form.current_password.data):
            user.password_hash = signin.make_password_hash(form.password.data)
            store.revoke_sessions_for_user(user, "password-changed", keep=sessions.current_session())
            record_event(AuditAction.PASSWORD_CHANGED, user=user, object_type="user", object_id=user.id)
            db.session.commit()
            return render_template("access/password-changed.html")
        form.current_password.errors.append("Enter your current password correctly")
    return render_template("access/change-password.html", form=form)


@bp.route("/users")
@allow(Role.ADMIN)
def list_users():
    return render_template("access/list-users.html", users=store.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create_user():
    form = UserForm(agencies=store.list_agencies())
    if form.validate_on_submit():
        if store.get_user_by_email(form.email.data):
            form.email.errors.append("Enter a different email address: an account already uses this one")
        else:
            one_time_password = new_one_time_password()
            user = store.create_user(
                name=form.name.data,
                email=form.email.data,
                agency=store.get_agency(int(form.agency_id.data)),
                role=Role(form.role.data),
                password_hash=signin.make_password_hash(one_time_password),
            )
            user.active = form.active.data
            record_event(AuditAction.USER_CREATED, user=current_user, object_type="user", object_id=user.id)
            db.session.commit()
            return render_template("access/user-created.html", user=user, one_time_password=one_time_password)
    return render_template("access/create-user.html", form=form)


def new_one_time_password() -> str:
    return secrets.token_urlsafe(15)


def get_user_or_404(user_id: int) -> User:
    user = store.get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_user(user_id: int):
    user = get_user_or_404(user_id)
    form = UserForm(obj=user, agencies=store.list_agencies())
    if request.method == "GET":
        form.agency_id.data = str(user.agency_id)
    if form.validate_on_submit():
        problem = problem_with_user_change(user, form)
        if problem:
            form.form_errors.append(problem)
        else:
            apply_user_change(user, form)
            db.session.commit()
            return redirect(url_for("access.list_users"))
    return render_template("access/edit-user.html", form=form, user=user, locked=store.is_locked(user))


def problem_with_user_change(user: User, form: UserForm) -> str | None:
    other = store.get_user_by_email(form.email.data)
    if other is not None and other.id != user.id:
        return "Enter a different email address: another account already uses this one"
    if user.id == current_user.id and (form.role.data != Role.ADMIN or not form.active.data):
        return "You cannot remove your own administrator access. Ask another administrator to do it"
    return None


def apply_user_change(user: User, form: UserForm) -> None:
    was_active = user.active
    user.name = form.name.data
    user.email = form.email.data.lower()
    user.agency_id = int(form.agency_id.data)
    user.role = Role(form.role.data)
    user.active = form.active.data
    record_event(AuditAction.USER_CHANGED, user=current_user, object_type="user", object_id=user.id)
    if was_active and not user.active:
        store.revoke_sessions_for_user(user, "user-disabled")
        record_event(AuditAction.USER_DISABLED, user=current_user, object_type="user", object_id=user.id)
    elif user.active and not was_active:
        record_event(AuditAction.USER_ENABLED, user=current_user, object_type="user", object_id=user.id)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@allow(Role.ADMIN)
def unlock_user(user_id: int):
    user = get_user_or_404(user_id)
    user.locked_until = None
    user.failed_attempts = 0
    record_event(AuditAction.USER_CHANGED, user=current_user, object_type="user", object_id=user.id)
    db.session.commit()
    return redirect(url_for("access.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@allow(Role.ADMIN)
def reset_user_password(user_id: int):
    user = get_user_or_404(user_id)
    one_time_password = new_one_time_password()
    user.password_hash = signin.make_password_hash(one_time_password)
    user.must_change_password = True
    store.revoke_sessions_for_user(user, "password-reset")
    record_event(AuditAction.USER_PASSWORD_RESET, user=current_user, object_type="user", object_id=user.id)
    db.session.commit()
    return render_template("access/user-created.html", user=user, one_time_password=one_time_password, reset=True)


@bp.route("/agencies")
@allow(Role.ADMIN)
def list_agencies():
    return render_template("access/list-agencies.html", agencies=store.list_agencies())


@bp.route("/agencies/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create_agency():
    form = AgencyForm()
    if form.validate_on_submit():
        if store.get_agency_by_name(form.name.data):
            form.name.errors.append("Enter a different name: an agency with this name already exists")
        else:
            agency = store.create_agency(name=form.name.data, kind=AgencyKind(form.kind.data))
            record_event(AuditAction.AGENCY_CREATED, user=current_user, object_type="agency", object_id=agency.id)
            db.session.commit()
            return redirect(url_for("access.list_agencies"))
    return render_template("access/create-agency.html", form=form)


@bp.route("/api-tokens")
@allow(Role.ADMIN)
def list_api_tokens():
    return render_template("access/list-api-tokens.html", tokens=store.list_api_tokens())


@bp.route("/api-tokens/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def create_api_token():
    form = ApiTokenForm(agencies=store.list_agencies())
    if form.validate_on_submit():
        token = secrets.token_urlsafe(32)
        row = store.create_api_token(
            agency=store.get_agency(int(form.agency_id.data)), name=form.name.data, token=token, created_by=current_user
        )
        record_event(AuditAction.API_TOKEN_CREATED, user=current_user, object_type="api-token", object_id=row.id)
        db.session.commit()
        return render_template("access/api-token-created.html", token=token, row=row)
    return render_template("access/create-api-token.html", form=form)


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@allow(Role.ADMIN)
def revoke_api_token(token_id: int):
    row = store.get_api_token(token_id)
    if row is None:
        abort(404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record_event(AuditAction.API_TOKEN_REVOKED, user=current_user, object_type="api-token", object_id=row.id)
        db.session.commit()
    return redirect(url_for("access.list_api_tokens"))


@bp.route("/alerts")
@allow(Role.COORDINATOR)
def list_alerts():
    return render_template("access/list-alerts.html", alerts=alerts.list_alerts())


@bp.route("/alerts/<int:alert_id>/seen", methods=["POST"])
@allow(Role.COORDINATOR)
def mark_alert_seen(alert_id):
    alert = alerts.get_alert(alert_id)
    if alert is None:
        abort(404)
    alerts.mark_seen(alert, by=current_user)
    db.session.commit()
    flash("Marked as looked at.")
    return redirect(url_for("access.list_alerts"))
