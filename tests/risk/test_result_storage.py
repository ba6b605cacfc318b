"""An assessment's result is stored and read as a RiskResult, with the items behind each factor: the same
JSON as before the column was typed, whether written through the ORM or by bulk import's plain inserts,
and a row written in the old way reads back as the result it was made from."""

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, insert, select, type_coerce
from sqlalchemy.exc import StatementError

from access.models import Role, User
from cases.models import Case, Person
from extensions import db, utcnow
from risk.instruments import get_pack, load_all_packs
from risk.models import Assessment, AssessmentStatus, new_id
from risk.schema import RiskResult, natural_key
from risk.scoring import score

PACKS = list(load_all_packs().values())
# Ten yes answers and an unknown: factors with their items, a missing item, a band and a tier.
DASH_ANSWERS = {f"q{number}": "yes" for number in range(1, 11)} | {"q11": "unknown"}


def stored_the_old_way(result: RiskResult) -> dict:
    """What the writers stored before the column was typed, as the database gave it back."""
    return json.loads(json.dumps(result.to_dict() | {"factor_items": dict(result.factors)}))


@st.composite
def well_formed_answers(draw):
    pack = draw(st.sampled_from(PACKS))
    answers = {}
    for item in pack.items:
        if not draw(st.booleans()):
            continue
        if item.answer_type == "yes-no":
            allowed = ["yes", "no", "unknown", "declined", "not-asked"]
            answers[item.id] = draw(
                st.sampled_from(allowed + (["not-applicable"] if item.may_be_not_applicable else []))
            )
        elif item.answer_type == "rating":
            answers[item.id] = draw(st.sampled_from(["absent", "possible", "present"]))
        else:
            answers[item.id] = draw(st.sampled_from([choice.id for choice in item.choices]))
    return pack, answers


@settings(max_examples=200, deadline=None)
@given(well_formed_answers())
def test_every_result_reads_back_from_its_stored_json_unchanged(case):
    pack, answers = case
    result = score(pack, answers)

    stored = json.loads(json.dumps(result.to_stored()))

    assert RiskResult.from_stored(stored) == result
    assert RiskResult.from_stored(stored).to_stored() == stored


@settings(max_examples=200, deadline=None)
@given(well_formed_answers())
def test_a_result_stored_the_old_way_reads_back_as_the_result_with_its_missing_items_in_order(case):
    pack, answers = case
    result = score(pack, answers)

    read = RiskResult.from_stored(stored_the_old_way(result))

    # The old writers sorted the missing items (as the API does); nothing else differs.
    assert read == replace(result, missing=tuple(sorted(result.missing, key=natural_key)))
    assert read.to_stored() == stored_the_old_way(result)


def test_the_items_behind_each_factor_are_kept_in_their_order():
    result = score(get_pack("dash-ric"), DASH_ANSWERS)
    assert any(len(items) > 1 for items in result.factors.values())

    read = RiskResult.from_stored(json.loads(json.dumps(result.to_stored())))

    assert list(read.factors.items()) == list(result.factors.items())
    assert read.to_stored()["factor_items"] == {factor: list(items) for factor, items in result.factors.items()}


def test_a_dash_result_is_stored_exactly_as_before():
    result = score(get_pack("dash-ric"), DASH_ANSWERS)

    assert json.loads(json.dumps(result.to_stored())) == stored_the_old_way(result)


@pytest.fixture
def case_and_user(app, make_user):
    user_id, _ = make_user(role=Role.PRACTITIONER)
    with app.app_context():
        user = db.session.get(User, user_id)
        victim = Person(given_name="Test", family_name="Victim", created_by_agency_id=user.agency_id)
        case = Case(
            victim=victim, marac_area="Riverside", created_by_agency_id=user.agency_id, reference="MARAC-2026-0001"
        )
        db.session.add_all([victim, case])
        db.session.commit()
        return case.id, user_id


def assessment_values(case_id: str, user: User, result: RiskResult | None) -> dict:
    now = utcnow()
    return {
        "id": new_id(),
        "case_id": case_id,
        "tool_id": result.tool if result else "dash-ric",
        "tool_version": result.version if result else "1",
        "answers": {},
        "comments": {},
        "result": result,
        "status": AssessmentStatus.COMPLETE if result else AssessmentStatus.DRAFT,
        "assessed_on": date(2026, 11, 22),
        "source_if_not_victim": None,
        "assessor_id": user.id,
        "agency_id": user.agency_id,
        "created_at": now,
        "updated_at": now,
        "version_id": 1,
    }


def stored_json(assessment_id: str):
    """The column as the database holds it, past the RiskResult type."""
    return db.session.scalar(select(type_coerce(Assessment.result, JSON)).where(Assessment.id == assessment_id))


def read_back(assessment_id: str) -> RiskResult | None:
    db.session.expire_all()
    return db.session.get(Assessment, assessment_id).result


def test_a_result_with_its_factor_items_goes_through_the_database_unchanged(app, case_and_user):
    case_id, user_id = case_and_user
    # No grade: the missing items are not in sorted order, which the stored JSON must keep.
    result = score(get_pack("police-dash"), {f"q{number}": "yes" for number in range(1, 15)})
    assert result.factors and list(result.missing) != sorted(result.missing, key=natural_key)
    with app.app_context():
        assessment = Assessment(**assessment_values(case_id, db.session.get(User, user_id), result))
        db.session.add(assessment)
        db.session.commit()

        assert read_back(assessment.id) == result
        assert stored_json(assessment.id) == json.loads(json.dumps(result.to_stored()))


def test_bulk_inserted_plain_values_store_the_same_json(app, case_and_user):
    case_id, user_id = case_and_user
    result = score(get_pack("dash-ric"), DASH_ANSWERS)
    with app.app_context():
        values = [assessment_values(case_id, db.session.get(User, user_id), result) for _ in range(2)]
        db.session.execute(insert(Assessment.__table__), values)
        db.session.commit()

        for value in values:
            assert stored_json(value["id"]) == stored_the_old_way(result)
            assert read_back(value["id"]) == result


def test_a_row_stored_the_old_way_reads_back_as_the_same_result(app, case_and_user):
    case_id, user_id = case_and_user
    result = score(get_pack("dash-ric"), DASH_ANSWERS)
    with app.app_context():
        values = assessment_values(case_id, db.session.get(User, user_id), None)
        db.session.execute(insert(Assessment.__table__), [values])
        old_row = Assessment.__table__.update().where(Assessment.__table__.c.id == values["id"])
        db.session.execute(old_row.values(result=type_coerce(stored_the_old_way(result), JSON)))
        db.session.commit()

        assert read_back(values["id"]) == result


def test_a_draft_has_no_result(app, case_and_user):
    case_id, user_id = case_and_user
    with app.app_context():
        assessment = Assessment(**assessment_values(case_id, db.session.get(User, user_id), None))
        db.session.add(assessment)
        db.session.commit()

        assert read_back(assessment.id) is None


def test_a_plain_dict_is_refused_as_a_result(app, case_and_user):
    case_id, user_id = case_and_user
    result = score(get_pack("dash-ric"), DASH_ANSWERS)
    with app.app_context():
        values = assessment_values(case_id, db.session.get(User, user_id), None) | {"result": result.to_stored()}
        with pytest.raises(StatementError, match="must be a RiskResult"):
            db.session.execute(insert(Assessment.__table__), [values])
        db.session.rollback()
