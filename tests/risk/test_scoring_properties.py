"""Whatever arrives, scoring either returns a RiskResult or raises the documented AnswerError."""

from hypothesis import given, settings
from hypothesis import strategies as st

from risk.answers import AnswerError
from risk.instruments import load_all_packs
from risk.schema import RiskResult, Tier
from risk.scoring import score

PACKS = list(load_all_packs().values())
ANSWER_WORDS = ["yes", "no", "Y", "N", "dk", "", "declined", "n/a", "present", "possible", "absent", "high", "low"]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.sampled_from(ANSWER_WORDS),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5,
)


def item_ids_or_noise(pack):
    return st.sampled_from([item.id for item in pack.items]) | st.text(max_size=6)


@st.composite
def pack_and_answers(draw):
    pack = draw(st.sampled_from(PACKS))
    answers = draw(st.dictionaries(item_ids_or_noise(pack), JSON_VALUES, max_size=12) | JSON_VALUES)
    return pack, answers


@settings(max_examples=400, deadline=None)
@given(pack_and_answers())
def test_score_returns_a_result_or_raises_answer_error_only(case):
    pack, answers = case
    try:
        result = score(pack, answers)
    except AnswerError as error:
        assert str(error)
        return
    assert isinstance(result, RiskResult)
    assert 0 <= result.score <= result.max_score
    assert result.tier is None or isinstance(result.tier, Tier)
    assert set(result.missing) <= {item.id for item in pack.items}


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_well_formed_answers_always_score(data):
    pack = data.draw(st.sampled_from(PACKS))
    answers = {}
    for item in pack.items:
        if data.draw(st.booleans()):
            if item.answer_type == "yes-no":
                allowed = ["yes", "no", "unknown", "declined", "not-asked"] + (
                    ["not-applicable"] if item.may_be_not_applicable else []
                )
                answers[item.id] = data.draw(st.sampled_from(allowed))
            elif item.answer_type == "rating":
                answers[item.id] = data.draw(st.sampled_from(["absent", "possible", "present"]))
            else:
                answers[item.id] = data.draw(st.sampled_from([choice.id for choice in item.choices]))

    result = score(pack, answers)

    assert result.to_dict()["tool"] == pack.id


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["today", "victim", "assessments", "professional_judgement", "incidents", "previous_referrals"])
        | st.text(max_size=4),
        JSON_VALUES
        | st.just("2026-11-22")
        | st.just({"date_of_birth": "1990-01-01"})
        | st.just([{"date": "2026-01-01", "agency": "police"}]),
        max_size=6,
    )
    | JSON_VALUES
)
def test_evaluate_requests_either_decide_or_raise_a_documented_error(body):
    from risk.criteria import Decision, evaluate
    from risk.instruments import PackError
    from risk.requests import RequestError, facts_from_request

    try:
        decision = evaluate(facts_from_request(body))
    except (RequestError, AnswerError, PackError) as error:
        assert str(error)
        return
    assert isinstance(decision, Decision)
