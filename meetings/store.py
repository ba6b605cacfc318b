"""Every query the meetings package makes, as a named function."""

from sqlalchemy import select

from extensions import db, utcnow
from meetings.models import Meeting


def create_meeting(**fields) -> Meeting:
    meeting = Meeting(**fields)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def get_next_meeting() -> Meeting | None:
    return db.session.scalar(
        select(Meeting).where(Meeting.starts_at >= utcnow()).order_by(Meeting.starts_at).limit(1)
    )
