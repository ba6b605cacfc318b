"""Who may use each route: one declaration per view, enforced for every request, deny by default.

Declare with `@allow(Role.ADMIN, ...)`, `@allow_any_role`, `@sign_in_step` (pages of the sign-in
journey, reachable after the password step) or `@public`. An endpoint with no declaration is refused.
"""

from dataclasses import dataclass
from enum import StrEnum

from flask import abort, current_app, g, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from access import policy, sessions, store
from access.audit import AuditAction, record_event
from access.models import Role
from extensions import csrf, utcnow

PUBLIC_ENDPOINTS = frozenset({"static"})
SIGNED_OUT_MESSAGE = "You have been signed out. Sign in again to carry on."


class AccessKind(StrEnum):
    PUBLIC = "public"
    SIGN_IN_STEP = "sign-in-step"
    ROLES = "roles"
    API_TOKEN = "api-token"


@dataclass(frozen=True)
class AccessRule:
    kind: AccessKind
    roles: frozenset[Role] = frozenset()


def _declare(rule: AccessRule):
    def decorate(view):
        if hasattr(view, "access_rule"):
            raise TypeError(f"{view.__name__} declares its access twice")
        view.access_rule = rule
        return view

    return decorate


def allow(*roles: Role):
    if not roles:
        raise TypeError("allow() needs at least one role; use allow_any_role for everyone signed in")
    return _declare(AccessRule(AccessKind.ROLES, frozenset(roles)))


allow_any_role = _declare(AccessRule(AccessKind.ROLES, frozenset(Role)))
public = _declare(AccessRule(AccessKind.PUBLIC))
sign_in_step = _declare(AccessRule(AccessKind.SIGN_IN_STEP))


def api_token_required(view):
    """For JSON API views: a live agency token in `Authorization: Bearer`, and no cookies or CSRF."""
    return csrf.exempt(_declare(AccessRule(AccessKind.API_TOKEN))(view))


def access_rule_for(endpoint: str) -> AccessRule | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return AccessRule(AccessKind.PUBLIC)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access():
    if request.endpoint is None:
        return None
    rule = access_rule_for(request.endpoint)
    if rule is None:
        abort(403)
    if rule.kind is AccessKind.PUBLIC:
        return None
    if rule.kind is AccessKind.API_TOKEN:
        return None if current_api_token() else api_error(401, "Send a live API token as: Authorization: Bearer TOKEN")
    if rule.kind is AccessKind.SIGN_IN_STEP:
        return None if sessions.current_partial_session() else redirect(url_for("access.sign_in"))
    if not current_user.is_authenticated:
        return redirect_to_sign_in()
    if current_user.role not in rule.roles:
        # Kept by the request's commit: a refusal (4xx) keeps its audit record.
        record_event(AuditAction.ACCESS_DENIED, user=current_user, object_type="endpoint", object_id=request.endpoint)
        abort(403)
    return None


def current_api_token():
    if "api_token" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        g.api_token = store.get_live_api_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if g.api_token is not None:
            g.api_token.last_used_at = utcnow()
    return g.api_token


def api_error(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    return response


def redirect_to_sign_in():
    if wants_json():
        # A page's own request (autosave, the time-left check): its script needs to know, not a sign-in page.
        return api_error(401, SIGNED_OUT_MESSAGE)
    if sessions.current_partial_session():
        return redirect(url_for("access.continue_sign_in"))
    return redirect(url_for("access.sign_in", next=return_path()))


def wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def return_path() -> str | None:
    """The page to come back to after signing in: this one, or for a form sent from it, its page if it has one."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    try:
        current_app.create_url_adapter(request).match(request.path, method="GET")
    except HTTPException:
        return None
    return request.path


def can(role: Role, endpoint: str) -> bool:
    rule = access_rule_for(endpoint)
    return rule is not None and (rule.kind is AccessKind.PUBLIC or role in rule.roles)


# Object rules: which object, which question, and the one function in access/policy.py that answers it.
# Route declarations above say who may use a page at all; these say who may see or change one object.
OBJECT_RULES = {
    ("case", "view"): policy.may_view_case,
    ("case", "change"): policy.may_change_case,
    ("case", "see exclusion list"): policy.may_view_exclusion_list,
    ("case", "break glass"): policy.may_break_glass,
    ("case", "be told about it in-app"): policy.may_be_told_about_case,
    ("any case", "be told about one in-app"): policy.may_be_told_about_any_case,
    ("person", "view"): policy.may_view_person,
    ("person", "edit"): policy.may_edit_person,
    ("person", "confirm a link to a known person"): policy.may_confirm_person_link,
    ("assessment", "view"): policy.may_view_assessment,
    ("assessment", "change"): policy.may_change_assessment,
    ("safe contact", "view"): policy.may_view_safe_contact,
    ("safe contact", "record"): policy.may_record_safe_contact,
    ("referral", "view"): policy.may_view_referral,
    ("referral", "see why it was declined or withdrawn"): policy.may_see_why_a_referral_ended,
    ("referral", "withdraw"): policy.may_withdraw_referral,
    ("referral", "correct"): policy.may_correct_referral,
    ("research return", "view"): policy.may_view_research_return,
    ("research return", "edit"): policy.may_edit_research_return,
    ("action", "view"): policy.may_view_action,
    ("action", "update"): policy.may_update_action,
    ("action", "edit or reassign"): policy.may_edit_action,
    ("meeting", "view"): policy.may_view_meeting,
    ("meeting", "see agenda"): policy.may_view_agenda,
    ("minutes", "take, approve and run the meeting"): policy.may_run_meeting,
    ("meeting step", "take"): policy.may_take_meeting_step,
    ("document", "receive the meeting's documents"): policy.may_receive_meeting_documents,
    ("document", "receive an agency's action plan"): policy.may_receive_agency_action_plan,
    ("document", "see draft minutes"): policy.may_see_draft_minutes,
    ("document", "carry a case in this person's copy"): policy.may_receive_case_in_documents,
    ("minutes", "read what a meeting minuted about a case"): policy.may_read_minutes,
    ("import batch", "view"): policy.may_view_import_batch,
    ("data inventory", "view"): policy.may_view_data_inventory,
    ("session", "end"): policy.may_end_session,
    ("audit trail", "run who-viewed and what-viewed reports"): policy.may_run_audit_reports,
    ("case", "set or lift a legal hold"): policy.may_hold_case,
    ("retention", "review what falls due for anonymisation"): policy.may_review_retention,
    ("subject access request", "record, search, decide and export"): policy.may_handle_subject_access,
}
