from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from access import policy
from access import store as access_store
from access.models import Role
from access.permissions import allow, can
from cases import journey
from forms.actions import ActionEditForm, ActionFilterForm, ActionUpdateForm
from meetings import actions, reminders
from meetings.models import ActionStatus
from meetings.store import TrackerFilters
from meetings.views import bp

TRACKER_ROLES = (Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP, Role.PRACTITIONER)
UPDATE_ROLES = (Role.COORDINATOR, Role.AGENCY_REP, Role.PRACTITIONER)
EDIT_ROLES = (Role.COORDINATOR, Role.CHAIR)
WIDE_FILTER_FIELDS = ("q", "overdue", "due_before")


def agency_choices() -> list[SelectChoice]:
    return [SelectChoice(agency.id, agency.name) for agency in access_store.list_agencies()]


def tracker_form() -> ActionFilterForm:
    form = ActionFilterForm(request.args)
    form.agency.choices = [SelectChoice("", "All agencies")] + [
        SelectChoice(str(choice.value), choice.label) for choice in agency_choices()
    ]
    # Bad filter input is shown with its message; the list is then shown without that filter.
    form.validate()
    return form


def filters_from(form: ActionFilterForm, agency_id: int | None, today: date) -> TrackerFilters:
    return TrackerFilters(
        agency_id=agency_id,
        status=form.selected_status(),
        words=tuple((form.q.data or "").split()) if not form.q.errors else (),
        overdue_on=today if form.overdue.data else None,
        due_before=form.due_before.data if not form.due_before.errors else None,
    )


def is_default_view(filters: TrackerFilters) -> bool:
    """The first page of open actions, unsearched: the recently closed ones are shown below it."""
    return filters.status is ActionStatus.OPEN and not any(request.args.get(name) for name in WIDE_FILTER_FIELDS)


def page_url(page: int) -> str:
    return url_for("meetings.list_actions", **(request.args.to_dict(flat=False) | {"page": page}))


@bp.route("/actions")
@allow(*TRACKER_ROLES)
def list_actions():
    form = tracker_form()
    agency_id = actions.tracker_agency_id(current_user, form.selected_agency_id())
    today = date.today()
    filters = filters_from(form, agency_id, today)
    tracker = actions.tracker_page(
        current_user, filters, sort=form.sort.data or "due", page=form.page.data or 1, today=today
    )
    default_view = is_default_view(filters) and tracker.page == 1
    closed_rows = actions.recently_closed_rows(current_user, agency_id, today) if default_view else []
    due_rows = actions.due_rows(current_user, agency_id, today) if agency_id is not None else None
    shown = [row for group in tracker.groups for row in group.rows]
    page = render_template(
        "meetings/list-actions.html",
        tracker=tracker,
        filters=filters,
        closed_rows=closed_rows,
        closed_shown_days=actions.CLOSED_SHOWN_DAYS,
        reminder_rows=due_rows,
        agency=access_store.get_agency(agency_id) if agency_id is not None else None,
        filter_form=form,
        may_choose_agency=current_user.role not in policy.AGENCY_SCOPED_ROLES,
        window_days=actions.reminder_window_days(),
        can_send_reminders=can(current_user.role, "meetings.send_action_reminders"),
        page_url=page_url,
    )
    return journey.listing(
        current_user, list(dict.fromkeys(row.action.case_id for row in [*shown, *closed_rows])), page
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
        history=actions.history(action),
        may_edit=actions.may_edit(current_user, action),
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


def edit_form(action, formdata=None) -> ActionEditForm:
    data = None
    if formdata is None:
        data = {
            "description": action.description,
            "owner_agency_id": action.owner_agency_id,
            "owner_name": action.owner_name,
            "due_on": action.due_on,
            "version": str(action.version_id),
        }
    form = ActionEditForm(formdata=formdata, data=data, saved_due_on=action.due_on)
    form.owner_agency_id.choices = agency_choices()
    return form


def render_edit(action, form, *, status: int = 200, changed: bool = False):
    return render_template(
        "meetings/edit-action.html",
        action=action,
        form=form,
        changed=changed,
        case_reference=actions.case_reference_for(action),
        history=actions.history(action),
    ), status


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@allow(*EDIT_ROLES)
def edit_action(action_id):
    action = actions.load_action_to_edit(current_user, action_id)
    if action is None:
        abort(404)
    journey.record_case_view(current_user, action.case_id)
    if request.method == "GET":
        return render_edit(action, edit_form(action))
    form = edit_form(action, request.form)
    if not form.validate_on_submit():
        return render_edit(action, form, status=400)
    edit = actions.ActionEdit(
        description=form.description.data,
        owner_agency_id=form.owner_agency_id.data,
        owner_name=form.owner_name.data,
        due_on=form.due_on.data,
        reason=form.reason.data,
    )
    try:
        actions.save_edit(action, edit, version=int(form.version.data), user=current_user)
    except actions.ActionChanged as changed:
        form.version.data = str(changed.action.version_id)
        return render_edit(changed.action, form, status=409, changed=True)
    flash(f"Action {action.id} changed.")
    return redirect(url_for("meetings.list_actions"))


@bp.route("/actions/reminders", methods=["POST"])
@allow(Role.COORDINATOR)
def send_action_reminders():
    outcome = reminders.send_reminders(user=current_user)
    flash(outcome.message)
    return redirect(url_for("meetings.list_actions"))
