"""Retention (SECURITY D5): which cases are due for anonymisation, the coordinator's review of them, and
the daily run that anonymises each due case in a transaction of its own and deletes old sessions,
notifications and closed subject access requests. Each package clears its own tables (cases/, risk/,
meetings/ and access/retention.py, and reports/store.py for subject access); this module, in the top layer,
puts them together.

A case is due `after_months` (the `case` rule) after the day it was last heard at a MARAC or its latest
referral or assessment, whichever is later (never heard: the latter). A case on legal hold is never
anonymised. Anonymising keeps what the data return and dashboard count, so past quarters' figures do not
change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial

from access import retention as access_retention
from access.retention_rules import RetentionRule, Then, months_after, rules_in_force
from cases import retention as cases_retention
from cases.models import Case, LegalHold
from cases.store import CaseRecords
from extensions import utcnow
from meetings import retention as meetings_retention
from meetings.case_story import case_hearings
from reports import store
from risk import retention as risk_retention
from transactions import transaction

CASE, SESSION, NOTIFICATION, SUBJECT_ACCESS = "case", "session", "notification", "subject-access"
UNNAMED_PEOPLE = "people on no case"
MEETING_REGISTER, IMPORT = "meeting-register", "import"


@dataclass(frozen=True)
class CaseRetention:
    case_id: str
    reference: str
    last_heard: date | None
    """None if it was never heard: its period then counts from its latest referral or assessment."""
    counted_from: date
    due_on: date
    hold: LegalHold | None

    @property
    def on_hold(self) -> bool:
        return self.hold is not None

    def is_due(self, today: date) -> bool:
        return self.due_on <= today and not self.on_hold


@dataclass(frozen=True)
class Review:
    due_now: list[CaseRetention]
    """Past their due date, held ones included (shown as held: the run leaves them)."""
    due_next_month: list[CaseRetention]
    held_later: list[CaseRetention]
    """On legal hold and not due within the month."""
    rules: list[RetentionRule]
    next_month_ends: date


def case_schedule() -> list[CaseRetention]:
    """Every case not yet anonymised, with the day it falls due; none under a rule that keeps cases."""
    rule = rules_in_force()[CASE]
    if rule.then is Then.KEEP:
        return []
    heard = meetings_retention.last_heard_dates()
    activity = cases_retention.latest_activity_dates()
    holds = cases_retention.holds_in_force()
    schedule = [
        retention_of(case_id, reference, heard.get(case_id), activity[case_id], holds.get(case_id), rule)
        for case_id, reference in cases_retention.cases_kept()
    ]
    return sorted(schedule, key=lambda entry: (entry.due_on, entry.reference))


def retention_of(case_id, reference, last_heard, last_activity, hold, rule: RetentionRule) -> CaseRetention:
    # A case heard long ago and referred again since counts from the later of the two: its new referral
    # still needs it.
    counted_from = max(last_heard, last_activity) if last_heard else last_activity
    return CaseRetention(
        case_id=case_id,
        reference=reference,
        last_heard=last_heard,
        counted_from=counted_from,
        due_on=months_after(counted_from, rule.after_months),
        hold=hold,
    )


def review(today: date) -> Review:
    schedule = case_schedule()
    month_ends = months_after(today, 1)
    return Review(
        due_now=[entry for entry in schedule if entry.due_on <= today],
        due_next_month=[entry for entry in schedule if today < entry.due_on <= month_ends],
        held_later=[entry for entry in schedule if entry.on_hold and entry.due_on > month_ends],
        rules=list(rules_in_force().values()),
        next_month_ends=month_ends,
    )


def case_retention(case: Case, records: CaseRecords) -> CaseRetention | None:
    """One case's due date and hold, for its page; None once anonymised, or under a rule that keeps cases.
    The dates come from the case's hearings, referrals and assessments the page reads for its history."""
    rule = rules_in_force()[CASE]
    if rule.then is Then.KEEP or case.anonymised_at is not None:
        return None
    last_heard = meetings_retention.last_heard_of(case_hearings(case, records))
    last_activity = cases_retention.latest_activity_of(case, records.referrals, records.assessments)
    return retention_of(
        case.id, case.reference, last_heard, last_activity, cases_retention.hold_in_force(case.id), rule
    )


# The daily run


@dataclass
class RunReport:
    dry_run: bool
    due: list[CaseRetention] = field(default_factory=list)
    held: list[CaseRetention] = field(default_factory=list)
    """Past their due date but on legal hold: left as they are."""
    anonymised: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Due when the run began, but held or already anonymised by the time its turn came."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(what, the kind of error): never the error's message, which can quote the data."""
    deleted: dict[str, int] = field(default_factory=dict)
    unnamed_people: int | None = None
    cleared: dict[str, int] = field(default_factory=dict)
    """Names cleared from old rows, by rule (meeting registers, import file names)."""
    """People no case names, anonymised (or, in a dry run, to be): None if the case rule keeps cases."""

    @property
    def succeeded(self) -> bool:
        return not self.failed


def run(today: date, *, dry_run: bool) -> RunReport:
    """Anonymise each due case in one transaction of its own (a failure undoes that case only and the run
    goes on), then delete old sessions, notifications and closed subject access requests, each kind in its
    own transaction."""
    schedule = case_schedule()
    report = RunReport(
        dry_run=dry_run,
        due=[entry for entry in schedule if entry.is_due(today)],
        held=[entry for entry in schedule if entry.on_hold and entry.due_on <= today],
    )
    if not dry_run:
        for entry in report.due:
            anonymised = run_one(report, entry.reference, partial(anonymise_case, entry.case_id))
            if anonymised is not None:
                (report.anonymised if anonymised else report.skipped).append(entry.reference)
    rules = rules_in_force()
    if rules[CASE].then is not Then.KEEP:
        cutoff = months_before_now(rules[CASE].after_months)
        report.unnamed_people = (
            len(cases_retention.unnamed_people_before(cutoff))
            if dry_run
            else run_one(report, UNNAMED_PEOPLE, partial(cases_retention.clear_unnamed_people, cutoff))
        )
    for kind, count, delete in (
        (SESSION, access_retention.count_old_sessions, access_retention.delete_old_sessions),
        (NOTIFICATION, access_retention.count_old_notifications, access_retention.delete_old_notifications),
        (SUBJECT_ACCESS, store.count_closed_subject_access_requests, store.delete_closed_subject_access_requests),
    ):
        if rules[kind].then is Then.KEEP:
            continue
        cutoff = months_before_now(rules[kind].after_months)
        deleted = count(cutoff) if dry_run else run_one(report, kind, partial(delete, cutoff))
        if deleted is not None:
            report.deleted[kind] = deleted
    for kind, count, clear in (
        (MEETING_REGISTER, meetings_retention.count_old_register_names, meetings_retention.clear_old_register_names),
        (IMPORT, risk_retention.count_old_import_file_names, risk_retention.clear_old_import_file_names),
    ):
        if rules[kind].then is Then.KEEP:
            continue
        cutoff = months_before_now(rules[kind].after_months)
        cleared = count(cutoff) if dry_run else run_one(report, kind, partial(clear, cutoff))
        if cleared is not None:
            report.cleared[kind] = cleared
    return report


def run_one(report: RunReport, what: str, work: Callable):
    """work() in a transaction of its own: its outcome, or None (and the failure reported) if it failed."""
    try:
        with transaction():
            return work()
    except Exception as error:  # noqa: BLE001  (reported and counted; the run goes on to the next)
        report.failed.append((what, type(error).__name__))
        return None


def anonymise_case(case_id: str) -> bool:
    """Everything that identifies anyone on the case goes, in the caller's transaction; False (nothing done)
    if a legal hold was set, or the case anonymised, since the run began."""
    cases_retention.lock_case(case_id)
    if cases_retention.hold_in_force(case_id) is not None or cases_retention.is_anonymised(case_id):
        return False
    people = cases_retention.people_to_anonymise(case_id)
    # The data return's age figures are kept before the dates of birth they come from go.
    meetings_retention.keep_age_figures(people)
    meetings_retention.clear_meeting_records(case_id)
    risk_retention.clear_assessment_text(case_id)
    cases_retention.clear_case_records(case_id)
    cases_retention.clear_people(people)
    store.clear_subject_access_items_of_case(case_id)
    cases_retention.mark_anonymised(case_id)
    return True


def months_before_now(months: int) -> datetime:
    now = utcnow()
    return datetime.combine(months_after(now.date(), -months), now.time(), UTC)
