"""Every query the meetings package makes, as a named function."""

from sqlalchemy import select

from extensions import db, utcnow
from meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Attendance,
    CaseMinutes,
    Invitation,
    Meeting,
    MeetingStatus,
    ResearchReturn,
    Transfer,
)
from risk.models import Case, Referral, ReferralState


def create_meeting(**fields) -> Meeting:
    meeting = Meeting(**fields)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def get_next_meeting() -> Meeting | None:
    return db.session.scalar(
        select(Meeting).where(Meeting.starts_at >= utcnow()).order_by(Meeting.starts_at).limit(1)
    )


def list_open_referrals() -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral).where(Referral.state.in_((ReferralState.RECEIVED, ReferralState.ACCEPTED))).order_by(Referral.received_at)
        )
    )


def get_referral(referral_id: str) -> Referral | None:
    return db.session.get(Referral, referral_id)
