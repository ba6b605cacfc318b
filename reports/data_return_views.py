"""The quarterly MARAC data return: on screen for checking, then as CSV or XLSX for SafeLives."""

from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template, request
from flask_login import current_user

from access.audit import AuditAction, record_event
from access.models import Role
from access.permissions import allow
from extensions import db, utcnow
from meetings.schedule import UK_TIME
from reports import data_return, exports
from reports.downloads import attachment
from reports.quarters import Quarter, parse_quarter, quarter_containing, recent_quarters
from reports.views import bp

QUARTERS_TO_CHOOSE_FROM = 8
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ScreenTable:
    """The return turned on its side for the screen: a row per measure, a column per meeting."""

    meetings: list[tuple[int | None, str]]
    rows: list[tuple[str, list[str]]]


def uk_today() -> date:
    return utcnow().astimezone(UK_TIME).date()


def requested_quarter(today: date) -> Quarter:
    """The quarter in the link, or the last complete one; ValueError says what to enter instead."""
    text = request.args.get("quarter")
    return quarter_containing(today).previous() if text is None else parse_quarter(text)


def quarter_choices(today: date, chosen: Quarter | None) -> list[Quarter]:
    quarters = recent_quarters(today, QUARTERS_TO_CHOOSE_FROM)
    if chosen is not None and chosen not in quarters:
        quarters = sorted([*quarters, chosen], key=lambda quarter: (quarter.year, quarter.number), reverse=True)
    return quarters


def shown(value) -> str:
    return f"{value:.1f}%" if isinstance(value, float) else str(value)


def screen_table(frame) -> ScreenTable:
    records = frame.to_dict("records")
    meetings = [(record["meeting_id"], meeting_heading(record["meeting_date"])) for record in records]
    measures = [column for column in data_return.COLUMNS if column not in ("meeting_id", "meeting_date")]
    return ScreenTable(meetings, [(data_return.COLUMN_LABELS[column], [shown(record[column]) for record in records]) for column in measures])


def meeting_heading(day) -> str:
    return day if day == data_return.TOTAL else f"{day:%-d %b %Y}"


def render_page(today: date, *, quarter: Quarter | None, error: str | None = None):
    context = {"quarters": quarter_choices(today, quarter), "chosen": quarter.code if quarter else request.args.get("quarter", ""), "error": error}
    if quarter is not None:
        frame = data_return.quarter_return(quarter)
        context |= {
            "quarter": quarter,
            "meetings_held": data_return.meetings_in(frame),
            "table": screen_table(frame),
            "comparisons": data_return.comparison_rows(frame.iloc[-1], tuple(current_app.config["REPEAT_RATE_EXPECTED"])),
            "national_period": data_return.NATIONAL_PERIOD,
        }
    return render_template("reports/data-return.html", **context)


def bad_quarter(today: date, error: ValueError):
    return render_page(today, quarter=None, error=str(error)), 400


@bp.route("/reports/data-return")
@allow(Role.COORDINATOR, Role.CHAIR)
def view_data_return():
    today = uk_today()
    try:
        quarter = requested_quarter(today)
    except ValueError as error:
        return bad_quarter(today, error)
    return render_page(today, quarter=quarter)


def download(make_file, extension: str, mimetype: str):
    today = uk_today()
    try:
        quarter = requested_quarter(today)
    except ValueError as error:
        return bad_quarter(today, error)
    body = make_file(data_return.quarter_return(quarter), quarter)
    record_event(AuditAction.DATA_RETURN_DOWNLOADED, user=current_user, object_type="data-return", object_id=quarter.code)
    db.session.commit()
    return attachment(body, mimetype, f"marac-data-return-{quarter.code}.{extension}")


@bp.route("/reports/data-return/csv")
@allow(Role.COORDINATOR, Role.CHAIR)
def download_data_return_csv():
    return download(lambda frame, quarter: exports.to_csv(frame, labels=data_return.COLUMN_LABELS), "csv", CSV_MIMETYPE)


@bp.route("/reports/data-return/xlsx")
@allow(Role.COORDINATOR, Role.CHAIR)
def download_data_return_xlsx():
    return download(
        lambda frame, quarter: exports.to_xlsx(frame, f"Data return {quarter.code}", labels=data_return.COLUMN_LABELS), "xlsx", XLSX_MIMETYPE
    )
