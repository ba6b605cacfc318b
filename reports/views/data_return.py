"""The quarterly MARAC data return: on screen for checking, then as CSV or XLSX for SafeLives."""

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access.audit import AuditAction, record_event
from access.models import Role
from access.permissions import allow, can
from access.step_up import requires_step_up
from reports import data_return, exports
from reports.downloads import attachment
from reports.quarters import Quarter, parse_quarter, quarter_choices, quarter_containing, quarter_from, uk_today
from reports.views import bp

CSV_MIMETYPE = "text/csv"  # Werkzeug adds "; charset=utf-8" to every text type
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_page(today: date, *, quarter: Quarter | None, error: str | None = None):
    context = {
        "quarters": quarter_choices(today, quarter),
        "chosen": quarter.code if quarter else request.args.get("quarter", ""),
        "error": error,
    }
    if quarter is not None:
        frame = data_return.quarter_return(quarter)
        context |= {
            "quarter": quarter,
            "meetings_held": data_return.meetings_in(frame),
            "table": data_return.by_measure(frame),
            "comparisons": data_return.comparison_rows(
                frame.iloc[-1], tuple(current_app.config["REPEAT_RATE_EXPECTED"])
            ),
            "national_period": data_return.NATIONAL_PERIOD,
            "may_count_again": can(current_user.role, "reports.count_data_return_again"),
        }
    return render_template("reports/data-return.html", **context)


def requested_quarter(today: date) -> Quarter:
    """The quarter the link names; the last full quarter when it names none (the return is made after it ends)."""
    return quarter_from(request.args.get("quarter"), default=quarter_containing(today).previous())


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


@bp.route("/reports/data-return/count-again", methods=["POST"])
@allow(Role.COORDINATOR)
def count_data_return_again():
    today = uk_today()
    try:
        quarter = parse_quarter(request.form.get("quarter", ""))
    except ValueError as error:
        return bad_quarter(today, error)
    counted = data_return.count_again(quarter)
    record_event(
        AuditAction.DATA_RETURN_COUNTED_AGAIN, user=current_user, object_type="data-return", object_id=quarter.code
    )
    flash(counted_again_message(counted, quarter))
    return redirect(url_for("reports.view_data_return", quarter=quarter.code))


def counted_again_message(counted: int, quarter: Quarter) -> str:
    if counted == 0:
        return f"No meeting of {quarter.label} has approved minutes, so nothing was counted again."
    meetings = f"{counted} meeting{'s' if counted != 1 else ''}"
    verb = "were" if counted != 1 else "was"
    return f"{meetings} of {quarter.label} with approved minutes {verb} counted again from their cases as they are now."


def download(make_file, extension: str, mimetype: str):
    today = uk_today()
    try:
        quarter = requested_quarter(today)
    except ValueError as error:
        return bad_quarter(today, error)
    body = make_file(data_return.quarter_return(quarter), quarter)
    record_event(
        AuditAction.DATA_RETURN_DOWNLOADED, user=current_user, object_type="data-return", object_id=quarter.code
    )
    return attachment(body, mimetype, f"marac-data-return-{quarter.code}.{extension}")


@bp.route("/reports/data-return/csv")
@allow(Role.COORDINATOR, Role.CHAIR)
@requires_step_up
def download_data_return_csv():
    return download(lambda frame, quarter: exports.to_csv(frame, labels=data_return.COLUMN_LABELS), "csv", CSV_MIMETYPE)


@bp.route("/reports/data-return/xlsx")
@allow(Role.COORDINATOR, Role.CHAIR)
@requires_step_up
def download_data_return_xlsx():
    return download(
        lambda frame, quarter: exports.to_xlsx(frame, f"Data return {quarter.code}", labels=data_return.COLUMN_LABELS),
        "xlsx",
        XLSX_MIMETYPE,
    )
