"""Signing in with a password and a security code, signing out, and the session's time left."""

import base64

import segno
from flask import (
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from access import password_policy, sessions, signin
from access.models import User
from access.permissions import allow_any_role, public, sign_in_step
from access.second_factor import provisioning_uri
from access.views import bp
from extensions import limiter, utcnow
from forms.access import (
    NewPasswordForm,
    RecoveryCodeForm,
    SecondFactorForm,
    SignInForm,
)

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
        try:
            user = signin.check_password(form.email.data, form.password.data)
        except signin.SignInRefused as refusal:
            form.form_errors.append(str(refusal))
        else:
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
    form = NewPasswordForm(context_words=password_policy.context_words_for(user))
    if form.validate_on_submit():
        signin.set_first_password(user, form.password.data)
        return redirect(url_for("access.continue_sign_in"))
    return render_template("access/set-new-password.html", form=form)


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
    codes = signin.enrol_second_factor(user)
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
    signin.sign_out(current_user)
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
    sessions.reset_idle_clock(sessions.current_session())
    return time_left_response()


def time_left_response():
    return jsonify(seconds_left=round(sessions.time_left(sessions.current_session(), utcnow()).total_seconds()))
