import pytest

from risk.answers import (
    Answer,
    AnswerError,
    Rating,
    read_choice,
    read_rating,
    read_yes_no,
)
from risk.instruments import Choice, get_pack


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", Answer.YES),
        ("Y", Answer.YES),
        (" Yes ", Answer.YES),
        ("1", Answer.YES),
        (1, Answer.YES),
        (1.0, Answer.YES),
        (True, Answer.YES),
        ("true", Answer.YES),
        ("no", Answer.NO),
        ("N", Answer.NO),
        ("0", Answer.NO),
        (0, Answer.NO),
        (False, Answer.NO),
        ("don't know", Answer.UNKNOWN),
        ("Don’t know", Answer.UNKNOWN),
        ("DK", Answer.UNKNOWN),
        ("unknown", Answer.UNKNOWN),
        ("declined", Answer.DECLINED),
        ("refused", Answer.DECLINED),
        ("", Answer.NOT_ASKED),
        (None, Answer.NOT_ASKED),
        ("   ", Answer.NOT_ASKED),
        ("not asked", Answer.NOT_ASKED),
        ("n/a", Answer.NOT_APPLICABLE),
        ("Not applicable", Answer.NOT_APPLICABLE),
    ],
)
def test_agency_spellings_are_read_into_the_one_vocabulary(raw, expected):
    assert read_yes_no("q1", raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", 2, -1, 0.5, "yes please", [], {}, "nope"])
def test_anything_else_is_refused_naming_the_item_and_the_accepted_answers(raw):
    with pytest.raises(AnswerError) as error:
        read_yes_no("q7", raw)

    message = str(error.value)
    assert message.startswith("q7:")
    assert "yes, no, unknown (don't know), declined, not-asked or not-applicable" in message


def test_unknown_is_never_read_as_no():
    assert read_yes_no("q1", "don't know") is not Answer.NO


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("absent", Rating.ABSENT),
        ("N", Rating.ABSENT),
        ("p", Rating.POSSIBLE),
        ("Possible", Rating.POSSIBLE),
        ("Y", Rating.PRESENT),
        ("present", Rating.PRESENT),
        (2, Rating.PRESENT),
        ("", None),
        (None, None),
    ],
)
def test_ratings(raw, expected):
    assert read_rating("q1", raw) is expected


def test_a_bad_rating_names_the_scale():
    with pytest.raises(AnswerError, match="q3: 'high' is not a rating; use absent, possible or present"):
        read_rating("q3", "high")


def test_choices_match_id_label_or_alias_and_refuse_others():
    choices = (Choice("standard", "Standard", 1), Choice("high", "High", 3, ("H",)))

    assert read_choice("grade", "High", choices) == "high"
    assert read_choice("grade", "h", choices) == "high"
    assert read_choice("grade", "", choices) is None
    with pytest.raises(AnswerError, match="grade: 'severe' is not one of the choices; use standard, high"):
        read_choice("grade", "severe", choices)


@pytest.mark.parametrize(
    ("tool", "item_id", "answer", "expected"),
    [
        ("dash-ric", "q1", "yes", "Yes"),
        ("dash-ric", "q1", "unknown", "Don't know"),
        ("b-safer", "q1", "present", "Present"),
        ("police-dash", "grade", "high", "High"),
    ],
)
def test_an_answer_kept_is_read_back_in_the_words_the_form_offered(tool, item_id, answer, expected):
    item = get_pack(tool).item(item_id)

    assert item.answer_label(answer) == expected


def test_a_numbered_item_is_asked_with_its_number():
    assert get_pack("dash-ric").item("q1").numbered_label.startswith("Q1. ")
    assert not get_pack("police-dash").item("grade").numbered_label.startswith("GRADE")
