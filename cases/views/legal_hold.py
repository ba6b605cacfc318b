"""Legal holds (SECURITY D5): the coordinator stops a case being anonymised when its retention period ends,
and lifts the hold, each with a reason. The reason stays with the hold; the audit trail records only ids."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from access import policy
from access.models import Role
from access.permissions import allow
from access.step_up import requires_step_up
from cases import retention
from cases.views import bp
from cases.views.loading import load_case_and_scope
from forms.cases import LegalHoldForm


def load_case_to_hold(case_id):
    case, scope = load_case_and_scope(case_id)
    if not policy.may_hold_case(current_user, scope) or case.anonymised_at is not None:
        abort(404)
    return case


@bp.route("/cases/<uuid:case_id>/legal-hold", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def set_legal_hold(case_id):
    case = load_case_to_hold(case_id)
    hold = retention.hold_in_force(case.id)
    form = LegalHoldForm() if hold is None else None
    if form is not None and form.validate_on_submit():
        retention.set_hold(case, form.reason.data, current_user)
        flash("Legal hold set: this case will not be anonymised until the hold is lifted.")
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/set-legal-hold.html", case=case, form=form, hold=hold)


@bp.route("/cases/<uuid:case_id>/legal-hold/lift", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
@requires_step_up  # lifting a hold lets the next run anonymise the case: a retention override (S6)
def lift_legal_hold(case_id):
    case = load_case_to_hold(case_id)
    hold = retention.hold_in_force(case.id)
    form = LegalHoldForm() if hold is not None else None
    if form is not None and form.validate_on_submit():
        retention.lift_hold(hold, form.reason.data, current_user)
        flash("Legal hold lifted: if the case is due, the next daily retention run anonymises it.")
        return redirect(url_for("cases.view_case", case_id=case.id))
    return render_template("cases/lift-legal-hold.html", case=case, form=form, hold=hold)
