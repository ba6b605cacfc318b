from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access.audit import AuditAction, record_event
from access.models import Role
from access.permissions import allow, allow_any_role
from extensions import db
from forms.cases import DecisionReasonForm
from meetings import queue, store
from risk import store as risk_store
from risk.models import Referral, ReferralState

bp = Blueprint("meetings", __name__)


@bp.route("/")
@allow_any_role
def home():
    return render_template("meetings/home.html", next_meeting=store.get_next_meeting(), cases=risk_store.list_cases_for(current_user))


QUEUE_ROLES = (Role.COORDINATOR, Role.CHAIR)


@bp.route("/referrals")
@allow(*QUEUE_ROLES)
def list_referrals():
    today = date.today()
    rows = [queue.queue_row(referral, today) for referral in store.list_open_referrals()]
    return render_template("meetings/list-referrals.html", rows=rows)


def load_referral(referral_id) -> Referral:
    referral = store.get_referral(str(referral_id))
    if referral is None:
        abort(404)
    if request.method == "GET":
        record_event(AuditAction.CASE_VIEWED, user=current_user, object_type="case", object_id=referral.case_id)
        db.session.commit()
    return referral


@bp.route("/referrals/<uuid:referral_id>", methods=["GET"])
@allow(*QUEUE_ROLES)
def view_referral(referral_id):
    referral = load_referral(referral_id)
    return render_template(
        "meetings/view-referral.html",
        referral=referral,
        row=queue.queue_row(referral, date.today()),
        matches=queue.possible_matches(referral),
        decline_form=DecisionReasonForm(),
    )


@bp.route("/referrals/<uuid:referral_id>/accept", methods=["POST"])
@allow(Role.COORDINATOR)
def accept_referral(referral_id):
    referral = load_referral(referral_id)
    queue.move(referral, ReferralState.ACCEPTED, user=current_user, action=AuditAction.REFERRAL_ACCEPTED)
    flash("Referral accepted: it will be offered to the agenda planner.")
    return redirect(url_for("meetings.list_referrals"))


@bp.route("/referrals/<uuid:referral_id>/decline", methods=["POST"])
@allow(Role.COORDINATOR)
def decline_referral(referral_id):
    referral = load_referral(referral_id)
    form = DecisionReasonForm()
    if not form.validate_on_submit():
        return render_template(
            "meetings/view-referral.html", referral=referral, row=queue.queue_row(referral, date.today()),
            matches=queue.possible_matches(referral), decline_form=form,
        ), 400
    queue.move(referral, ReferralState.DECLINED, user=current_user, action=AuditAction.REFERRAL_DECLINED, reason=form.reason.data)
    flash("Referral declined. The referrer can see your reason on the case.")
    return redirect(url_for("meetings.list_referrals"))


@bp.route("/referrals/<uuid:referral_id>/link", methods=["POST"])
@allow(Role.COORDINATOR)
def link_referral(referral_id):
    referral = load_referral(referral_id)
    person = queue.matching_person(referral, request.form.get("person_id", ""))
    if person is None:
        abort(400)
    queue.link_victim(referral, person, user=current_user)
    flash("Linked: this victim is recorded as the same person, so earlier MARAC history now counts.")
    return redirect(url_for("meetings.view_referral", referral_id=referral.id))
