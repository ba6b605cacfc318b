"""The coordinator's security alerts."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from access import alerts
from access.models import Role
from access.permissions import allow
from access.views import bp


@bp.route("/alerts")
@allow(Role.COORDINATOR)
def list_alerts():
    return render_template("access/list-alerts.html", alerts=alerts.list_alerts())


@bp.route("/alerts/<int:alert_id>/seen", methods=["POST"])
@allow(Role.COORDINATOR)
def mark_alert_seen(alert_id):
    alert = alerts.get_alert(alert_id)
    if alert is None:
        abort(404)
    alerts.mark_seen(alert, by=current_user)
    flash("Marked as looked at.")
    return redirect(url_for("access.list_alerts"))
