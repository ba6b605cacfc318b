from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cases.models import Referral
from extensions import db
from meetings.models import AgendaItem, AgendaSection, CaseMinutes, Meeting
from tests.meetings.test_queue import referred_case

START = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def minutes_id(app, make_user) -> int:
    referred_case(app, make_user)
    with app.app_context():
        referral = db.session.scalars(select(Referral)).one()
        meeting = Meeting(area="Riverside", starts_at=START, venue="Room 2")
        item = AgendaItem(
            meeting=meeting,
            referral=referral,
            position=1,
            section=AgendaSection.ADULT_ONLY,
            starts_at=START,
            ends_at=START + timedelta(minutes=15),
        )
        minutes = CaseMinutes(agenda_item=item)
        db.session.add_all([meeting, item, minutes])
        db.session.commit()
        return minutes.id


def test_a_stale_save_of_case_minutes_is_refused_and_the_first_save_kept(app, minutes_id):
    with app.app_context():
        engine = db.engine
        # Two editors load version 1, each ending the read (as a page load does) but keeping the data.
        with Session(engine, expire_on_commit=False) as first, Session(engine, expire_on_commit=False) as second:
            mine = first.get(CaseMinutes, minutes_id)
            first.commit()
            theirs = second.get(CaseMinutes, minutes_id)
            second.commit()
            mine.decisions = "Refer to housing for a safe move"
            first.commit()
            theirs.decisions = "Police to flag the address"

            with pytest.raises(StaleDataError):
                second.commit()

        stored = db.session.get(CaseMinutes, minutes_id)
        assert (stored.decisions, stored.version_id) == ("Refer to housing for a safe move", 2)


def test_a_referral_appears_once_on_a_meetings_agenda(app, minutes_id):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        item = db.session.scalars(select(AgendaItem)).one()
        db.session.add(
            AgendaItem(
                meeting_id=item.meeting_id,
                referral_id=item.referral_id,
                position=2,
                section=AgendaSection.ADULT_ONLY,
                starts_at=START,
                ends_at=START,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
