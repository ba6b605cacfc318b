"""Confirm it is you (S6): the password and security code again, before a bulk export or a change to
security settings, when the last time was more than STEP_UP_WINDOW ago."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access import step_up
from access.permissions import allow_any_role
from access.views import bp
from access.views.signing_in import safe_next_path
from forms.access import StepUpForm

PRESS_AGAIN = "You have confirmed it is you. Press the button again to finish: nothing was done before."


def failure_message() -> str:
    config = current_app.config
    return (
        "The password or security code is not right. Check them and try again. After "
        f"{config['LOCKOUT_THRESHOLD']} failed attempts your account is locked for "
        f"{int(config['LOCKOUT_DURATION'].total_seconds() // 60)} minutes and you are signed out."
    )


@bp.route("/account/confirm-it-is-you", methods=["GET", "POST"])
@allow_any_role
def confirm_it_is_you():
    user = current_user._get_current_object()
    next_path = safe_next_path(request.args.get("next")) or url_for("meetings.home")
    again = bool(request.args.get(step_up.AGAIN_KEY))
    form = StepUpForm()
    if not step_up.needs_security_code(user):
        del form.code
    if form.validate_on_submit():
        code = form.code.data if "code" in form else None
        if step_up.confirm_it_is_you(user, password=form.password.data, code=code):
            if again:
                flash(PRESS_AGAIN, "step-up")
            return redirect(next_path)
        if step_up.sign_out_if_locked(user):
            return redirect(url_for("access.sign_in"))
        form.form_errors.append(failure_message())
    return render_template("access/confirm-it-is-you.html", form=form, again=again)
