from datetime import date

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from access.models import Role, User
from cases.models import Case, Person, SafeContact
from extensions import db
from risk.models import Decision


def add_decision(app, make_user) -> int:
    user_id, _ = make_user(role=Role.PRACTITIONER)
    with app.app_context():
        user = db.session.get(User, user_id)
        victim = Person(given_name="Test", family_name="Victim", created_by_agency_id=user.agency_id)
        case = Case(
            victim=victim, marac_area="Riverside", created_by_agency_id=user.agency_id, reference="MARAC-2026-0001"
        )
        db.session.add_all([victim, case])
        db.session.flush()
        decision = Decision(
            case_id=case.id,
            ruleset="safelives-2026.1",
            eligible=True,
            criteria=["visible-high-risk"],
            tier=3,
            tier_source="assessment:dash-ric",
            prompts=[],
            routes=["marac-referral"],
            evaluated_on=date(2026, 11, 22),
            evaluated_by_id=user.id,
        )
        db.session.add(decision)
        db.session.flush()
        db.session.add(SafeContact(case_id=case.id, agency_id=user.agency_id, phone="07700 900000", safe_to_call=True))
        db.session.commit()
        return decision.id


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_a_decision_can_never_be_changed_or_removed(app, make_user, statement):
    decision_id = add_decision(app, make_user)
    with app.app_context():
        query = (
            update(Decision).where(Decision.id == decision_id).values(eligible=False)
            if statement == "update"
            else delete(Decision).where(Decision.id == decision_id)
        )
        with pytest.raises(DBAPIError, match="never changed"):
            db.session.execute(query)
            db.session.commit()
        db.session.rollback()
        assert db.session.get(Decision, decision_id).eligible is True


def test_safe_contact_details_live_apart_from_the_person(app, make_user):
    add_decision(app, make_user)

    assert "phone" not in Person.__table__.columns
    assert "safe_address" not in Person.__table__.columns
    assert set(SafeContact.__table__.columns.keys()) >= {"phone", "safe_to_call", "safe_address"}
