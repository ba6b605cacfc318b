"""Meetings: scheduling, agenda planning, issuing the MARAC list, and running the meeting."""

from datetime import date

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from access import policy
from access import store as access_store
from access.audit import AuditAction, record_event
from access.models import Role
from access.permissions import allow, can
from cases import journey
from extensions import db, utcnow
from forms.actions import ActionForm
from forms.meetings import (
    NOT_ATTENDING,
    REGISTER_BLANK_ROWS,
    CaseMinutesForm,
    CreateMeetingForm,
    InvitationsForm,
    RegisterRow,
    case_minutes_form,
    register_errors,
    register_rows_from,
)
from meetings import agenda, running, schedule, store
from meetings.labels import in_sentence
from meetings.models import ActionStatus, AttendanceStatus, MeetingKind, MeetingStatus
from meetings.views import bp
from meetings.views.loading import load_item, load_item_with_running_order, load_meeting, load_meeting_to_run
from meetings.vocabulary import CASE_OUTCOME_LABELS
from risk import store as risk_store

COORDINATOR_OR_CHAIR = (Role.COORDINATOR, Role.CHAIR)
LATE_JOIN_WARNING = (
    "The MARAC list for that meeting was already issued, so agencies have less time to research this case. "
    "They have been asked for research with a deadline of at least the set number of working days from today, "
    "but never after the meeting."
)
RACED = "Someone else changed this meeting. Try again."
MINUTES_LABELS = {name: getattr(CaseMinutesForm, name).args[0] for name in running.MINUTES_TEXT_FIELDS}


@bp.route("/meetings")
@allow(Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP)
def list_meetings():
    if current_user.role is Role.AGENCY_REP:
        meetings = store.list_meetings_inviting(current_user.agency_id)
    else:
        meetings = store.list_meetings()
    return render_template("meetings/list-meetings.html", meetings=meetings)


@bp.route("/meetings/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def create_meeting():
    form = CreateMeetingForm(
        capacity=current_app.config["MEETING_DEFAULT_CAPACITY"],
        minutes_per_case=current_app.config["MEETING_DEFAULT_MINUTES_PER_CASE"],
    )
    form.chair_id.choices = [("", "Not chosen yet")] + [
        (str(chair.id), chair.name) for chair in store.list_active_chairs()
    ]
    if form.validate_on_submit():
        meetings = schedule.create_meetings(meeting_plan_from(form), user=current_user)
        flash(
            f"{len(meetings)} meeting{'s' if len(meetings) != 1 else ''} set up. Every agency is invited; change that "
            "on each meeting's page."
        )
        return redirect(url_for("meetings.view_meeting", meeting_id=meetings[0].id))
    return render_template("meetings/create-meeting.html", form=form), 400 if form.errors else 200


def meeting_plan_from(form: CreateMeetingForm) -> schedule.MeetingPlan:
    return schedule.MeetingPlan(
        kind=MeetingKind(form.kind.data),
        starts_on=form.starts_on.data,
        starts_at=form.starts_at_time.time,
        repeat=form.repeat.data,
        count=form.count.data,
        venue=form.venue.data,
        online=form.online.data,
        chair_id=int(form.chair_id.data) if form.chair_id.data else None,
        capacity=form.capacity.data,
        minutes_per_case=form.minutes_per_case.data,
    )


@bp.route("/meetings/<int:meeting_id>")
@allow(Role.COORDINATOR, Role.CHAIR, Role.AGENCY_REP)
def view_meeting(meeting_id):
    meeting = load_meeting(meeting_id)
    scope = store.meeting_scope(meeting, current_user)
    sees_agenda = policy.may_view_agenda(current_user, scope)
    rows = agenda.agenda_rows(meeting, current_user) if sees_agenda else []
    page = render_template(
        "meetings/view-meeting.html",
        meeting=meeting,
        rows=rows,
        notices=agenda.twelve_month_notices(meeting) if sees_agenda else [],
        invitations=store.list_invitations(meeting),
        next_step=schedule.next_step(meeting),
        can_change_agenda=agenda.can_change_agenda(meeting) and can(current_user.role, "meetings.move_agenda_item"),
        can_take_step=policy.may_take_meeting_step(current_user, scope, step.roles)
        if (step := schedule.next_step(meeting))
        else False,
        can_run=policy.may_run_meeting(current_user, scope),
        other_meetings=[other for other in store.list_fillable_meetings(utcnow()) if other.id != meeting.id],
        minutes_open=running.minutes_are_open(meeting),
        can_be_run_now=schedule.can_be_run_now(meeting),
        put_back=offer_to_put_back(meeting),
    )
    return journey.listing(current_user, [row.item.referral.case_id for row in rows], page)


def offer_to_put_back(meeting) -> str | None:
    """Straight after a take-off: the token for "Put it back", while the agenda can still change."""
    token = request.args.get("taken_off", "")
    taken_off = agenda.taken_off_from(token)
    if taken_off is None or taken_off.meeting_id != meeting.id or not agenda.can_change_agenda(meeting):
        return None
    return token


@bp.route("/meetings/plan", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def plan_agendas():
    proposal = agenda.propose()
    if request.method == "POST" and request.form.get("plan") != proposal.fingerprint:
        flash(
            "The referral queue or the meetings changed since you looked, so nothing was placed. Check this plan and "
            "accept it again.",
            "error",
        )
        return render_template("meetings/plan-agendas.html", proposal=proposal), 409
    late = agenda.meetings_joined_after_list_issued(proposal)
    if request.method == "POST":
        placed = agenda.accept_proposal(proposal, user=current_user)
        flash(
            f"Plan accepted: {placed} case{'s' if placed != 1 else ''} placed on agendas."
            if placed
            else "There was nothing to place."
        )
        if late:
            flash(LATE_JOIN_WARNING, "warning")
        filled = [planned.meeting_id for planned in proposal.plan.meetings if planned.items]
        if len(filled) == 1:
            return redirect(url_for("meetings.view_meeting", meeting_id=filled[0]))
        return redirect(url_for("meetings.list_meetings"))
    return render_template("meetings/plan-agendas.html", proposal=proposal, late=late)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
@allow(Role.COORDINATOR)
def move_agenda_item(meeting_id, item_id):
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    direction = request.form.get("direction", "")
    try:
        if direction in ("up", "down"):
            agenda.move_within(meeting, item, -1 if direction == "up" else 1, user=current_user)
        elif direction == "out":
            return take_off_agenda_item(meeting, item)
        elif direction == "to" and request.form.get("to_meeting_id", "").isdigit():
            target = store.get_meeting(int(request.form["to_meeting_id"]))
            if target is None:
                abort(400)
            agenda.move_to(meeting, item, target, user=current_user)
            flash("Case moved to the other meeting. Its research is now due by that meeting's deadline.")
            if agenda.list_is_out(target):
                flash(LATE_JOIN_WARNING, "warning")
        else:
            abort(400)
    except agenda.AgendaError as problem:
        db.session.rollback()
        flash(str(problem), "error")
    return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id, _anchor="agenda"))


def take_off_agenda_item(meeting, item):
    """Asks first, saying who will be told; once confirmed, the meeting page offers to put it back."""
    told = agenda.agencies_to_tell(meeting, item)
    if request.form.get("confirmed") != "yes":
        agenda.require_take_off_possible(meeting, item)
        page = render_template("meetings/take-off.html", meeting=meeting, item=item, told=told)
        return journey.listing(current_user, [item.referral.case_id], page)
    taken_off = agenda.take_off(meeting, item, user=current_user)
    flash(
        "Case taken off the agenda: it is back in the referral queue for the planner."
        + (f" Research requests withdrawn from {' and '.join(told)}." if told else "")
    )
    return redirect(
        url_for(
            "meetings.view_meeting",
            meeting_id=meeting.id,
            taken_off=agenda.put_back_token(taken_off),
            _anchor="agenda",
        )
    )


@bp.route("/meetings/<int:meeting_id>/agenda/put-back", methods=["POST"])
@allow(Role.COORDINATOR)
def put_back_agenda_item(meeting_id):
    meeting = load_meeting(meeting_id)
    taken_off = agenda.taken_off_from(request.form.get("taken_off", ""))
    if taken_off is None or taken_off.meeting_id != meeting.id:
        abort(400)
    try:
        agenda.put_back(meeting, taken_off, user=current_user)
        flash("The case is back on the agenda, in its place." + research_asked_again(meeting))
    except agenda.AgendaError as problem:
        db.session.rollback()
        flash(str(problem), "error")
    return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id, _anchor="agenda"))


def research_asked_again(meeting) -> str:
    if meeting.status is not MeetingStatus.LIST_ISSUED:
        return ""
    return " The invited agencies are asked for research on it again."


@bp.route("/meetings/<int:meeting_id>/invitations", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def choose_invitations(meeting_id):
    meeting = load_meeting(meeting_id)
    form = InvitationsForm(agency_ids=[invitation.agency_id for invitation in store.list_invitations(meeting)])
    form.agency_ids.choices = [(agency.id, agency.name) for agency in access_store.list_agencies()]
    if form.validate_on_submit():
        schedule.set_invitations(meeting, set(form.agency_ids.data), user=current_user)
        flash("Invitations saved.")
        return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id))
    return render_template("meetings/choose-invitations.html", meeting=meeting, form=form), 400 if form.errors else 200


@bp.route("/meetings/<int:meeting_id>/next-step", methods=["GET"])
@allow(*COORDINATOR_OR_CHAIR)
def confirm_next_step(meeting_id):
    meeting = load_meeting(meeting_id)
    step = schedule.next_step(meeting)
    if step is None:
        flash(schedule.why_no_step(meeting))
        return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id))
    # Someone who may not take the step (another meeting's chair) finds nothing here (Z2).
    if not policy.may_take_meeting_step(current_user, store.meeting_scope(meeting, current_user), step.roles):
        abort(404)
    return render_step_confirmation(meeting)


def render_step_confirmation(meeting, error=None, status=200):
    """What the step will do and who will be told; the cases still without an outcome, each a link."""
    rows = agenda.agenda_rows(meeting, current_user)
    outcomes = store.list_outcomes(meeting)
    page = render_template(
        "meetings/confirm-next-step.html",
        meeting=meeting,
        step=schedule.next_step(meeting),
        error=error,
        invited=invited_agencies(meeting),
        rows=rows,
        outcomes={item_id: CASE_OUTCOME_LABELS[outcome] for item_id, outcome in outcomes.items()},
        without_outcome=[row for row in rows if row.item.id not in outcomes],
    )
    return journey.listing(current_user, [row.item.referral.case_id for row in rows], page), status


@bp.route("/meetings/<int:meeting_id>/next-step", methods=["POST"])
@allow(*COORDINATOR_OR_CHAIR)
def take_next_step(meeting_id):
    meeting = load_meeting(meeting_id)
    if request.form.get("version") != str(meeting.version_id):
        flash("Someone else moved this meeting on while you had the page open. Check where it is now.", "error")
        return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id))
    confirmed = schedule.StepConfirmation(
        not_heard=request.form.get("not_heard") == "y", read_draft=request.form.get("read_draft") == "y"
    )
    try:
        step = schedule.take_next_step(meeting, user=current_user, confirmed=confirmed)
    except schedule.StepNotConfirmed as problem:
        return render_step_confirmation(meeting, error=str(problem), status=400)
    except (schedule.MeetingStepError, StaleDataError) as problem:
        flash(
            str(problem) if isinstance(problem, schedule.MeetingStepError) else RACED,
            "error",
        )
        return redirect(url_for("meetings.view_meeting", meeting_id=meeting_id))
    flash(f"Done: {in_sentence(step.button)}.")
    return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@allow(*COORDINATOR_OR_CHAIR)
def record_attendance(meeting_id):
    meeting = load_meeting_to_run(meeting_id)
    invited = invited_agencies(meeting)
    agency_names = {agency.id: agency.name for agency in access_store.list_agencies()}
    if request.method == "GET":
        return render_register(meeting, invited, agency_names, saved_register_rows(meeting, invited))
    rows = register_rows_from(request.form, [agency.id for agency in invited])
    confirmed = request.form.get("confidentiality_confirmed") == "y"
    errors = register_errors(rows, agency_names, confirmed=confirmed)
    if errors:
        return render_register(meeting, invited, agency_names, rows, errors=errors, confirmed=confirmed)
    entries = [
        running.RegisterEntry(row.agency_id, row.name, AttendanceStatus(row.status), row.information_sent)
        for row in rows
        if row.attends
    ]
    opening = request.form.get("then") == "first-case"
    if opening and meeting.status is MeetingStatus.LIST_ISSUED:
        # The register is the start of the meeting: one submit saves it and starts it, or neither.
        try:
            schedule.take_next_step(meeting, user=current_user)
        except (schedule.MeetingStepError, StaleDataError) as problem:
            errors = {"start": str(problem) if isinstance(problem, schedule.MeetingStepError) else RACED}
            return render_register(meeting, invited, agency_names, rows, errors=errors, confirmed=confirmed, status=409)
    running.save_register(meeting, entries, confirmed=confirmed, user=current_user)
    flash(f"Register saved: {sum(row.hears_statement for row in rows)} present.")
    if opening and (first := first_case(meeting)):
        return redirect(url_for("meetings.edit_case_minutes", meeting_id=meeting.id, item_id=first.id))
    return redirect(url_for("meetings.record_attendance", meeting_id=meeting.id))


def saved_register_rows(meeting, invited) -> list[RegisterRow]:
    """What is saved, one row for each invited agency (its first attendee), others after; an agency not yet
    marked suggests its active representatives' names, for the chair to change."""
    saved = store.list_attendance(meeting)
    suggested = store.representatives_by_agency([agency.id for agency in invited])
    rows, shown = [], set()
    for agency in invited:
        found = next((row for row in saved if row.agency_id == agency.id and row.id not in shown), None)
        if found is None:
            status = NOT_ATTENDING if saved else ""
            rows.append(
                RegisterRow(
                    f"agency-{agency.id}", agency.id, ", ".join(suggested.get(agency.id, [])), status, invited=True
                )
            )
            continue
        shown.add(found.id)
        rows.append(register_row(f"agency-{agency.id}", found, invited=True))
    others = [row for row in saved if row.id not in shown]
    rows += [register_row(f"other-{number}", row) for number, row in enumerate(others, start=1)]
    return rows


def register_row(key, attendance, invited=False) -> RegisterRow:
    return RegisterRow(
        key,
        attendance.agency_id,
        attendance.attendee_name,
        attendance.status.value,
        attendance.information_sent,
        invited,
    )


def render_register(meeting, invited, agency_names, rows, errors=None, confirmed=False, status=400):
    others = [row for row in rows if not row.invited and not row.is_blank]
    blanks = [
        RegisterRow(f"other-{len(others) + number}", None, "", "") for number in range(1, REGISTER_BLANK_ROWS + 1)
    ]
    return render_template(
        "meetings/record-attendance.html",
        meeting=meeting,
        invited_rows=[row for row in rows if row.invited],
        other_rows=[*others, *blanks] if not errors else [row for row in rows if not row.invited],
        agency_names=agency_names,
        errors=errors or {},
        confirmed=confirmed,
        statement=current_app.config["CONFIDENTIALITY_STATEMENT"],
        first_case=first_case(meeting),
        starts_with_register=meeting.status is MeetingStatus.LIST_ISSUED,
    ), status if errors else 200


def first_case(meeting):
    """The first case in the running order that this user may see."""
    return next(iter(running_order(meeting)), None)


def running_order(meeting):
    return [row.item for row in agenda.agenda_rows(meeting, current_user)]


@bp.route("/meetings/<int:meeting_id>/run")
@allow(*COORDINATOR_OR_CHAIR)
def run_meeting(meeting_id):
    """The chair's way in: the register until it is taken, then the first case."""
    meeting = load_meeting_to_run(meeting_id)
    first = first_case(meeting)
    if meeting.status is MeetingStatus.LIST_ISSUED or not running.register_taken(meeting) or first is None:
        return redirect(url_for("meetings.record_attendance", meeting_id=meeting.id))
    return redirect(url_for("meetings.edit_case_minutes", meeting_id=meeting.id, item_id=first.id))


def review_outcomes_from(form, actions) -> tuple[list[running.ReviewOutcome], dict[int, str]]:
    outcomes, errors = [], {}
    statuses = {status.value: status for status in ActionStatus}
    for action in actions:
        status = statuses.get(form.get(f"status-{action.id}", ""))
        note = form.get(f"note-{action.id}", "").strip()
        version = form.get(f"version-{action.id}", "")
        if status is None or not version.isdigit():
            errors[action.id] = "Choose what happened to this action"
        elif status is not ActionStatus.OPEN and not note:
            errors[action.id] = "Enter a note on what happened"
        elif len(note) > 10000:
            errors[action.id] = "Enter a note of 10,000 characters or fewer"
        else:
            outcomes.append(running.ReviewOutcome(action.id, int(version), status, note))
    return outcomes, errors


@bp.route("/meetings/<int:meeting_id>/action-review", methods=["GET", "POST"])
@allow(*COORDINATOR_OR_CHAIR)
def review_actions(meeting_id):
    meeting = load_meeting_to_run(meeting_id)
    actions = store.list_actions_to_review(meeting)
    errors = {}
    if request.method == "POST":
        outcomes, errors = review_outcomes_from(request.form, actions)
        if not errors:
            try:
                changed = running.review_actions(meeting, outcomes, user=current_user)
            except (running.StaleReview, StaleDataError):
                flash(
                    "Someone else updated one of these actions while you had the page open. Nothing was saved: check "
                    "the actions below and save again.",
                    "error",
                )
                return redirect(url_for("meetings.review_actions", meeting_id=meeting.id))
            flash(f"Review saved: {changed} action{'s' if changed != 1 else ''} updated.")
            return redirect(url_for("meetings.review_actions", meeting_id=meeting.id))
    return render_template(
        "meetings/review-actions.html",
        meeting=meeting,
        actions=actions,
        errors=errors,
        statuses=list(ActionStatus),
        posted=request.form,
        today=date.today(),
    ), 400 if errors else 200


def minutes_labels(agencies) -> dict[str, str]:
    return MINUTES_LABELS | {f"agency-{agency.id}": f"Shared by {agency.name}" for agency in agencies}


def draft_from(form, agencies) -> running.MinutesDraft:
    return running.MinutesDraft(
        version=int(form.version.data),
        texts={name: form[name].data or "" for name in running.MINUTES_TEXT_FIELDS},
        agency_information={f"agency-{agency.id}": form[f"agency-{agency.id}"].data or "" for agency in agencies},
        outcome=form.outcome.data or None,
    )


def saved_minutes_form(item, agencies):
    minutes = running.minutes_for(item)
    saved = {name: getattr(minutes, name) for name in running.MINUTES_TEXT_FIELDS} | dict(
        minutes.agency_information or {}
    )
    # formdata=None: show what is saved, even when the request posted another form (an action).
    return case_minutes_form(
        agencies,
        formdata=None,
        data=saved
        | {"version": str(running.version_of(minutes)), "outcome": minutes.outcome.value if minutes.outcome else None},
    )


def render_minutes(meeting, item, agencies, form, action_form, status=200, rows=None):
    rows = rows if rows is not None else agenda.agenda_rows(meeting, current_user)
    order = [row.item for row in rows]
    previous_item, next_item = neighbours(order, item)
    return render_template(
        "meetings/edit-case-minutes.html",
        meeting=meeting,
        item=item,
        order=order,
        previous_item=previous_item,
        next_item=next_item,
        earlier_actions=store.list_open_earlier_actions_for_case(item.referral.case_id, meeting),
        today=date.today(),
        can_end=meeting.status is MeetingStatus.IN_PROGRESS
        and policy.may_take_meeting_step(
            current_user, store.meeting_scope(meeting, current_user), schedule.next_step(meeting).roles
        ),
        case=item.referral.case,
        form=form,
        action_form=action_form,
        agencies=agencies,
        actions=store.list_actions_for_item(item),
        research=store.list_research_returns_for_item(item.id),
        decision=risk_store.get_decision(item.referral.decision_id),
        transferred_from=agenda.transferred_from(rows, item),
        open_for_editing=running.minutes_are_open(meeting),
        field_names=minutes_field_names(agencies),
        outcome_label=CASE_OUTCOME_LABELS.get(form.outcome.data, "Not recorded"),
    ), status


def neighbours(order, item):
    """The cases before and after this one in the running order, or None at either end."""
    ids = [each.id for each in order]
    at = ids.index(item.id) if item.id in ids else None
    if at is None:
        return None, None
    return (order[at - 1] if at > 0 else None), (order[at + 1] if at + 1 < len(order) else None)


def where_after_saving(meeting, item):
    """Save and go on: to the next case, or to ending the meeting after the last; otherwise stay."""
    then = request.form.get("then")
    # The running order is the whole agenda, so it is read only when going on to the next case.
    _, next_item = neighbours(running_order(meeting), item) if then == "next" else (None, None)
    if next_item is not None:
        return url_for("meetings.edit_case_minutes", meeting_id=meeting.id, item_id=next_item.id)
    if then == "end":
        return url_for("meetings.confirm_next_step", meeting_id=meeting.id)
    return url_for("meetings.edit_case_minutes", meeting_id=meeting.id, item_id=item.id)


def minutes_field_names(agencies) -> list[str]:
    """In the order the minutes read: the victim's views, what each agency shared, then the rest."""
    first, *rest = running.MINUTES_TEXT_FIELDS
    return [first, *(f"agency-{agency.id}" for agency in agencies), *rest]


def invited_agencies(meeting):
    return sorted((invitation.agency for invitation in store.list_invitations(meeting)), key=lambda agency: agency.name)


def action_form_for(formdata=None):
    form = ActionForm(formdata=formdata)
    form.owner_agency_id.choices = [("", "Choose an agency")] + [
        (agency.id, agency.name) for agency in access_store.list_agencies()
    ]
    return form


@bp.route("/meetings/<int:meeting_id>/cases/<int:item_id>/minutes", methods=["GET", "POST"])
@allow(*COORDINATOR_OR_CHAIR)
def edit_case_minutes(meeting_id, item_id):
    meeting = load_meeting_to_run(meeting_id)
    # The page shows the running order, so the policy is asked once about all of it; a save needs only this case.
    showing = request.method == "GET"
    item, rows = load_item_with_running_order(meeting, item_id) if showing else (load_item(meeting, item_id), None)
    journey.record_case_view(current_user, item.referral.case_id)
    agencies = invited_agencies(meeting)
    if showing:
        return render_minutes(meeting, item, agencies, saved_minutes_form(item, agencies), action_form_for(), rows=rows)
    if not running.minutes_are_open(meeting):
        abort(409)
    form = case_minutes_form(agencies)
    if not form.validate():
        return render_minutes(meeting, item, agencies, form, action_form_for(), status=400)
    draft = draft_from(form, agencies)
    try:
        running.save_minutes(running.minutes_for(item), draft, user=current_user)
    except running.StaleMinutes as conflict:
        return render_conflict(meeting, item, conflict.current, draft, form, agencies)
    flash("Minutes saved.")
    return redirect(where_after_saving(meeting, item))


def render_conflict(meeting, item, current, draft, form, agencies):
    record_event(AuditAction.MINUTES_CONFLICT, user=current_user, object_type="case-minutes", object_id=current.id)
    form.version.data = str(running.version_of(current))
    return render_template(
        "meetings/resolve-minutes-conflict.html",
        meeting=meeting,
        item=item,
        form=form,
        agencies=agencies,
        current=current,
        differences=running.differing_fields(current, draft, minutes_labels(agencies)),
    ), 409


@bp.route("/meetings/<int:meeting_id>/cases/<int:item_id>/minutes/autosave", methods=["POST"])
@allow(*COORDINATOR_OR_CHAIR)
def autosave_case_minutes(meeting_id, item_id):
    meeting = load_meeting_to_run(meeting_id)
    item = load_item(meeting, item_id)
    if not running.minutes_are_open(meeting):
        return jsonify(error="The minutes are closed for editing."), 409
    agencies = invited_agencies(meeting)
    form = case_minutes_form(agencies)
    if not form.validate():
        return jsonify(
            error="Not saved: " + "; ".join(message for messages in form.errors.values() for message in messages)
        ), 400
    try:
        minutes = running.save_minutes(running.minutes_for(item), draft_from(form, agencies), user=current_user)
    except running.StaleMinutes:
        return jsonify(
            error="Someone else has changed these minutes. Press Save to see both versions: nothing you typed is lost."
        ), 409
    return jsonify(version=minutes.version_id, saved_at=minutes.updated_at.isoformat())


@bp.route("/meetings/<int:meeting_id>/cases/<int:item_id>/actions", methods=["POST"])
@allow(*COORDINATOR_OR_CHAIR)
def add_action(meeting_id, item_id):
    meeting = load_meeting_to_run(meeting_id)
    item = load_item(meeting, item_id)
    if meeting.status not in running.RUNNING:
        abort(409)
    form = action_form_for(formdata=request.form)
    if not form.validate():
        agencies = invited_agencies(meeting)
        return render_minutes(meeting, item, agencies, saved_minutes_form(item, agencies), form, status=400)
    running.add_action(
        item,
        description=form.description.data,
        owner_agency_id=form.owner_agency_id.data,
        owner_name=form.owner_name.data,
        due_on=form.due_on.data,
        user=current_user,
    )
    flash("Action added.")
    return redirect(url_for("meetings.edit_case_minutes", meeting_id=meeting.id, item_id=item.id, _anchor="actions"))
