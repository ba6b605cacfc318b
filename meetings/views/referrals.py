"""The home page and the coordinator's referral queue."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access import policy
from access.audit import AuditAction
from access.models import Role
from access.permissions import allow, allow_any_role
from cases import journey
from cases import store as cases_store
from cases.models import Referral, ReferralState
from extensions import utcnow
from forms.cases import DecisionReasonForm
from meetings import home as home_page
from meetings import queue, schedule, store
from meetings.views import bp


@bp.route("/")
@allow_any_role
def home():
    cases = home_page.recent_cases(current_user)
    to_do = home_page.to_do_for(current_user, date.today(), utcnow())
    page = render_template("meetings/home.html", next_meeting=store.get_next_meeting(), cases=cases, to_do=to_do)
    shown = [case.id for case in cases] + (to_do.case_ids if to_do else [])
    return journey.listing(current_user, list(dict.fromkeys(shown)), page)


QUEUE_ROLES = (Role.COORDINATOR, Role.CHAIR)


@bp.app_template_filter("who_takes")
def who_takes(step) -> str:
    return schedule.who_takes(step)


@bp.route("/referrals")
@allow(*QUEUE_ROLES)
def list_referrals():
    today, people = date.today(), cases_store.list_people_for_matching()
    referrals = store.list_open_referrals()
    visible = cases_store.cases_visible_to(current_user, [referral.case_id for referral in referrals])
    rows = [
        queue.queue_row(referral, today, queue.possible_matches(referral, people))
        for referral in referrals
        if referral.case_id in visible
    ]
    page = render_template("meetings/list-referrals.html", rows=rows)
    return journey.listing(current_user, [row.referral.case_id for row in rows], page)


def load_referral(referral_id) -> Referral:
    referral = store.get_referral(str(referral_id))
    if referral is None or not policy.may_view_referral(
        current_user, cases_store.case_scope(current_user, referral.case)
    ):
        abort(404)
    journey.record_case_view(current_user, referral.case_id)
    return referral


def render_referral(referral: Referral, decline_form: DecisionReasonForm, status: int = 200):
    matches = queue.possible_matches(referral)
    row = queue.queue_row(referral, date.today(), matches)
    scope = cases_store.case_scope(current_user, referral.case)
    excluded_people = (
        cases_store.list_excluded_people(referral.case) if policy.may_view_exclusion_list(current_user, scope) else None
    )
    return render_template(
        "meetings/view-referral.html",
        referral=referral,
        row=row,
        matches=matches,
        decline_form=decline_form,
        excluded_people=excluded_people,
    ), status


@bp.route("/referrals/<uuid:referral_id>", methods=["GET"])
@allow(*QUEUE_ROLES)
def view_referral(referral_id):
    return render_referral(load_referral(referral_id), DecisionReasonForm())


@bp.route("/referrals/<uuid:referral_id>/accept", methods=["POST"])
@allow(Role.COORDINATOR)
def accept_referral(referral_id):
    referral = load_referral(referral_id)
    if not queue.triage(referral, ReferralState.ACCEPTED, user=current_user, action=AuditAction.REFERRAL_ACCEPTED):
        return moved_on(referral)
    flash("Referral accepted: it will be offered to the agenda planner.")
    return redirect(url_for("meetings.list_referrals"))


@bp.route("/referrals/<uuid:referral_id>/decline", methods=["POST"])
@allow(Role.COORDINATOR)
def decline_referral(referral_id):
    referral = load_referral(referral_id)
    form = DecisionReasonForm()
    if not form.validate_on_submit():
        return render_referral(referral, form, status=400)
    if not queue.triage(
        referral,
        ReferralState.DECLINED,
        user=current_user,
        action=AuditAction.REFERRAL_DECLINED,
        reason=form.reason.data,
    ):
        return moved_on(referral)
    flash("Referral declined. The referrer can see your reason on the case.")
    return redirect(url_for("meetings.list_referrals"))


def moved_on(referral: Referral):
    """The referral changed since the page was opened: say how, and change nothing."""
    flash(f"Nothing was changed: this referral {MOVED_ON_WORDS[referral.state]} since you opened the page.")
    return render_referral(referral, DecisionReasonForm(), status=409)


MOVED_ON_WORDS = {
    ReferralState.ACCEPTED: "was accepted",
    ReferralState.SCHEDULED: "was accepted and placed on an agenda",
    ReferralState.HEARD: "was heard",
    ReferralState.CLOSED: "was heard and closed",
    ReferralState.DECLINED: "was declined",
    ReferralState.WITHDRAWN: "was withdrawn by its referrer",
    ReferralState.TRANSFERRED: "was transferred to another MARAC",
}


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
