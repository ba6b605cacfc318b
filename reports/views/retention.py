"""The coordinator's retention review (SECURITY D5): what is due for anonymisation now and in the next
month, the legal holds, and the rules in force. Nothing is anonymised from here: the daily run does it."""

from dataclasses import replace

from flask import render_template
from flask_login import current_user

from access.models import Role
from access.permissions import allow
from cases import journey
from cases import store as cases_store
from reports import retention
from reports.quarters import uk_today
from reports.views import bp


@bp.route("/retention")
@allow(Role.COORDINATOR)
def review_retention():
    today = uk_today()
    review = shown_to(current_user, retention.review(today))
    page = render_template("reports/retention.html", review=review, today=today)
    listed = [
        entry.case_id for entries in (review.due_now, review.due_next_month, review.held_later) for entry in entries
    ]
    return journey.listing(current_user, listed, page)


def shown_to(user, review: retention.Review) -> retention.Review:
    """Only the cases the policy lets this person see, as on every list."""
    all_ids = [entry.case_id for entry in (*review.due_now, *review.due_next_month, *review.held_later)]
    visible = cases_store.cases_visible_to(user, all_ids)
    return replace(
        review,
        due_now=[entry for entry in review.due_now if entry.case_id in visible],
        due_next_month=[entry for entry in review.due_next_month if entry.case_id in visible],
        held_later=[entry for entry in review.held_later if entry.case_id in visible],
    )
