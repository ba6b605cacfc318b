"""The data inventory for the data protection officer: on screen, and as a PDF whose download is audited."""

from flask import abort, render_template
from flask_login import current_user

from access import policy
from access.models import Role
from access.permissions import allow
from reports import inventory
from reports.downloads import PdfDocument, pdf_download
from reports.quarters import uk_today
from reports.views import bp

TITLE = "Data inventory"


def refuse_unless_allowed():
    # The routes' roles say the same; the policy rule is the one place the decision is made.
    if not policy.may_view_data_inventory(current_user):
        abort(403)


@bp.route("/reports/data-inventory")
@allow(Role.ADMIN, Role.COORDINATOR, Role.AUDITOR)
def view_data_inventory():
    refuse_unless_allowed()
    return render_template("reports/data-inventory.html", inventory=inventory.data_inventory())


@bp.route("/reports/data-inventory/pdf")
@allow(Role.ADMIN, Role.COORDINATOR, Role.AUDITOR)
def download_data_inventory():
    refuse_unless_allowed()
    today = uk_today().isoformat()
    document = PdfDocument(
        kind="DATA-INVENTORY",
        subject=today,
        title=TITLE,
        template="reports/print-data-inventory.html",
        filename=f"marac-data-inventory-{today}",
        context={"inventory": inventory.data_inventory()},
    )
    return pdf_download(document, current_user)
