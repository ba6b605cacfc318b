"""Finding a case for the person asking: a 404 unless the policy lets them see it (or change it), so
that its existence is not given away. Every look is in the audit trail under the case."""

from flask import abort, redirect, request, url_for
from flask_login import current_user

from access import policy
from access.models import Role
from access.policy import CaseScope
from cases import journey, store
from cases.models import Case

# Who may open a case's pages at all; the policy then decides case by case.
CASE_ROLES = (Role.PRACTITIONER, Role.AGENCY_REP, Role.COORDINATOR, Role.CHAIR)
REFERRING_ROLES = (Role.PRACTITIONER, Role.AGENCY_REP, Role.COORDINATOR)


def load_case_and_scope(case_id) -> tuple[Case, CaseScope]:
    """The case and what the policy knows of it, if this person may see it (404 otherwise, so its
    existence is not given away). Every look at it is in the audit trail under the case."""
    found = load_case_unrecorded(case_id)
    journey.record_case_view(current_user, found[0].id)
    return found


def load_case_unrecorded(case_id) -> tuple[Case, CaseScope]:
    """The same check, for a save made while a page already recorded as viewed is being typed into
    (a draft kept every few seconds): a look is recorded when the page opens, not at every keystroke."""
    found = store.get_case_for(current_user, str(case_id))
    if found is None:
        abort(404)
    if found[0].anonymised_at is not None and request.endpoint != "cases.view_case":
        # Its records hold nothing to show or change any more (SECURITY D5): its page says why.
        abort(redirect(url_for("cases.view_case", case_id=found[0].id)))
    return found


def load_case(case_id) -> Case:
    return load_case_and_scope(case_id)[0]


def load_case_to_change(case_id) -> Case:
    case, scope = load_case_and_scope(case_id)
    if not policy.may_change_case(current_user, scope):
        abort(404)
    return case
