"""Who saw what (SECURITY L8): "who viewed this case" and "what did this user view, and when", for the
auditor and administrators, on screen a page at a time and as CSV. Every run and every download is
itself in the audit trail, under the case or the user it is about.

What counts as "about the case": every event the audit trail records under the case itself, which is
every look at any page that shows it (the case, its referrals, research, actions, minutes, person pages
and documents all record the look under the case), its appearance in a list, its safe-contact details
opened, break-glass used or refused, and the decisions made on it; and every event recorded under the
case's own referrals, assessments, actions, minutes and research returns (what was changed there).

The reports show identifiers, staff names, times and addresses (IP), never anything of the case's
content: the auditor reads them without seeing a case.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from access import store as access_store
from access.audit import AuditAction, record_event
from access.models import User
from cases import store as cases_store
from cases.models import Case
from meetings import store as meetings_store
from meetings.labels import label
from meetings.schedule import start_of_uk_day
from reports import exports
from reports.quarters import UK_TIME

PER_PAGE = 50
NOBODY = "No one signed in"
CASE_COLUMNS = ("When", "Who", "Agency", "Role", "What", "IP address")
USER_COLUMNS = ("When", "What", "Case", "IP address")


@dataclass(frozen=True)
class Period:
    """The UK days a report covers, both included; either end may be open."""

    first_day: date | None = None
    last_day: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        since = start_of_uk_day(self.first_day) if self.first_day else None
        until = start_of_uk_day(self.last_day + timedelta(days=1)) if self.last_day else None
        return since, until


@dataclass(frozen=True)
class AuditLine:
    when: datetime
    user_id: int | None
    who: str
    agency: str
    role: str
    what: str
    ip: str
    case_reference: str

    @property
    def when_text(self) -> str:
        return self.when.astimezone(UK_TIME).strftime("%d/%m/%Y %H:%M:%S")


@dataclass(frozen=True)
class AuditPage:
    lines: list[AuditLine]
    total: int
    number: int
    pages: int


def who_viewed_case(by: User, case: Case, period: Period, page_number: int) -> AuditPage:
    page = page_of(case_query(case, period), page_number, by)
    record_event(AuditAction.AUDIT_REPORT_RUN, user=by, object_type="case", object_id=case.id)
    return page


def what_user_did(by: User, subject: User, period: Period, page_number: int) -> AuditPage:
    page = page_of(user_query(subject, period), page_number, by)
    record_event(AuditAction.AUDIT_REPORT_RUN, user=by, object_type="user", object_id=subject.id)
    return page


def case_report_csv(by: User, case: Case, period: Period) -> bytes:
    lines = lines_of(access_store.list_audit_events(case_query(case, period)), by)
    record_event(AuditAction.AUDIT_REPORT_DOWNLOADED, user=by, object_type="case", object_id=case.id)
    rows = [(line.when_text, line.who, line.agency, line.role, line.what, line.ip) for line in lines]
    return exports.to_csv(pd.DataFrame(rows, columns=list(CASE_COLUMNS)))


def user_report_csv(by: User, subject: User, period: Period) -> bytes:
    lines = lines_of(access_store.list_audit_events(user_query(subject, period)), by)
    record_event(AuditAction.AUDIT_REPORT_DOWNLOADED, user=by, object_type="user", object_id=subject.id)
    rows = [(line.when_text, line.what, line.case_reference, line.ip) for line in lines]
    return exports.to_csv(pd.DataFrame(rows, columns=list(USER_COLUMNS)))


def case_query(case: Case, period: Period):
    objects = cases_store.audit_objects_of_case(case.id) | meetings_store.audit_objects_of_case(case.id)
    return access_store.audit_events_about_query(objects, *period.bounds())


def user_query(subject: User, period: Period):
    return access_store.audit_events_by_user_query(subject.id, *period.bounds())


def page_of(query, number: int, viewer: User) -> AuditPage:
    total = access_store.count_audit_events(query)
    pages = max(1, -(-total // PER_PAGE))
    number = min(max(number, 1), pages)
    rows = access_store.list_audit_events(query, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    return AuditPage(lines_of(rows, viewer), total, number, pages)


def lines_of(rows, viewer: User) -> list[AuditLine]:
    """The rows in words. A case whose exclusion list names the viewer is not named: knowing its reference
    would tell them it exists."""
    case_ids = sorted({row.object_id for row in rows if row.object_type == "case"})
    kept_from_viewer = cases_store.cases_excluding(viewer, case_ids)
    references = cases_store.case_references([case_id for case_id in case_ids if case_id not in kept_from_viewer])
    return [
        AuditLine(
            when=row.occurred_at,
            user_id=row.user_id,
            who=row.user_name or NOBODY,
            agency=row.agency_name or "",
            role=row.user_role.label if row.user_role else "",
            what=label(row.action),
            ip=row.ip or "",
            case_reference=references.get(row.object_id, "") if row.object_type == "case" else "",
        )
        for row in rows
    ]
