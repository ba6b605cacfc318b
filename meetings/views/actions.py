from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from access import policy
from access import store as access_store
from access.models import Role
from access.permissions import allow, can
from cases import journey
from forms.actions import ActionFilterForm, ActionUpdateForm
from meetings import actions, reminders
from meetings.models import ActionStatus
from meetings.views import bp

TRACKER_ROLES = (Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP, Role.PRACTITIONER)
UPDATE_ROLES = (Role.COORDINATOR, Role.AGENCY_REP, Role.PRACTITIONER)


def agency_filter_form() -> ActionFilterForm:
    form = ActionFilterForm(request.args)
    form.agency.choices = [SelectChoice("", "All agencies")] + [
        SelectChoice(str(agency.id), agency.name) for agency in access_store.list_agencies()
    ]
    return form


@bp.route("/actions")
@allow(*TRACKER_ROLES)
def list_actions():
    filter_form = agency_filter_form()
    agency_id = actions.tracker_agency_id(current_user, filter_form.selected_agency_id())
    today = date.today()
    open_rows = actions.open_rows(current_user, agency_id, today)
    closed_rows = actions.recently_closed_rows(current_user, agency_id, today)
    page = render_template(
        "meetings/list-actions.html",
        open_rows=open_rows,
        closed_rows=closed_rows,
        closed_shown_days=actions.CLOSED_SHOWN_DAYS,
        reminder_rows=actions.reminder_rows(open_rows) if agency_id is not None else None,
        agency=access_store.get_agency(agency_id) if agency_id is not None else None,
        filter_form=filter_form if current_user.role not in policy.AGENCY_SCOPED_ROLES else None,
        window_days=actions.reminder_window_days(),
        can_send_reminders=can(current_user.role, "meetings.send_action_reminders"),
    )
    return journey.listing(
        current_user, list(dict.fromkeys(row.action.case_id for row in [*open_rows, *closed_rows])), page
    )


def load_action(action_id: int):
    action = actions.load_action_for(current_user, action_id)
    if action is None:
        abort(404)
    journey.record_case_view(current_user, action.case_id)
    return action


def render_update(action, form, *, status: int = 200, changed: bool = False):
    return render_template(
        "meetings/update-action.html",
        action=action,
        form=form,
        changed=changed,
        case_reference=actions.case_reference_for(action),
    ), status


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@allow(*UPDATE_ROLES)
def update_action(action_id):
    action = load_action(action_id)
    if request.method == "GET":
        return render_update(
            action,
            ActionUpdateForm(
                data={
                    "status": action.status.value,
                    "completion_note": action.completion_note or "",
                    "version": str(action.version_id),
                }
            ),
        )
    form = ActionUpdateForm()
    if not form.validate_on_submit():
        return render_update(action, form, status=400)
    try:
        actions.save_update(
            action,
            status=ActionStatus(form.status.data),
            note=form.completion_note.data,
            version=int(form.version.data),
            user=current_user,
            today=date.today(),
        )
    except actions.ActionChanged as changed:
        form.version.data = str(changed.action.version_id)
        return render_update(changed.action, form, status=409, changed=True)
    flash(f"Action {action.id} saved as {action.status.label.lower()}.")
    return redirect(url_for("meetings.list_actions"))


@bp.route("/actions/reminders", methods=["POST"])
@allow(Role.COORDINATOR)
def send_action_reminders():
    outcome = reminders.send_reminders(user=current_user)
    flash(outcome.message)
    return redirect(url_for("meetings.list_actions"))
