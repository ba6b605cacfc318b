"""Alerts to the MARAC coordinator (SECURITY Z7, Z8): break-glass use, and patterns that suggest
someone is looking at more than their work needs. Raised in the same transaction as what caused them."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from access.audit import COMMITTED_ONLY, AuditAction, record_event, waiting_object_ids
from access.models import AlertKind, AuditEvent, SecurityAlert, User
from extensions import db, utcnow

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def raise_alert(kind: AlertKind, user: User, *, object_type: str | None = None, object_id=None) -> SecurityAlert:
    alert = SecurityAlert(
        kind=kind, user_id=user.id, object_type=object_type, object_id=None if object_id is None else str(object_id)
    )
    db.session.add(alert)
    db.session.flush()
    record_event(AuditAction.ALERT_RAISED, user=user, object_type="security-alert", object_id=alert.id, severity="high")
    return alert


def raised_recently(kind: AlertKind, user: User, within: timedelta) -> bool:
    query = select(SecurityAlert.id).where(
        SecurityAlert.kind == kind, SecurityAlert.user_id == user.id, SecurityAlert.raised_at > utcnow() - within
    )
    return db.session.scalar(query.limit(1)) is not None


def cases_viewed_in_the_last_hour(user: User) -> int:
    """The views this request has recorded included: they join the trail only as it commits."""
    query = (
        select(AuditEvent.object_id)
        .distinct()
        .where(
            AuditEvent.user_id == user.id,
            AuditEvent.action == str(AuditAction.CASE_VIEWED),
            AuditEvent.occurred_at > utcnow() - HOUR,
        )
        .execution_options(**COMMITTED_ONLY)
    )
    return len(set(db.session.scalars(query)) | waiting_object_ids(AuditAction.CASE_VIEWED, user))


def check_cases_viewed(user: User) -> None:
    """Once an hour at most, alert when someone has opened more distinct cases in the last hour than the limit."""
    if cases_viewed_in_the_last_hour(user) > current_app.config["ALERT_CASES_VIEWED_PER_HOUR"] and not raised_recently(
        AlertKind.MANY_CASES_VIEWED, user, HOUR
    ):
        raise_alert(AlertKind.MANY_CASES_VIEWED, user)


def check_break_glass_uses(user: User, uses_in_the_last_day: int) -> None:
    if uses_in_the_last_day > current_app.config["ALERT_BREAK_GLASS_PER_DAY"] and not raised_recently(
        AlertKind.MANY_BREAK_GLASS, user, DAY
    ):
        raise_alert(AlertKind.MANY_BREAK_GLASS, user)


def list_alerts(limit: int = 200) -> list[SecurityAlert]:
    """Unseen first, then newest first."""
    query = select(SecurityAlert).order_by(
        SecurityAlert.seen_at.is_not(None), SecurityAlert.raised_at.desc(), SecurityAlert.id.desc()
    )
    return list(db.session.scalars(query.limit(limit)))


def get_alert(alert_id: int) -> SecurityAlert | None:
    return db.session.get(SecurityAlert, alert_id)


def mark_seen(alert: SecurityAlert, *, by: User) -> None:
    if alert.seen_at is None:
        alert.seen_at, alert.seen_by_id = utcnow(), by.id
        record_event(AuditAction.ALERT_SEEN, user=by, object_type="security-alert", object_id=alert.id)
