"""Find a case: the search and filters are sent by POST (names, dates of birth and postcodes never go
in a URL), and so are the pages of results."""

from datetime import date

from flask import render_template
from flask_login import current_user
from wtforms.fields import SelectChoice

from access import store as access_store
from access.models import Role
from access.permissions import allow
from cases import journey
from forms.find_cases import FindCasesForm
from meetings import finding
from meetings.views import bp
from meetings.vocabulary import ANY_UPCOMING_MEETING, NO_UPCOMING_MEETING, CaseFlag, CaseSort

FINDER_ROLES = (Role.COORDINATOR, Role.CHAIR, Role.PRACTITIONER, Role.AGENCY_REP)


def find_cases_form(today: date) -> FindCasesForm:
    form = FindCasesForm()
    form.meeting.choices = [
        SelectChoice("", "Any"),
        SelectChoice(ANY_UPCOMING_MEETING, "On the agenda of a coming meeting"),
        SelectChoice(NO_UPCOMING_MEETING, "Not on the agenda of a coming meeting"),
    ] + [
        SelectChoice(str(meeting.id), f"The meeting on {meeting.starts_at.strftime('%-d %B %Y')}")
        for meeting in finding.upcoming_meetings(today)
    ]
    form.agency.choices = [SelectChoice("", "Any agency")] + [
        SelectChoice(str(agency.id), agency.name) for agency in access_store.list_agencies()
    ]
    return form


def search_from(form: FindCasesForm) -> finding.CaseSearch:
    return finding.CaseSearch(
        name=form.name.data or None,
        date_of_birth=form.date_of_birth.data,
        postcode=form.postcode.data or None,
        reference=form.reference.data or None,
        referral_state=form.referral_state.data or None,
        meeting=form.meeting.data or None,
        referring_agency_id=form.agency_id(),
        flags=frozenset(CaseFlag(flag) for flag in form.flags.data or ()),
        sort=CaseSort(form.sort.data or CaseSort.NEWEST),
        page=form.page_number(),
    )


@bp.route("/cases", methods=["GET", "POST"])
@allow(*FINDER_ROLES)
def find_cases():
    today = date.today()
    form = find_cases_form(today)
    if form.is_submitted() and not form.validate():
        return render_template("meetings/find-cases.html", form=form, found=None), 400
    found = finding.find_cases(current_user, search_from(form), today=today)
    page = render_template("meetings/find-cases.html", form=form, found=found)
    return journey.listing(current_user, [row.case_id for row in found.rows], page)
