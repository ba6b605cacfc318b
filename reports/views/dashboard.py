"""The dashboard and the quarterly PDF report for the steering group: charts of the data return and
the partnership-effectiveness tables, the same figures and the same SVG on screen and on paper."""

from dataclasses import dataclass
from datetime import date
from functools import wraps

from flask import current_app, render_template, request
from flask_login import current_user

from access.audit import AuditAction, record_event
from access.models import Role
from access.permissions import allow
from access.vocabulary import AGENCY_KIND_LABELS, AgencyKind
from reports import charts, data_return, store
from reports.charts import Chart
from reports.downloads import PdfDocument, pdf_download
from reports.effectiveness import Effectiveness, partnership_effectiveness
from reports.quarters import Quarter, quarter_choices, quarter_containing, quarter_from, uk_today
from reports.views import bp

REFERRAL_COLUMNS = {AGENCY_KIND_LABELS[kind]: f"referrals_{kind.value}" for kind in AgencyKind}


@dataclass(frozen=True)
class Dashboard:
    quarter: Quarter
    meetings_held: int
    meeting_charts: tuple[Chart, ...]
    population_chart: Chart | None
    year_label: str
    expected_repeat: tuple[int, int]
    effectiveness: Effectiveness


def twelve_months_to(quarter: Quarter) -> tuple[date, date]:
    return quarter.previous().previous().previous().first_day, quarter.last_day


def build_dashboard(quarter: Quarter, today: date) -> Dashboard:
    rows = data_return.agenda_per_meeting(quarter.first_day, quarter.last_day)
    expected = tuple(current_app.config["REPEAT_RATE_EXPECTED"])
    year_label = f"12 months to {quarter.last_day:%-d %B %Y}"
    return Dashboard(
        quarter=quarter,
        meetings_held=len(rows),
        meeting_charts=(
            charts.cases_chart(rows),
            charts.repeat_rate_chart(rows, expected),
            charts.referrals_chart(rows, REFERRAL_COLUMNS),
        ),
        population_chart=population_chart(quarter, year_label),
        year_label=year_label,
        expected_repeat=expected,
        effectiveness=partnership_effectiveness(rows, quarter.first_day, quarter.last_day, today),
    )


def population_chart(quarter: Quarter, year_label: str) -> Chart | None:
    population = current_app.config.get("ADULT_FEMALE_POPULATION")
    if not population:
        return None
    # One count: the year's data return, only to add up its cases, read a year of cases three times over.
    cases_in_year = store.count_cases_heard(*twelve_months_to(quarter))
    return charts.cases_per_10k_chart(cases_in_year, population, year_label)


def bad_quarter_page(error: ValueError, today: date):
    return render_template(
        "reports/dashboard.html",
        error=str(error),
        dashboard=None,
        quarters=quarter_choices(today),
        chosen=request.args.get("quarter", ""),
    ), 400


def for_the_requested_quarter(view):
    """Calls the view with the quarter the link names (the one today is in when it names none), or
    answers a bad one with the dashboard saying what to enter."""

    @wraps(view)
    def with_quarter():
        today = uk_today()
        try:
            quarter = quarter_from(request.args.get("quarter"), default=quarter_containing(today))
        except ValueError as error:
            return bad_quarter_page(error, today)
        return view(quarter, today)

    return with_quarter


@bp.route("/reports/dashboard")
@allow(Role.COORDINATOR, Role.CHAIR)
@for_the_requested_quarter
def view_dashboard(quarter: Quarter, today: date):
    dashboard = build_dashboard(quarter, today)
    record_event(AuditAction.DASHBOARD_VIEWED, user=current_user, object_type="dashboard", object_id=quarter.code)
    return render_template(
        "reports/dashboard.html",
        dashboard=dashboard,
        quarters=quarter_choices(today, quarter),
        chosen=quarter.code,
        error=None,
    )


@bp.route("/reports/quarterly-report/pdf")
@allow(Role.COORDINATOR, Role.CHAIR)
@for_the_requested_quarter
def download_quarterly_report(quarter: Quarter, today: date):
    dashboard = build_dashboard(quarter, today)
    table = data_return.quarter_return(quarter)
    document = PdfDocument(
        kind="QUARTERLY",
        subject=quarter.code,
        title=f"MARAC quarterly report: {quarter.label}",
        template="reports/print-quarterly-report.html",
        filename=f"marac-quarterly-report-{quarter.code}",
        context={
            "dashboard": dashboard,
            "return_table": data_return.by_measure(table),
            "comparisons": data_return.comparison_rows(table.iloc[-1], dashboard.expected_repeat),
            "area": current_app.config.get("MARAC_AREA") or "",
        },
    )
    return pdf_download(document, current_user)
