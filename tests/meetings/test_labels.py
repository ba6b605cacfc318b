"""The one label table: every code a page or PDF shows has plain words, and no code has two."""

import pytest

from access.vocabulary import AgencyKind, AlertKind, Role
from meetings.labels import LABELS, in_sentence, label, labels, one_table
from meetings.vocabulary import AGENDA_FLAG_LABELS, SENT_ITEMS, ActionStatus, CaseOutcome, MeetingStatus
from risk.criteria import CRITERION_LABELS, NO_EVIDENCE, ROUTE_LABELS
from risk.instruments import load_all_packs
from risk.schema import Tier

SHOWN_CODES = [
    *AgencyKind,
    *Role,
    *AlertKind,
    *CRITERION_LABELS,
    *ROUTE_LABELS,
    NO_EVIDENCE,
    *MeetingStatus,
    *ActionStatus,
    *CaseOutcome,
    *AGENDA_FLAG_LABELS,
    *SENT_ITEMS,
]


@pytest.mark.parametrize("code", SHOWN_CODES, ids=str)
def test_every_code_a_page_shows_is_in_the_table_as_words(code):
    words = LABELS[str(code)]

    assert words and words[0].isupper()
    assert "-" not in words.replace("break-glass", "") and "_" not in words


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("visible-high-risk", "Visible high risk (checklist score)"),
        ("marac-referral", "Refer to the MARAC"),
        (MeetingStatus.LIST_ISSUED, "List issued"),
        (Role.AGENCY_REP, "Agency representative"),
        ("waited-too-long", "Waited too long"),
        (NO_EVIDENCE, "No assessment or judgement yet"),
        (3, "High"),
        (Tier.VERY_HIGH, "Very high"),
    ],
)
def test_a_code_is_shown_by_its_label(code, words):
    assert label(code) == words


def test_a_tool_id_and_an_assessment_tier_source_are_shown_by_the_tools_name():
    name = load_all_packs()["dash-ric"].name

    assert label("dash-ric") == name
    assert label("assessment:dash-ric") == name
    assert labels(["repeat", "potential-escalation"]) == ("Repeat", "Potential escalation")


def test_a_code_missing_from_the_table_is_still_shown_as_words():
    assert label("some-new_code") == "Some new code"


def test_a_code_given_two_different_labels_is_refused():
    with pytest.raises(ValueError, match="'repeat' has two labels"):
        one_table({"repeat": "Repeat"}, {CaseOutcome.REPEAT: "Repeat case"})


def test_the_same_label_from_two_tables_is_one_entry():
    assert one_table({"repeat": "Repeat"}, {CaseOutcome.REPEAT: "Repeat"}) == {"repeat": "Repeat"}


@pytest.mark.parametrize(
    ("words", "in_a_sentence"),
    [
        ("Issue the MARAC list", "issue the MARAC list"),
        ("Agency representative", "agency representative"),
        ("MARAC coordinator", "MARAC coordinator"),
        ("SafeLives DASH Risk Identification Checklist", "SafeLives DASH Risk Identification Checklist"),
        ("Very high", "very high"),
        ("", ""),
    ],
)
def test_words_in_a_sentence_keep_acronyms_and_names(words, in_a_sentence):
    assert in_sentence(words) == in_a_sentence
