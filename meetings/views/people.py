"""A person's page: her cases and MARAC history, as far as the reader may see them."""

from flask import abort, render_template
from flask_login import current_user

from access.permissions import allow
from cases import journey
from cases.views.loading import CASE_ROLES
from meetings import people
from meetings.views import bp


@bp.route("/people/<uuid:person_id>")
@allow(*CASE_ROLES)
def view_person(person_id):
    story = people.person_story(current_user, str(person_id))
    if story is None:
        abort(404)
    journey.record_case_views(current_user, story.case_ids)
    return render_template("meetings/view-person.html", story=story)
