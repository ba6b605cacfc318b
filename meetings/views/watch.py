from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from access.models import Role
from access.permissions import allow, can
from cases import journey
from cases import store as cases_store
from cases.views.loading import load_case
from forms.transfers import TransferForm
from meetings import store, watch
from meetings.views import bp
from risk.in_force import current_ruleset


@bp.route("/repeat-watch")
@allow(Role.COORDINATOR, Role.CHAIR)
def list_repeat_watch():
    today = date.today()
    watched, lapsed = watch.under_watch(today), watch.lapsed_this_month(today)
    visible = cases_store.cases_visible_to(current_user, [row.case_id for row in [*watched, *lapsed]])
    watched, lapsed = (
        [row for row in watched if row.case_id in visible],
        [row for row in lapsed if row.case_id in visible],
    )
    page = render_template(
        "meetings/list-repeat-watch.html", today=today, watched=watched, lapsed=lapsed, rules=current_ruleset()
    )
    return journey.listing(current_user, [row.case_id for row in [*watched, *lapsed]], page)


@bp.route("/cases/<uuid:case_id>/transfers/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def record_transfer(case_id):
    case = load_case(case_id)
    form = TransferForm()
    if not form.validate_on_submit():
        return render_template(
            "meetings/record-transfer.html", form=form, case=case
        ), 400 if form.is_submitted() else 200
    incoming = form.direction.data == "in"
    moved = watch.record_transfer(
        case,
        incoming=incoming,
        other_area=form.other_area.data,
        transferred_on=form.transferred_on.data,
        items=form.sent.data,
        note=form.note.data,
        user=current_user,
    )
    flash(transfer_message(incoming, form.other_area.data, moved))
    return redirect(url_for("meetings.list_transfers", case_id=case.id))


def transfer_message(incoming: bool, other_area: str, moved: int) -> str:
    if incoming:
        return (
            f"Transfer in from {other_area} recorded. The agenda will show the case as transferred from "
            f"{other_area}: ask that MARAC for any minutes or action plans you have not received."
        )
    moved_text = "The open referral is now marked transferred and leaves the referral queue. " if moved else ""
    return (
        f"Transfer out to {other_area} recorded. {moved_text}Send the minutes and action plans to the "
        f"{other_area} coordinator if you have not already."
    )


@bp.route("/cases/<uuid:case_id>/transfers")
@allow(Role.COORDINATOR, Role.CHAIR)
def list_transfers(case_id):
    case = load_case(case_id)
    return render_template(
        "meetings/list-transfers.html",
        case=case,
        transfers=store.list_transfers_for_case(case.id),
        can_record=can(current_user.role, "meetings.record_transfer"),
    )
