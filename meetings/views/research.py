from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access.models import Role
from access.permissions import allow, can
from cases import journey
from forms.research import ResearchReturnForm
from meetings import agenda, research
from meetings.views import bp
from meetings.views.loading import load_item, load_meeting

MEETING_ROLES = (Role.COORDINATOR, Role.CHAIR)
STALE_MESSAGE = (
    "Someone else from your agency saved this return after you opened it, so your changes have not been saved. "
    "Check what is saved now, below, then save again if your version should replace it."
)

SAVED_AS_DRAFT = (
    "Draft saved. It has not been returned yet: open it again and choose Save research return when it is finished."
)


@bp.route("/research")
@allow(Role.AGENCY_REP)
def list_research_requests():
    lists = research.research_lists_for(current_user)
    research.record_list_views(current_user, lists)
    return render_template("meetings/list-research-requests.html", lists=lists)


def load_own_return(return_id: int):
    research_return = research.return_for_rep(current_user, return_id)
    if research_return is None:
        abort(404)
    journey.record_case_view(current_user, research_return.agenda_item.referral.case_id)
    return research_return


def render_return(research_return, form, status: int = 200):
    return render_template(
        "meetings/edit-research-return.html",
        research_return=research_return,
        case=research.case_identifiers(research_return.agenda_item),
        meeting=research_return.agenda_item.meeting,
        return_status=research.current_status(research_return),
        editable=form is not None,
        form=form,
    ), status


def answers_from(form: ResearchReturnForm) -> research.ReturnAnswers:
    return research.ReturnAnswers(
        version=form.version.data,
        known={"yes": True, "no": False}.get(form.known.data),
        involvement=form.involvement.data,
        risks=form.risks.data,
        open_cases=form.open_cases.data,
        proposed_actions=form.proposed_actions.data,
        not_shareable=form.not_shareable.data,
        not_shareable_reason=form.not_shareable_reason.data,
    )


@bp.route("/research/<int:return_id>", methods=["GET", "POST"])
@allow(Role.AGENCY_REP)
def edit_research_return(return_id):
    research_return = load_own_return(return_id)
    if not research.can_edit(current_user, research_return):
        return render_return(research_return, None, status=409 if request.method == "POST" else 200)
    form = ResearchReturnForm(data=research.form_data(research_return))
    form.draft_allowed = research_return.returned_at is None
    if form.validate_on_submit():
        if research.save_return(research_return, answers_from(form), user=current_user, draft=form.is_draft):
            flash(
                SAVED_AS_DRAFT if form.is_draft else "Research return saved. The chair and coordinator can now see it."
            )
            return redirect(url_for("meetings.list_research_requests"))
        form.form_errors.append(STALE_MESSAGE)
        form.version.data = form.version.raw_data[0] = str(research_return.version_id)
        return render_return(research_return, form, status=409)
    return render_return(research_return, form, status=400 if form.errors else 200)


@bp.route("/meetings/<int:meeting_id>/research")
@allow(*MEETING_ROLES)
def view_research_progress(meeting_id):
    meeting = load_meeting(meeting_id)
    return render_template(
        "meetings/view-research-progress.html",
        meeting=meeting,
        progress=research.meeting_progress(meeting),
        research_days=agenda.research_days(),
        chases=research.last_chases(meeting),
        outstanding_agency_ids=research.agencies_to_chase(meeting),
        can_chase=can(current_user.role, "meetings.chase_research") and meeting.status in research.EDITABLE_STATUSES,
    )


@bp.route("/meetings/<int:meeting_id>/research/chase", methods=["POST"])
@allow(Role.COORDINATOR)
def chase_research(meeting_id):
    meeting = load_meeting(meeting_id)
    if meeting.status not in research.EDITABLE_STATUSES:
        flash("Research for this meeting is closed, so there is no one to chase.", "error")
        return redirect(url_for("meetings.view_research_progress", meeting_id=meeting.id))
    outstanding = research.outstanding_by_agency(meeting)
    wanted = request.form.get("agency_id", "")
    if wanted == "all":
        agency_ids = list(outstanding)
    elif wanted.isdigit() and int(wanted) in outstanding:
        agency_ids = [int(wanted)]
    else:
        flash("That agency has nothing outstanding for this meeting, so it was not chased.", "error")
        return redirect(url_for("meetings.view_research_progress", meeting_id=meeting.id))
    outcome = research.chase(meeting, agency_ids, user=current_user)
    flash(outcome.message, "message" if outcome.chased and not outcome.failed else "error")
    return redirect(url_for("meetings.view_research_progress", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/cases/<int:item_id>/research")
@allow(*MEETING_ROLES)
def view_case_research(meeting_id, item_id):
    meeting = load_meeting(meeting_id)
    item = load_item(meeting, item_id)
    journey.record_case_view(current_user, item.referral.case_id)
    returned, outstanding = research.case_research(item)
    return render_template(
        "meetings/view-case-research.html",
        meeting=meeting,
        item=item,
        case=research.case_identifiers(item),
        returned=returned,
        outstanding=outstanding,
    )
