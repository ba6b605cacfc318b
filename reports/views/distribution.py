"""The coordinator's check of a meeting's document recipients against its cases' exclusion lists."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access.models import Role
from access.permissions import allow
from cases import journey
from cases.models import ClearanceDecision
from meetings import store as meetings_store
from meetings.actions import case_reference
from meetings.models import Meeting
from reports import distribution
from reports.views import bp

DECISION_NEEDED = 'Choose "Different person: release" or "Withhold from this person" for the match.'
NEXT_STEP_WHILE_HELD = (
    "{count} still to decide. The meeting's documents stay held back from everyone but the coordinator "
    "until every match is decided."
)
NEXT_STEP_WHEN_CLEAR = "Every match is decided: the meeting's documents are available to the people they are meant for."


@bp.app_context_processor
def distribution_context() -> dict:
    """Lets the meeting page warn the coordinator, and the home page list the checks waiting for them,
    without the meetings package importing this one."""
    return {
        "distribution_matches_for": distribution.matches_for,
        "distribution_checks_needed": distribution.checks_needed,
    }


def load_meeting(meeting_id: int) -> Meeting:
    meeting = meetings_store.get_meeting(meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def render_check(meeting: Meeting, problem: str | None = None, status: int = 200):
    matches = distribution.matches_for(meeting)
    journey.record_case_views(current_user, list(dict.fromkeys(match.case.id for match in matches)))
    return render_template(
        "reports/distribution-check.html",
        meeting=meeting,
        matches=matches,
        references={match.case.id: case_reference(match.case, meeting.starts_at) for match in matches},
        decided=distribution.list_clearances(meeting),
        reviews=distribution.list_reviews(meeting),
        problem=problem,
    ), status


def render_confirm_withhold(meeting: Meeting, match: distribution.ExclusionMatch):
    """Withholding changes what someone receives: say what it means and who is told before it is done."""
    journey.record_case_views(current_user, [match.case.id])
    return render_template(
        "reports/confirm-withhold.html",
        meeting=meeting,
        match=match,
        reference=case_reference(match.case, meeting.starts_at),
    )


@bp.route("/reports/meetings/<int:meeting_id>/distribution")
@allow(Role.COORDINATOR)
def view_distribution_check(meeting_id):
    return render_check(load_meeting(meeting_id))


@bp.route("/reports/meetings/<int:meeting_id>/distribution/<int:excluded_person_id>/<int:user_id>", methods=["POST"])
@allow(Role.COORDINATOR)
def decide_distribution_match(meeting_id, excluded_person_id, user_id):
    meeting = load_meeting(meeting_id)
    try:
        decision = ClearanceDecision(request.form.get("decision", ""))
    except ValueError:
        return render_check(meeting, problem=DECISION_NEEDED, status=400)
    match = distribution.find_match(meeting, excluded_person_id, user_id)
    if match is None:
        if not distribution.is_decided(meeting, excluded_person_id, user_id):
            abort(404)
        flash("That match was already decided; nothing was changed.")
    elif decision is ClearanceDecision.WITHHOLD and request.form.get("confirmed") != "yes":
        return render_confirm_withhold(meeting, match)
    elif distribution.decide(meeting, match, decision, by=current_user):
        flash(f"{what_was_decided(match, decision)} {what_happens_next(meeting)}")
    else:
        flash("Another coordinator decided that match a moment ago; nothing was changed.")
    return redirect(url_for("reports.view_distribution_check", meeting_id=meeting.id))


def what_was_decided(match: distribution.ExclusionMatch, decision: ClearanceDecision) -> str:
    if decision is ClearanceDecision.RELEASE:
        return f"Released: {match.recipient.name} is a different person and can receive this meeting's documents."
    return (
        f"Withheld: {match.recipient.name}'s copies of this meeting's documents leave out case "
        f"{match.case.reference}; the other cases stay in them."
    )


def what_happens_next(meeting: Meeting) -> str:
    remaining = len(distribution.matches_for(meeting))
    if not remaining:
        return NEXT_STEP_WHEN_CLEAR
    return NEXT_STEP_WHILE_HELD.format(count="1 match is" if remaining == 1 else f"{remaining} matches are")


# Reviewing a decision: changed later, for a reason; the decision it replaces is kept.

REASON_NEEDED = "Say why the decision is changing."
REVIEW_DECISION_NEEDED = 'Choose "Release: a different person" or "Withhold the case from this person".'
REASON_TOO_LONG = "The reason must be 2,000 characters or fewer."


@bp.route(
    "/reports/meetings/<int:meeting_id>/distribution/decisions/<int:clearance_id>/review", methods=["GET", "POST"]
)
@allow(Role.COORDINATOR)
def review_distribution_decision(meeting_id, clearance_id):
    meeting = load_meeting(meeting_id)
    clearance = distribution.get_clearance(meeting, clearance_id)
    if clearance is None:
        abort(404)
    if request.method == "GET":
        return render_review(meeting, clearance)
    typed = {"decision": request.form.get("decision", ""), "reason": request.form.get("reason", "").strip()}
    problem = review_problem(typed)
    if problem:
        return render_review(meeting, clearance, typed=typed, problem=problem, status=400)
    decision = ClearanceDecision(typed["decision"])
    if decision is clearance.decision:
        flash("That is already the decision; nothing was changed.")
    else:
        distribution.review(clearance, decision, typed["reason"], by=current_user)
        flash(f"Decision changed for {clearance.user.name}: {REVIEWED[decision]}")
    return redirect(url_for("reports.view_distribution_check", meeting_id=meeting.id))


REVIEWED = {
    ClearanceDecision.RELEASE: "released as a different person; their copies now include the case.",
    ClearanceDecision.WITHHOLD: "withheld; their copies of this meeting's documents now leave the case out.",
}


def review_problem(typed: dict) -> str | None:
    if typed["decision"] not in {decision.value for decision in ClearanceDecision}:
        return REVIEW_DECISION_NEEDED
    if not typed["reason"]:
        return REASON_NEEDED
    if len(typed["reason"]) > 2000:
        return REASON_TOO_LONG
    return None


def render_review(meeting: Meeting, clearance, *, typed: dict | None = None, problem: str | None = None, status=200):
    case = clearance.excluded_person.case
    journey.record_case_views(current_user, [case.id])
    return render_template(
        "reports/review-withhold.html",
        meeting=meeting,
        clearance=clearance,
        reference=case_reference(case, meeting.starts_at),
        typed=typed or {"decision": "", "reason": ""},
        problem=problem,
    ), status
