"""Retention of the access package's own tables (SECURITY D5): sign-in sessions that have ended and in-app
notifications are deleted once older than their rules' periods. The audit trail is never touched."""

from datetime import datetime

from sqlalchemy import delete, func, or_, select

from access.models import Notification, UserSession
from extensions import db


def ended_sessions_before(cutoff: datetime):
    """Sessions begun before the cutoff that have ended: signed out or ended, or not used since the cutoff."""
    return UserSession.created_at < cutoff, or_(UserSession.revoked_at.is_not(None), UserSession.last_seen_at < cutoff)


def count_old_sessions(cutoff: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(*ended_sessions_before(cutoff)))


def delete_old_sessions(cutoff: datetime) -> int:
    return db.session.execute(delete(UserSession).where(*ended_sessions_before(cutoff))).rowcount


def count_old_notifications(cutoff: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.created_at < cutoff))


def delete_old_notifications(cutoff: datetime) -> int:
    return db.session.execute(delete(Notification).where(Notification.created_at < cutoff)).rowcount
