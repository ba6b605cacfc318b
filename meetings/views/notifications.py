"""The signed-in person's in-app notifications: newest first, a page at a time, marked read one by one
or all at once. One about a case the reader may no longer see is left out, and stops counting as unread."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access import notifications
from access.permissions import allow_any_role
from cases import notices
from meetings.views import bp


@bp.app_context_processor
def notification_count() -> dict:
    return {"unread_notifications": unread_notifications}


def unread_notifications() -> int:
    """The header's count on every page (for someone signed in): less any about a case the reader is
    now kept from, as the policy decides, so the count too gives nothing away."""
    return notices.unread_count_for_header(current_user)


@bp.route("/notifications")
@allow_any_role
def list_notifications():
    hidden = notices.cases_kept_from_hearing(current_user, notifications.case_ids_notified(current_user))
    notifications.mark_read_about(current_user, hidden)
    page = notifications.page_of_notifications(
        current_user, request.args.get("page", 1, type=int), hidden_case_ids=hidden
    )
    return render_template("meetings/list-notifications.html", found=page)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@allow_any_role
def mark_notification_read(notification_id):
    if notifications.mark_read(current_user, notification_id) is None:
        abort(404)
    flash("Marked as read.")
    return redirect(url_for("meetings.list_notifications", page=request.form.get("page", 1, type=int)))


@bp.route("/notifications/read", methods=["POST"])
@allow_any_role
def mark_all_notifications_read():
    notifications.mark_all_read(current_user)
    flash("All your notifications are marked as read.")
    return redirect(url_for("meetings.list_notifications"))
