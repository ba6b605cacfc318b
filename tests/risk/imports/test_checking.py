"""Bulk import: column mapping, row checks and scoring (risk/importing.py), on frames built here."""

import io
import json
from datetime import date

import pandas
import pytest

from risk.answers import RATING_HELP, YES_NO_HELP
from risk.imports.checking import (
    IDENTITY_FIELDS,
    ColumnMapping,
    DateError,
    RowProblem,
    blocking_problems,
    detect_mapping,
    mapping_problems,
    parse_date,
    validate,
)
from risk.imports.files import read_table
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score
from tests.risk.import_fixtures import dash_export_csv, dash_export_rows, dash_export_xlsx

TODAY = date(2026, 3, 1)
DASH = get_pack("dash-ric")
QUESTIONS = [f"Q{number}" for number in range(1, 25)]
PERSON = {
    "Forename": "Jane",
    "Surname": "Smith",
    "Date of birth": "01/02/1980",
    "Postcode": "LS1 4AP",
    "Date of assessment": "05/01/2026",
    "Crime reference": "CR1",
}


def sheet(*rows: dict, first_row: int = 2) -> pandas.DataFrame:
    """A frame as the file reader gives it: text cells, index = spreadsheet row (header is row 1)."""
    frame = pandas.DataFrame(list(rows), dtype=str).fillna("")
    frame.index = range(first_row, first_row + len(rows))
    return frame


def dash_row(yes: int = 0, **cells) -> dict:
    """A full DASH RIC row with the first `yes` questions answered Y and the rest N."""
    answers = {question: ("Y" if number < yes else "N") for number, question in enumerate(QUESTIONS)}
    return PERSON | answers | cells


def check(frame: pandas.DataFrame, pack=DASH):
    return validate(frame, pack, detect_mapping(pack, list(frame.columns)), today=TODAY)


# Detecting the mapping


@pytest.mark.parametrize(
    ("heading", "item_id"),
    [
        ("Q1", "q1"),
        ("q1", "q1"),
        ("q 1", "q1"),
        ("q1.", "q1"),
        ("Q.1", "q1"),
        ("Question 1", "q1"),
        ("question_1", "q1"),
        ("QUESTION-1", "q1"),
        ("DASH_Q01", "q1"),
        ("DASH Q1", "q1"),
        ("dash-ric q01", "q1"),
        ("1", "q1"),
        ("01", "q1"),
        ("1.", "q1"),
        ("Q01 - pregnant?", "q1"),
        ("Q24 Has the perpetrator ever been in trouble with the police?", "q24"),
        ("Item 7", "q7"),
        ("  Q 12  ", "q12"),
    ],
)
def test_numbered_headings_are_matched_to_the_item_with_that_number(heading, item_id):
    assert detect_mapping(DASH, [heading]).items == {heading: item_id}


@pytest.mark.parametrize("heading", ["Q1a", "DA_Q03a", "3a", "Question 3A", "q15a - did he"])
def test_items_with_letters_are_matched_when_the_pack_has_them(heading):
    pack = get_pack("danger-assessment")
    expected = {"q1a": None, "da_q03a": "q3a", "3a": "q3a", "question 3a": "q3a", "q15a - did he": "q15a"}[
        heading.lower()
    ]

    assert detect_mapping(pack, [heading]).items == ({heading: expected} if expected else {})


@pytest.mark.parametrize(
    "heading",
    [
        "Q25",
        "Q0",
        "Q1 comments",
        "Q2 - notes",
        "Question 3 details",
        "Frequency",
        "Address line 1",
        "Age 34",
        "Q1answer",
        "Notes",
    ],
)
def test_headings_that_are_not_a_dash_answer_are_left_unmapped(heading):
    assert detect_mapping(DASH, [heading]).items == {}


def test_tools_with_named_items_match_the_item_id_or_its_label():
    police = get_pack("police-dash")

    assert detect_mapping(police, ["Grade"]).items == {"Grade": "grade"}
    assert detect_mapping(police, ["Officer's risk grade"]).items == {"Officer's risk grade": "grade"}
    assert detect_mapping(get_pack("lap"), ["OVERRIDE"]).items == {"OVERRIDE": "override"}


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Forename", "given_name"),
        ("First name", "given_name"),
        ("first_name", "given_name"),
        ("Given name", "given_name"),
        ("Victim forename", "given_name"),
        ("Surname", "family_name"),
        ("Last Name", "family_name"),
        ("family-name", "family_name"),
        ("Victim's surname", "family_name"),
        ("Name", "full_name"),
        ("Full name", "full_name"),
        ("Victim name", "full_name"),
        ("DOB", "date_of_birth"),
        ("D.O.B.", "date_of_birth"),
        ("Date of birth", "date_of_birth"),
        ("date_of_birth", "date_of_birth"),
        ("Postcode", "postcode"),
        ("Post code", "postcode"),
        ("POST-CODE", "postcode"),
        ("Date of assessment", "assessed_on"),
        ("Assessment date", "assessed_on"),
        ("Date assessed", "assessed_on"),
        ("Date", "assessed_on"),
        ("Reference", "reference"),
        ("Ref", "reference"),
        ("Ref.", "reference"),
        ("Agency reference", "reference"),
        ("Crime reference", "reference"),
        ("Crime number", "reference"),
        ("Crime No.", "reference"),
    ],
)
def test_identity_headings_are_recognised_whatever_the_case_spaces_or_punctuation(heading, field):
    assert detect_mapping(DASH, [heading]).identity == {field: heading}


def test_the_most_specific_heading_wins_and_each_column_is_used_once():
    headers = ["Date", "Date of assessment", "Ref", "Crime reference", "Name", "Forename", "Surname", "Q1"]

    mapping = detect_mapping(DASH, headers)

    assert mapping.identity == {
        "given_name": "Forename",
        "family_name": "Surname",
        "full_name": "Name",
        "assessed_on": "Date of assessment",
        "reference": "Crime reference",
    }
    assert mapping.items == {"Q1": "q1"}


def test_a_typical_export_is_mapped_completely():
    headers = [
        "Ref",
        "First name",
        "Last name",
        "D.O.B",
        "Post code",
        "Date assessed",
        *[f"DASH_Q{n:02d}" for n in range(1, 25)],
    ]

    mapping = detect_mapping(DASH, headers)

    assert mapping.items == {f"DASH_Q{n:02d}": f"q{n}" for n in range(1, 25)}
    assert set(mapping.identity) == set(IDENTITY_FIELDS) - {"full_name"}
    assert mapping_problems(DASH, mapping) == []


def test_a_mapping_survives_json_and_refuses_nonsense():
    mapping = detect_mapping(DASH, ["Name", "Date", "Q1", "Q2"])

    assert ColumnMapping.from_dict(json.loads(json.dumps(mapping.to_dict()))) == mapping
    with pytest.raises(ValueError):
        ColumnMapping.from_dict({"items": ["Q1"], "identity": {}})
    with pytest.raises(ValueError):
        ColumnMapping.from_dict("Q1")


# Mapping problems


def complete_mapping(**changes) -> ColumnMapping:
    items = {question: question.lower() for question in QUESTIONS}
    identity = {"given_name": "Forename", "family_name": "Surname", "assessed_on": "Date of assessment"}
    return ColumnMapping(items=changes.get("items", items), identity=changes.get("identity", identity))


def test_a_complete_mapping_has_no_problems():
    assert mapping_problems(DASH, complete_mapping()) == []
    assert mapping_problems(DASH, complete_mapping(identity={"full_name": "Name", "assessed_on": "Date"})) == []


def test_a_mapping_without_a_name_or_assessment_date_says_what_to_choose():
    problems = mapping_problems(DASH, complete_mapping(identity={}))

    assert problems == [
        "No column holds the person's name: choose the forename and surname columns, or one column with the full name.",
        "No column holds the date of assessment: choose the column with the date each assessment was done.",
    ]
    assert blocking_problems(DASH, complete_mapping(identity={})) == problems


def test_half_a_name_is_a_problem():
    forename_only = complete_mapping(identity={"given_name": "Forename", "assessed_on": "Date"})
    surname_only = complete_mapping(identity={"family_name": "Surname", "assessed_on": "Date"})

    assert mapping_problems(DASH, forename_only) == [
        "There is a forename column but no surname column: choose the column with the surname, or one column with the "
        "full name."
    ]
    assert "no forename column" in mapping_problems(DASH, surname_only)[0]


def test_items_without_a_column_are_listed_by_number_and_do_not_block():
    items = {question: question.lower() for question in QUESTIONS if question not in {"Q3", "Q10", "Q24"}}
    mapping = complete_mapping(items=items)

    assert mapping_problems(DASH, mapping) == [
        "No column for Q3, Q10 and Q24 of SafeLives DASH Risk Identification Checklist: these items will count "
        "as not asked. Match the columns if the file has them."
    ]
    assert blocking_problems(DASH, mapping) == []


def test_named_items_without_a_column_are_listed_by_label():
    police = get_pack("police-dash")
    mapping = ColumnMapping(
        items={f"Q{n}": f"q{n}" for n in range(1, 28)}, identity={"full_name": "Name", "assessed_on": "Date"}
    )

    assert mapping_problems(police, mapping) == [
        "No column for Officer's risk grade of Police DASH risk identification and assessment (ACPO/NPCC 2009): "
        "this item will count as not asked. Match the columns if the file has them."
    ]


def test_two_columns_for_one_item_and_one_column_for_two_uses_are_problems():
    items = {question: question.lower() for question in QUESTIONS} | {"Question 1": "q1", "Date of assessment": "q2"}
    mapping = complete_mapping(items=items)

    problems = blocking_problems(DASH, mapping)

    assert "Columns 'Q1' and 'Question 1' are all matched to Q1: keep one and ignore the others." in problems
    assert "Columns 'Q2' and 'Date of assessment' are all matched to Q2: keep one and ignore the others." in problems
    assert (
        "Column 'Date of assessment' is used for date of assessment and an answer: choose one use for it." in problems
    )


def test_an_item_the_tool_does_not_have_is_a_problem():
    mapping = complete_mapping(items={question: question.lower() for question in QUESTIONS} | {"Q99": "q99"})

    assert blocking_problems(DASH, mapping) == [
        "Column 'Q99' is matched to 'q99', which is not an item of SafeLives DASH Risk Identification Checklist: "
        "choose one of its items or ignore the column."
    ]


# Answers


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("Y", "yes"),
        ("y", "yes"),
        ("Yes", "yes"),
        ("YES", "yes"),
        (" yes ", "yes"),
        ("1", "yes"),
        ("1.0", "yes"),
        ("TRUE", "yes"),
        ("ticked", "yes"),
        ("N", "no"),
        ("no", "no"),
        ("No", "no"),
        ("0", "no"),
        ("0.0", "no"),
        ("FALSE", "no"),
        ("don't know", "unknown"),
        ("Don't Know", "unknown"),
        ("Don’t know", "unknown"),
        ("DK", "unknown"),
        ("Unknown", "unknown"),
        ("not known", "unknown"),
        ("declined", "declined"),
        ("Refused", "declined"),
        ("not asked", "not-asked"),
        ("Not-asked", "not-asked"),
    ],
)
def test_every_spelling_the_web_form_reader_accepts_is_stored_as_the_form_stores_it(cell, stored):
    report = check(sheet(dash_row(Q5=cell)))

    assert report.problems == ()
    assert report.rows[0].answers["q5"] == stored


@pytest.mark.parametrize("cell", ["N/A", "Not applicable"])
def test_not_applicable_is_stored_where_the_pack_allows_it_and_refused_elsewhere_naming_the_item(cell):
    allowed = check(sheet(dash_row(Q7=cell)))
    refused = check(sheet(dash_row(Q5=cell)))

    assert allowed.problems == ()
    assert allowed.rows[0].answers["q7"] == "not-applicable"
    assert refused.rows == ()
    (problem,) = refused.problems
    assert problem.column == "Q5"
    assert "is not an answer to Q5" in problem.problem
    assert "not applicable" in problem.problem


def test_a_blank_answer_is_left_out_as_the_web_form_leaves_it_out_and_counts_as_missing():
    report = check(sheet(dash_row(Q5="", Q6="   ")))

    row = report.rows[0]
    assert "q5" not in row.answers and "q6" not in row.answers
    assert row.result.missing == ("q5", "q6")


def test_ratings_and_choices_use_the_same_readers_as_the_web_forms():
    pack = get_pack("b-safer")
    ratings = {
        f"Q{n}": value
        for n, value in enumerate(
            [
                "Present",
                "Y",
                "2",
                "possible",
                "P",
                "?",
                "absent",
                "N",
                "0",
                "",
                "unknown",
                "present",
                "present",
                "absent",
                "absent",
            ],
            1,
        )
    }
    frame = sheet(PERSON | ratings | {"Priority": "High", "Imminent": "N"})

    report = check(frame, pack)

    assert report.problems == ()
    answers = report.rows[0].answers
    assert [answers.get(f"q{n}") for n in range(1, 16)] == [
        "present",
        "present",
        "present",
        "possible",
        "possible",
        "possible",
        "absent",
        "absent",
        "absent",
        None,
        None,
        "present",
        "present",
        "absent",
        "absent",
    ]
    assert answers["priority"] == "high" and answers["imminent"] == "no"
    assert report.rows[0].result.tier == Tier.HIGH


def test_a_bad_answer_names_the_row_the_column_and_the_accepted_answers_and_the_row_is_not_imported():
    frame = sheet(
        dash_row(), dash_row(Q7="maybe", **{"Crime reference": "CR2"}), dash_row(**{"Crime reference": "CR3"})
    )

    report = check(frame)

    assert report.problems == (
        RowProblem(
            3, "Q7", "'maybe' is not an answer to Q7", f"Use {YES_NO_HELP}, or leave it blank if it was not asked."
        ),
    )
    assert [row.row for row in report.rows] == [2, 4]
    assert (report.bad_rows, report.total_rows) == (1, 3)


def test_bad_ratings_and_choices_say_what_is_accepted():
    pack = get_pack("b-safer")
    frame = sheet(PERSON | {"Q1": "very", "Priority": "urgent"})

    problems = check(frame, pack).problems

    assert [(p.column, p.problem, p.what_to_do) for p in problems] == [
        ("Q1", "'very' is not an answer to Q1", f"Use {RATING_HELP}."),
        (
            "Priority",
            "'urgent' is not an answer to Case priority",
            "Use one of low (Low), moderate (Moderate) or high (High), or leave it blank if there is none.",
        ),
    ]


def test_problems_never_repeat_the_persons_other_details():
    frame = sheet(
        dash_row(Q1="sometimes", **{"Forename": "Zebedee", "Surname": "Quixote", "Date of birth": "31/12/2030"})
    )

    problems = check(frame).problems

    text = " ".join(f"{p.problem} {p.what_to_do}" for p in problems)
    assert len(problems) == 2
    assert "Zebedee" not in text and "Quixote" not in text and "LS1" not in text


# Dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05", date(2026, 1, 5)),
        ("2026/1/5", date(2026, 1, 5)),
        ("05/01/2026", date(2026, 1, 5)),
        ("5/1/2026", date(2026, 1, 5)),
        ("05-01-2026", date(2026, 1, 5)),
        ("05.01.2026", date(2026, 1, 5)),
        ("5/1/26", date(2026, 1, 5)),
        ("5/1/85", date(1985, 1, 5)),
        ("5/1/27", date(1927, 1, 5)),
        ("2026-01-05 00:00:00", date(2026, 1, 5)),
        ("2026-01-05T13:45", date(2026, 1, 5)),
        ("05/01/2026 09:30", date(2026, 1, 5)),
        ("5 Jan 2026", date(2026, 1, 5)),
        ("5-jan-26", date(2026, 1, 5)),
        ("5th January 2026", date(2026, 1, 5)),
        ("5 Sept 2025", date(2025, 9, 5)),
        ("20260105", date(2026, 1, 5)),
        ("45123", date(2023, 7, 16)),
        ("45123.75", date(2023, 7, 16)),
        ("45658", date(2025, 1, 1)),
        ("1", date(1900, 1, 1)),
        ("59", date(1900, 2, 28)),
        ("61", date(1900, 3, 1)),
        ("", None),
        ("   ", None),
    ],
)
def test_dates_in_each_accepted_format(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("31/02/2026", "'31/02/2026' is not a real date"),
        ("12/31/2026", "'12/31/2026' is not a real date"),
        ("2026-13-01", "'2026-13-01' is not a real date"),
        ("yesterday", "'yesterday' is not a date"),
        ("5 Smarch 2026", "'5 Smarch 2026' is not a real date"),
        ("1985", "'1985' is only a year"),
        ("60", "'60' is not an Excel date number"),
        ("0", "'0' is not an Excel date number"),
    ],
)
def test_unreadable_dates_raise_a_value_error_saying_which_formats_work(text, problem):
    with pytest.raises(ValueError) as raised:
        parse_date(text, today=TODAY)

    assert isinstance(raised.value, DateError) and raised.value.problem == problem
    assert "31/01/2026 (day first), 2026-01-31 or 31 Jan 2026, or an Excel date number" in str(raised.value)


@pytest.mark.parametrize(
    ("cells", "column", "problem"),
    [
        (
            {"Date of assessment": "02/03/2026"},
            "Date of assessment",
            "The date of assessment 02/03/2026 is in the future",
        ),
        (
            {"Date of assessment": "31/12/1999"},
            "Date of assessment",
            "The date of assessment 31/12/1999 is before 2000",
        ),
        ({"Date of assessment": ""}, "Date of assessment", "The date of assessment is blank"),
        ({"Date of assessment": "soon"}, "Date of assessment", "The date of assessment 'soon' is not a date"),
        ({"Date of birth": "01/01/2027"}, "Date of birth", "The date of birth 01/01/2027 is in the future"),
        (
            {"Date of birth": "06/01/2026"},
            "Date of birth",
            "The date of birth 06/01/2026 is after the date of assessment 05/01/2026",
        ),
        ({"Date of birth": "31/11/1980"}, "Date of birth", "The date of birth '31/11/1980' is not a real date"),
        ({"Date of birth": "01/01/1850"}, "Date of birth", "The date of birth 01/01/1850 is before 1900"),
    ],
)
def test_impossible_dates_are_problems(cells, column, problem):
    report = check(sheet(dash_row(**cells)))

    assert [(p.row, p.column, p.problem) for p in report.problems] == [(2, column, problem)]
    assert report.rows == ()


def test_good_dates_in_mixed_formats_are_read_and_a_blank_date_of_birth_is_allowed():
    frame = sheet(
        dash_row(**{"Date of assessment": "2026-02-28 00:00:00", "Date of birth": "29123"}),
        dash_row(**{"Date of assessment": "46000", "Date of birth": "", "Crime reference": "CR2"}),
        dash_row(**{"Date of assessment": "1/3/26", "Date of birth": "1 Feb 80", "Crime reference": "CR3"}),
    )

    rows = check(frame).rows

    assert [(row.assessed_on, row.date_of_birth) for row in rows] == [
        (date(2026, 2, 28), date(1979, 9, 25)),
        (date(2025, 12, 9), None),
        (date(2026, 3, 1), date(1980, 2, 1)),
    ]


# Names and other details


def test_missing_names_are_problems():
    frame = sheet(dash_row(Forename=""), dash_row(Surname="  ", **{"Crime reference": "CR2"}))

    problems = check(frame).problems

    assert [(p.row, p.column, p.problem, p.what_to_do) for p in problems] == [
        (2, "Forename", "The forename is blank", "Enter the person's forename, or remove the row."),
        (3, "Surname", "The surname is blank", "Enter the person's surname, or remove the row."),
    ]


def test_a_full_name_column_is_split_into_forename_and_surname():
    rows = [
        {"Name": "Jane Smith", "Date": "05/01/2026"},
        {"Name": "Smith, Jane", "Date": "05/01/2026", "Ref": "2"},
        {"Name": "  Mary   Ann  O'Neill ", "Date": "05/01/2026"},
        {"Name": "Cher", "Date": "05/01/2026"},
        {"Name": "", "Date": "05/01/2026"},
    ]

    report = check(sheet(*rows))

    assert [(row.given_name, row.family_name) for row in report.rows] == [
        ("Jane", "Smith"),
        ("Jane", "Smith"),
        ("Mary Ann", "O'Neill"),
    ]
    assert [(p.row, p.column, p.problem) for p in report.problems] == [
        (5, "Name", "The name has only one part"),
        (6, "Name", "The name is blank"),
    ]


def test_postcodes_and_references_are_tidied_and_blanks_become_none():
    frame = sheet(
        dash_row(Postcode="ls14ap", **{"Crime reference": " CR 1 "}),
        dash_row(Postcode="", **{"Crime reference": ""}),
        dash_row(Postcode="this is not a postcode at all", **{"Crime reference": "CR3"}),
    )

    report = check(frame)

    assert [(row.postcode, row.reference) for row in report.rows] == [("LS1 4AP", "CR 1"), (None, None)]
    assert [(p.row, p.column) for p in report.problems] == [(4, "Postcode")]


def test_without_name_or_date_columns_every_row_says_so_and_nothing_imports():
    frame = sheet({"Q1": "Y"}, {"Q1": "N"})

    report = check(frame)

    assert report.rows == () and report.bad_rows == 2
    assert {p.problem for p in report.problems} == {
        "There is no column for the person's name",
        "There is no column for the date of assessment",
    }


# Duplicates, row numbers, unmapped columns


def test_a_row_repeating_an_earlier_one_is_reported_and_skipped():
    frame = sheet(
        dash_row(yes=3),
        dash_row(yes=4),
        dash_row(yes=3, Forename="JANE"),
        dash_row(yes=3, **{"Crime reference": "CR9"}),
        dash_row(yes=3),
    )

    report = check(frame)

    assert report.duplicates == ((4, 2), (6, 2))
    assert [row.row for row in report.rows] == [2, 3, 5]
    assert (report.total_rows, report.bad_rows) == (5, 0)


def test_row_numbers_are_the_spreadsheets_with_the_header_as_row_one():
    csv = "Name,Date,Q1\nJane Smith,05/01/2026,Y\n,,\nAnn Lee,05/01/2026,what\nKim Ray,,N\n"
    frame = pandas.read_csv(io.StringIO(csv), dtype=str, keep_default_na=False)

    report = check(frame)

    assert [row.row for row in report.rows] == [2]
    assert [(p.row, p.column) for p in report.problems] == [(4, "Q1"), (5, "Date")]
    assert report.total_rows == 3
    assert list(frame.index) == [0, 1, 2, 3]


def test_every_problem_of_a_bad_row_is_reported():
    frame = sheet(dash_row(Q1="x", Q2="z", Forename="", **{"Date of birth": "06/01/2026"}))

    problems = check(frame).problems

    assert [p.column for p in problems] == ["Forename", "Date of birth", "Q1", "Q2"]


def test_an_index_from_the_file_reader_is_kept_as_the_row_number():
    frame = sheet(dash_row(), dash_row(Q2="??", **{"Crime reference": "CR2"}), first_row=10)

    report = check(frame)

    assert report.rows[0].row == 10 and report.problems[0].row == 11


def test_extra_columns_are_listed_as_unmapped():
    frame = sheet(dash_row(**{"Officer": "PC 123", "Q1 comments": "text", "Q25": "Y"}))

    report = check(frame)

    assert report.unmapped_columns == ("Officer", "Q1 comments", "Q25")
    assert report.problems == () and len(report.rows) == 1


def test_problems_are_in_row_then_column_order():
    frame = sheet(dash_row(Q9="x", Forename=""), dash_row(Q2="x", Q1="x", **{"Crime reference": "CR2"}))

    problems = check(frame).problems

    assert [(p.row, p.column) for p in problems] == [(2, "Forename"), (2, "Q9"), (3, "Q1"), (3, "Q2")]


# Scoring


def test_results_match_hand_counted_yes_answers():
    frame = sheet(
        dash_row(yes=14),
        dash_row(yes=10, **{"Crime reference": "CR2"}),
        dash_row(yes=0, Q3="Yes", Q7="1", Q20="y", Q21="don't know", **{"Crime reference": "CR3"}),
    )

    rows = check(frame).rows

    assert [(row.result.score, row.result.band, row.result.tier) for row in rows] == [
        (14, "high", Tier.HIGH),
        (10, "medium", Tier.MEDIUM),
        (3, "standard", Tier.STANDARD),
    ]
    assert rows[2].result.missing == ("q21",)
    for row in rows:
        assert row.result == score(DASH, row.answers)


def test_missing_item_columns_count_as_not_asked_with_the_scorings_own_prompts():
    row = {key: value for key, value in dash_row(yes=24).items() if key not in {"Q5", "Q17"}}

    result = check(sheet(row)).rows[0].result

    assert (result.score, result.band) == (22, "high")
    assert result.missing == ("q5", "q17")
    assert result == score(DASH, {f"q{n}": "yes" for n in range(1, 25) if n not in (5, 17)})
    prompts = {prompt.code: prompt.items for prompt in result.prompts}
    assert prompts["answers-missing"] == ("q5", "q17")


def test_rows_with_the_same_answers_share_one_scoring():
    frame = sheet(*[dash_row(yes=5, **{"Crime reference": f"CR{n}"}) for n in range(3)])

    rows = check(frame).rows

    assert rows[0].result is rows[1].result is rows[2].result
    assert rows[0].answers == rows[1].answers and rows[0].answers is not rows[1].answers


@pytest.mark.parametrize(("filename", "make"), [("export.csv", dash_export_csv), ("export.xlsx", dash_export_xlsx)])
def test_exports_read_by_the_file_reader_validate_row_for_row(filename, make):
    frame = read_table(make(30, 4, header_style="DASH_Q01"), filename)

    report = validate(frame, DASH, detect_mapping(DASH, list(frame.columns)), today=date(2027, 1, 1))

    assert report.problems == () and report.unmapped_columns == ()
    assert [row.row for row in report.rows] == list(range(2, 32))
    first = dash_export_rows(30, 4)[0]
    assert (report.rows[0].given_name, report.rows[0].date_of_birth, report.rows[0].assessed_on) == (
        first[0],
        first[2],
        first[4],
    )
    expected_yes = sum(answer in ("Y", "Yes", "1") for answer in first[6:])
    assert report.rows[0].result.score == expected_yes
