"""The decision never depends on the order of the inputs (issue 14): shuffling the assessments, the
judgements, the incidents and the earlier referrals gives the same decision, naming the same inputs."""

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from risk.criteria import AssessmentFacts, CaseFacts, IncidentFacts, JudgementFacts, ReferralFacts, Victim, evaluate
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

TODAY = date(2026, 11, 22)
TOOLS = ("dash-ric", "police-dash", "dara", "odara", "da-5", "b-safer")
PERPETRATORS = ("P1", "P2")


def days_before(most: int):
    return st.integers(0, most).map(lambda days: TODAY - timedelta(days=days))


def answer_for(item):
    if item.answer_type == "yes-no":
        return st.sampled_from(["yes", "no", "unknown"])
    if item.answer_type == "rating":
        return st.sampled_from(["absent", "possible", "present", "unknown"])
    return st.sampled_from([choice.id for choice in item.choices] + ["unknown"])


@st.composite
def assessments(draw):
    pack = get_pack(draw(st.sampled_from(TOOLS)))
    answers = {item.id: draw(answer_for(item)) for item in pack.items}
    return AssessmentFacts(pack.id, draw(days_before(60)), score(pack, answers))


incidents = st.builds(
    IncidentFacts,
    date=days_before(800),
    agency=st.sampled_from(["police", "gp", "housing"]),
    type=st.sampled_from(["violence", "unwanted-contact", "threats"]),
    perpetrator=st.sampled_from([None, *PERPETRATORS]),
)
referrals = st.builds(
    ReferralFacts,
    date=days_before(800),
    perpetrators=st.lists(st.sampled_from(PERPETRATORS), unique=True, max_size=2).map(tuple),
)
judgements = st.builds(
    JudgementFacts,
    tier=st.sampled_from(list(Tier)),
    rationale=st.sampled_from(["", "Threats to kill after separation"]),
)
victims = st.sampled_from([Victim(date(1990, 5, 1), "Riverside"), Victim(date(2009, 6, 1), "Riverside")])


@st.composite
def facts_and_shuffle(draw):
    facts = CaseFacts(
        TODAY,
        draw(victims),
        tuple(draw(st.lists(assessments(), max_size=4))),
        tuple(draw(st.lists(judgements, max_size=3))),
        tuple(draw(st.lists(incidents, max_size=5))),
        tuple(draw(st.lists(referrals, max_size=3))),
    )
    shuffled = CaseFacts(
        facts.today,
        facts.victim,
        *(
            tuple(draw(st.permutations(entries)))
            for entries in (facts.assessments, facts.judgements, facts.incidents, facts.previous_referrals)
        ),
    )
    return facts, shuffled


def named_inputs(decision, facts: CaseFacts) -> dict:
    """Each criterion's evidence as the inputs themselves, not their places in the lists."""
    lists = {
        "assessments": facts.assessments,
        "professional_judgement": facts.judgements,
        "incidents": facts.incidents,
        "previous_referrals": facts.previous_referrals,
    }
    return {
        criterion.code: Counter(repr(lists[item.kind][item.index]) for item in criterion.evidence)
        for criterion in decision.criteria
    }


@settings(max_examples=300, deadline=None)
@given(facts_and_shuffle())
def test_shuffling_any_input_list_gives_the_same_decision(case):
    facts, shuffled = case

    first, second = evaluate(facts), evaluate(shuffled)

    assert {**first.to_dict(), "evidence": None} == {**second.to_dict(), "evidence": None}
    assert (first.tier_source, first.unverified, first.repeat_watch_ends) == (
        second.tier_source,
        second.unverified,
        second.repeat_watch_ends,
    )
    assert named_inputs(first, facts) == named_inputs(second, shuffled)
