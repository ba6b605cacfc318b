"""Who saw what (SECURITY L8): the auditor's and administrators' reports on the audit trail.

The reports are asked for with a GET form, so a report can be bookmarked and paged; what is typed is a
case reference, an e-mail address and dates, never a name."""

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from access import policy
from access import store as access_store
from access.models import Role
from access.permissions import allow
from access.step_up import requires_step_up
from cases import store as cases_store
from reports import audit_reports as who_saw_what
from reports.audit_reports import Period
from reports.downloads import attachment
from reports.views import bp
from reports.views.data_return import CSV_MIMETYPE
from reports.views.documents import BAD_DATE, parse_day

AUDIT_ROLES = (Role.AUDITOR, Role.ADMIN)
NO_CASE_TYPED = "Enter a case reference, like RIV-2026-0142"
NO_USER_TYPED = "Enter the e-mail address of the user"
DAYS_REVERSED = "The first day must be on or before the last day"


@bp.route("/audit")
@allow(*AUDIT_ROLES)
def audit_reports():
    may_run_reports()
    return render_template("reports/audit-reports.html")


@bp.route("/audit/case")
@allow(*AUDIT_ROLES)
def view_case_audit():
    typed, case, period, problems = read_case_request()
    if problems or case is None:
        return case_page(typed, problems), 400 if problems else 200
    page = who_saw_what.who_viewed_case(current_user, case, period, request.args.get("page", 1, type=int))
    return case_page(typed, problems, case=case, page=page)


@bp.route("/audit/case/csv")
@allow(*AUDIT_ROLES)
@requires_step_up
def download_case_audit_csv():
    typed, case, period, problems = read_case_request()
    if problems or case is None:
        return case_page(typed, problems or {"case": NO_CASE_TYPED}), 400
    body = who_saw_what.case_report_csv(current_user, case, period)
    return attachment(body, CSV_MIMETYPE, f"who-viewed-{case.reference}.csv")


@bp.route("/audit/user")
@allow(*AUDIT_ROLES)
def view_user_audit():
    typed, subject, period, problems = read_user_request()
    if problems or subject is None:
        return user_page(typed, problems), 400 if problems else 200
    page = who_saw_what.what_user_did(current_user, subject, period, request.args.get("page", 1, type=int))
    return user_page(typed, problems, subject=subject, page=page)


@bp.route("/audit/user/csv")
@allow(*AUDIT_ROLES)
@requires_step_up
def download_user_audit_csv():
    typed, subject, period, problems = read_user_request()
    if problems or subject is None:
        return user_page(typed, problems or {"user": NO_USER_TYPED}), 400
    body = who_saw_what.user_report_csv(current_user, subject, period)
    return attachment(body, CSV_MIMETYPE, f"what-user-{subject.id}-viewed.csv")


def may_run_reports() -> None:
    if not policy.may_run_audit_reports(current_user):
        abort(403)


def read_case_request():
    """What was typed, the case it names (None before anything is typed), the period and what to fix."""
    may_run_reports()
    typed, period, problems = read_period("case")
    case = cases_store.get_case_by_reference_or_id(typed["case"]) if typed["case"] else None
    if case is not None and cases_store.cases_excluding(current_user, [case.id]):
        case = None  # a case whose exclusion list names the auditor is answered as if it did not exist
    if typed["case"] and case is None:
        problems["case"] = f"No case has the reference {typed['case']}. Check it and try again"
    return typed, case, period, problems


def read_user_request():
    may_run_reports()
    typed, period, problems = read_period("user")
    subject = access_store.get_user_by_email_or_id(typed["user"]) if typed["user"] else None
    if typed["user"] and subject is None:
        problems["user"] = f"No user has the e-mail address {typed['user']}. Check it and try again"
    if subject is not None:
        typed["user"] = subject.email  # a link from another report names the user by number
    return typed, subject, period, problems


def read_period(subject_field: str) -> tuple[dict[str, str], Period, dict[str, str]]:
    typed = {name: request.args.get(name, "").strip() for name in (subject_field, "from", "to")}
    days: dict[str, date | None] = {name: parse_day(typed[name]) for name in ("from", "to")}
    problems = {name: BAD_DATE for name in ("from", "to") if typed[name] and days[name] is None}
    if days["from"] and days["to"] and days["from"] > days["to"]:
        problems["to"] = DAYS_REVERSED
    return typed, Period(days["from"], days["to"]), problems


def case_page(typed, problems, **found):
    return render_template("reports/case-audit.html", typed=typed, problems=problems, **found)


def user_page(typed, problems, **found):
    users = access_store.list_users() if "subject" not in found else []
    return render_template("reports/user-audit.html", typed=typed, problems=problems, users=users, **found)
