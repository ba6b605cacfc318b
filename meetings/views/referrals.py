"""The home page and the coordinator's referral queue."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from access import policy
from access import store as access_store
from access.audit import AuditAction
from access.models import Role
from access.permissions import allow, allow_any_role
from cases import journey
from cases import store as cases_store
from cases.models import Referral, ReferralState
from extensions import utcnow
from forms.cases import DecisionReasonForm
from forms.queue import QueueForm
from meetings import home as home_page
from meetings import queue, schedule, store
from meetings.views import bp
from meetings.vocabulary import QueueSort


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


def queue_form() -> QueueForm:
    form = QueueForm()
    form.agency.choices = [SelectChoice("", "Any agency")] + [
        SelectChoice(str(agency.id), agency.name) for agency in access_store.list_agencies()
    ]
    return form


def search_from(form: QueueForm) -> queue.QueueSearch:
    return queue.QueueSearch(
        text=(form.search.data or "").strip() or None,
        state=form.state.data or None,
        criterion=form.criterion.data or None,
        agency_id=form.agency_id(),
        flags=frozenset(form.flags.data or ()),
        sort=QueueSort(form.sort.data or QueueSort.WAITING_LONGEST),
        page=form.page_number(),
    )


@bp.route("/referrals", methods=["GET", "POST"])
@allow(*QUEUE_ROLES)
def list_referrals():
    form = queue_form()
    if form.is_submitted() and not form.validate():
        return render_template("meetings/list-referrals.html", form=form, found=None), 400
    found = queue.queue_for(current_user, search_from(form), date.today())
    page = render_template("meetings/list-referrals.html", form=form, found=found)
    return journey.listing(current_user, [row.referral.case_id for row in found.rows], page)


@bp.route("/referrals/accept", methods=["POST"])
@allow(Role.COORDINATOR)
def accept_referrals():
    referrals = [load_referral_unrecorded(referral_id) for referral_id in request.form.getlist("referral_ids")]
    if not referrals:
        flash("Nothing was changed. Tick the referrals to accept, then choose Accept the ticked referrals.")
        return redirect(url_for("meetings.list_referrals"))
    accepted, skipped = queue.accept_many(referrals, user=current_user)
    flash(accepted_message(accepted, skipped))
    return redirect(url_for("meetings.list_referrals"))


def accepted_message(accepted: list[Referral], skipped: list[Referral]) -> str:
    plural = "s" if len(accepted) != 1 else ""
    count = f"{len(accepted)} referral{plural} accepted: they will be offered to the agenda planner."
    if not skipped:
        return count
    moved = ", ".join(f"{referral.case.reference} ({MOVED_ON_WORDS[referral.state]})" for referral in skipped)
    return f"{count} Not accepted, because they changed since you opened the queue: {moved}."


def load_referral(referral_id) -> Referral:
    referral = load_referral_unrecorded(referral_id)
    journey.record_case_view(current_user, referral.case_id)
    return referral


def load_referral_unrecorded(referral_id) -> Referral:
    """The referral, if this person may see it (404 otherwise, so its existence is not given away).
    A change is audited by what it changes; opening a page records the look (load_referral)."""
    referral = store.get_referral(str(referral_id))
    if referral is None or not policy.may_view_referral(
        current_user, cases_store.case_scope(current_user, referral.case)
    ):
        abort(404)
    return referral


def render_referral(referral: Referral, decline_form: DecisionReasonForm, status: int = 200):
    matches = queue.possible_matches(referral)
    row = queue.queue_row(referral, date.today(), len(matches), cases_store.previous_referral_dates(referral.case))
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


@bp.route("/referrals/<uuid:referral_id>/withdraw", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def withdraw_referral(referral_id):
    """Confirm first, with a reason, saying who will be told: the referral leaves the queue for good."""
    referral = load_referral(referral_id)
    if referral.state not in queue.WITHDRAWABLE:
        status = 200 if request.method == "GET" else 409
        return render_template("meetings/withdraw-referral.html", referral=referral, form=None), status
    form = DecisionReasonForm()
    if form.validate_on_submit():
        if not queue.withdraw(referral, reason=form.reason.data, user=current_user):
            return moved_on(referral)
        flash(f"Referral for {referral.case.reference} withdrawn. {referral.referrer.name} has been told.")
        return redirect(url_for("meetings.list_referrals"))
    status = 400 if form.errors else 200
    return render_template("meetings/withdraw-referral.html", referral=referral, form=form), status
