"""In-app notifications: a line for each person told, a count of unread ones in the header, a page of them.

The API other parts call:

    notify(users, message, link, case_id=None)

`message` names no person: a case is named by its reference ("Research requested for RIV-2026-0142
before 9 December"). `link` is a path inside the service. Deciding who may be told about a case is the
caller's (`cases.notices.who_may_know` leaves out anyone the case is kept from); `case_id` is kept so
that the list can leave out a case the reader may no longer see, as the policy decides then.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, Select, func, select, update

from access.models import Notification, User
from extensions import db, utcnow

PAGE_SIZE = 25
MESSAGE_LENGTH = Notification.message.type.length


def notify(users: Iterable[User], message: str, link: str | None = None, case_id: str | None = None) -> int:
    """One unread notification for each of these users (each once, however often listed); how many were made."""
    recipients = {user.id for user in users}
    db.session.add_all(
        Notification(user_id=user_id, message=message[:MESSAGE_LENGTH], link=link, case_id=case_id)
        for user_id in sorted(recipients)
    )
    db.session.flush()
    return len(recipients)


def path_of(endpoint: str, **values) -> str:
    """A notification's link: a path inside the service, made the same with or without a request (the
    daily reminders run from the command line)."""
    return current_app.url_map.bind("").build(endpoint, values)


def public_link(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, from the service's public address (a trailing slash or not)."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path_of(endpoint, **values)


def count_unread(user: User, *, hidden_case_ids: set[str] = frozenset()) -> int:
    """For the header on every page: one query on an index, less notifications about hidden cases."""
    query = _unread_count_query(user)
    if hidden_case_ids:
        query = query.where(Notification.case_id.is_(None) | Notification.case_id.not_in(hidden_case_ids))
    return db.session.scalar(query)


def count_unread_asking_too(user: User, question: ColumnElement) -> tuple[int, object]:
    """The header's count (count_unread with nothing hidden) and the answer to one more question, in one
    statement: the header is on every page."""
    unread = _unread_count_query(user).scalar_subquery()
    return tuple(db.session.execute(select(unread, question)).one())


def _unread_count_query(user: User) -> Select:
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


@dataclass(frozen=True)
class NotificationPage:
    notifications: list[Notification]
    total: int
    page: int
    pages: int


def page_of_notifications(user: User, page: int, *, hidden_case_ids: set[str]) -> NotificationPage:
    """Newest first, less those about cases the reader may no longer see."""
    mine = [Notification.user_id == user.id]
    if hidden_case_ids:
        mine.append(Notification.case_id.is_(None) | Notification.case_id.not_in(hidden_case_ids))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*mine))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = (
        select(Notification)
        .where(*mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return NotificationPage(list(db.session.scalars(query)), total, page, pages)


def unread_case_ids(user: User) -> Select:
    """The cases this user's unread notifications are about, as a query to match exclusion lists against."""
    return select(Notification.case_id).where(
        Notification.user_id == user.id, Notification.case_id.is_not(None), Notification.read_at.is_(None)
    )


def case_ids_notified(user: User, *, unread_only: bool = False) -> list[str]:
    """The cases this user's notifications (or only the unread ones) are about, for the caller to ask which
    they may still see."""
    query = (
        unread_case_ids(user)
        if unread_only
        else select(Notification.case_id).where(Notification.user_id == user.id, Notification.case_id.is_not(None))
    )
    return list(db.session.scalars(query.distinct()))


def mark_read(user: User, notification_id: int) -> Notification | None:
    """One of the user's own notifications, marked read; None if it is not theirs (or not there)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        return None
    notification.read_at = notification.read_at or utcnow()
    return notification


def mark_all_read(user: User) -> None:
    unread = (Notification.user_id == user.id, Notification.read_at.is_(None))
    db.session.execute(update(Notification).where(*unread).values(read_at=utcnow()))


def mark_read_about(user: User, case_ids: set[str]) -> None:
    """Notifications about cases the user may no longer see stop counting as unread in the header."""
    if case_ids:
        about = (Notification.user_id == user.id, Notification.read_at.is_(None), Notification.case_id.in_(case_ids))
        db.session.execute(update(Notification).where(*about).values(read_at=utcnow()))
