"""Changing a meeting before it starts: editing its details, rescheduling it, cancelling it."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from access.models import Role
from access.permissions import allow
from forms.meetings import CancelMeetingForm, EditMeetingForm, RescheduleMeetingForm
from meetings import agenda, schedule, store
from meetings.views import bp
from meetings.views.loading import load_meeting

STALE_MESSAGE = (
    "Someone else changed this meeting after you opened this page, so your change has not been saved. "
    "Check the meeting as it is now, below, then make your change again."
)


def load_changeable_meeting(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if not schedule.can_change_meeting(meeting):
        flash("This meeting has started or was cancelled, so it can no longer be changed.", "error")
        abort(redirect(url_for("meetings.view_meeting", meeting_id=meeting.id)))
    return meeting


def refuse_stale(form, meeting) -> None:
    """Keeps what was typed, and the version now saved so that a second save goes through."""
    form.form_errors.append(STALE_MESSAGE)
    form.version.data = form.version.raw_data[0] = str(meeting.version_id)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edit_meeting(meeting_id):
    meeting = load_changeable_meeting(meeting_id)
    local = meeting.starts_at.astimezone(schedule.UK_TIME)
    form = EditMeetingForm(
        data={
            "starts_at_time": local.strftime("%H:%M"),
            "online": meeting.online,
            "venue": meeting.venue,
            "chair_id": str(meeting.chair_id or ""),
            "capacity": meeting.capacity,
            "minutes_per_case": meeting.minutes_per_case,
            "version": str(meeting.version_id),
        }
    )
    form.chair_id.choices = [("", "Not chosen yet")] + [
        (str(chair.id), chair.name) for chair in store.list_active_chairs()
    ]
    if form.validate_on_submit():
        if schedule.edit_meeting(meeting, details_from(form), user=current_user):
            flash("Meeting details saved. The agenda's times follow the new start time.")
            return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id))
        refuse_stale(form, meeting)
        return render_template("meetings/edit-meeting.html", meeting=meeting, form=form), 409
    return render_template("meetings/edit-meeting.html", meeting=meeting, form=form), 400 if form.errors else 200


def details_from(form: EditMeetingForm) -> schedule.MeetingDetails:
    return schedule.MeetingDetails(
        version=form.version.data,
        starts_at=form.starts_at_time.time,
        venue=form.venue.data,
        online=form.online.data,
        chair_id=int(form.chair_id.data) if form.chair_id.data else None,
        capacity=form.capacity.data,
        minutes_per_case=form.minutes_per_case.data,
    )


@bp.route("/meetings/<int:meeting_id>/reschedule", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def reschedule_meeting(meeting_id):
    meeting = load_changeable_meeting(meeting_id)
    local = meeting.starts_at.astimezone(schedule.UK_TIME)
    form = RescheduleMeetingForm(data={"starts_at_time": local.strftime("%H:%M"), "version": str(meeting.version_id)})
    if form.validate_on_submit():
        moved = schedule.reschedule(
            meeting, form.starts_on.data, form.starts_at_time.time, form.version.data, user=current_user
        )
        if moved:
            flash("Meeting rescheduled. The agenda's times and the research deadline follow the new date.")
            return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id))
        refuse_stale(form, meeting)
    return render_template(
        "meetings/reschedule-meeting.html",
        meeting=meeting,
        form=form,
        told=schedule.who_is_told(meeting),
        research_days=agenda.research_days(),
    ), (409 if form.form_errors else 400 if form.errors else 200)


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def cancel_meeting(meeting_id):
    meeting = load_changeable_meeting(meeting_id)
    form = CancelMeetingForm(data={"version": str(meeting.version_id)})
    if form.validate_on_submit():
        if schedule.cancel(meeting, form.version.data, user=current_user):
            flash("Meeting cancelled. Its cases are back in the referral queue for the planner.")
            return redirect(url_for("meetings.view_meeting", meeting_id=meeting.id))
        refuse_stale(form, meeting)
    return render_template(
        "meetings/cancel-meeting.html",
        meeting=meeting,
        form=form,
        cases=store.count_agenda_items(meeting),
        told=schedule.who_is_told(meeting),
    ), (409 if form.form_errors else 400 if form.errors else 200)
