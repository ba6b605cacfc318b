"""Bulk import of risk assessments from an agency export: match the file's columns to a tool's
items and to the person's details, check every row, and score the good ones with risk.scoring,
the same code the web forms use.

Takes a pandas DataFrame of text whose index is the spreadsheet row number (the header is row 1)
and touches no database. Each column is read once per distinct value, not once per cell (exports
repeat themselves a great deal), and the good rows are scored together, column by column.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter

import numpy
import pandas

from risk.answers import (
    RATING_HELP,
    YES_NO_HELP,
    Answer,
    AnswerError,
    read_choice,
    read_rating,
    read_yes_no,
    spelling_of,
)
from risk.column_scoring import score_columns
from risk.instruments import Item, Pack
from risk.matching import normalise_postcode
from risk.schema import RiskResult, natural_key

IDENTITY_FIELDS = ("given_name", "family_name", "full_name", "date_of_birth", "postcode", "assessed_on", "reference")
IDENTITY_LABELS = {
    "given_name": "forename",
    "family_name": "surname",
    "full_name": "full name",
    "date_of_birth": "date of birth",
    "postcode": "postcode",
    "assessed_on": "date of assessment",
    "reference": "agency reference",
}
# Headings with punctuation, spaces and case removed; earlier spellings win over later ones.
IDENTITY_HEADINGS = {
    "given_name": ("forename", "forenames", "firstname", "firstnames", "givenname", "givennames", "christianname"),
    "family_name": ("surname", "lastname", "familyname"),
    "full_name": ("fullname", "name", "names"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate", "dateofbirthdob"),
    "postcode": ("postcode", "postalcode"),
    "assessed_on": (
        "dateofassessment",
        "assessmentdate",
        "dateassessed",
        "assessedon",
        "dateofdash",
        "dashdate",
        "dateofric",
        "ricdate",
        "datecompleted",
        "completeddate",
        "date",
    ),
    "reference": (
        "agencyreference",
        "agencyref",
        "crimereference",
        "crimereferencenumber",
        "crimeref",
        "crimenumber",
        "crimeno",
        "reference",
        "referencenumber",
        "ref",
        "refno",
        "refnumber",
    ),
}
WHOSE = ("victims", "victim", "clients", "client", "serviceusers", "serviceuser", "subject", "survivor", "person")

NUMBERED_ITEM_HEADING = re.compile(
    r"^(?:[a-z][a-z0-9]*[\s_\-]+)*(?:question|qu|qn|q|item)[\s_.\-#:]*0*(\d+)([a-z]?)(?![a-z0-9])(.*)$"
)
BARE_NUMBER_HEADING = re.compile(r"^0*(\d+)([a-z]?)(?![a-z0-9])(.*)$")
NOT_AN_ANSWER = {
    "comment",
    "comments",
    "note",
    "notes",
    "detail",
    "details",
    "text",
    "explain",
    "explanation",
    "reason",
    "narrative",
}

FIRST_ASSESSMENT_DATE = date(2000, 1, 1)
FIRST_BIRTH_DATE = date(1900, 1, 1)
LONGEST_NAME = 100
LONGEST_POSTCODE = 10
LONGEST_REFERENCE = 100


@dataclass(frozen=True)
class ColumnMapping:
    items: dict[str, str]  # file column -> pack item id
    identity: dict[str, str]  # identity field -> file column

    def to_dict(self) -> dict:
        return {"items": dict(self.items), "identity": dict(self.identity)}

    @classmethod
    def from_dict(cls, data) -> "ColumnMapping":
        if not isinstance(data, dict):
            raise ValueError("a saved mapping must be an object with items and identity")
        items, identity = data.get("items", {}), data.get("identity", {})
        for part in (items, identity):
            if not isinstance(part, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in part.items()
            ):
                raise ValueError("a saved mapping's items and identity must map text to text")
        return cls(items=dict(items), identity=dict(identity))

    def columns(self) -> set[str]:
        return set(self.items) | set(self.identity.values())


@dataclass(frozen=True)
class RowProblem:
    row: int  # spreadsheet row number
    column: str  # the file's column heading
    problem: str
    what_to_do: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    postcode: str | None
    assessed_on: date
    reference: str | None
    answers: dict[str, str]  # item id -> answer as the web form stores it; blank cells are left out
    result: RiskResult


@dataclass(frozen=True)
class ValidationReport:
    rows: tuple[ImportRow, ...]
    problems: tuple[RowProblem, ...]
    duplicates: tuple[tuple[int, int], ...]  # (row, the earlier row it repeats)
    unmapped_columns: tuple[str, ...]

    @property
    def bad_rows(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def total_rows(self) -> int:
        return len(self.rows) + self.bad_rows + len(self.duplicates)


class DateError(ValueError):
    def __init__(self, problem: str, what_to_do: str):
        super().__init__(f"{problem}: {what_to_do}")
        self.problem = problem
        self.what_to_do = what_to_do


# Column mapping


def squashed(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(heading).lower())


def detect_mapping(pack: Pack, headers: list[str]) -> ColumnMapping:
    identity = detect_identity(headers)
    taken = set(identity.values())
    items = {}
    for heading in headers:
        if heading not in taken:
            item_id = item_for_heading(pack, heading)
            if item_id is not None:
                items[heading] = item_id
    return ColumnMapping(items=items, identity=identity)


def detect_identity(headers: list[str]) -> dict[str, str]:
    identity = {}
    for field, spellings in IDENTITY_HEADINGS.items():
        ranked = [
            (spellings.index(spelling), position, heading)
            for position, heading in enumerate(headers)
            if heading not in identity.values() and (spelling := identity_spelling(heading, spellings))
        ]
        if ranked:
            identity[field] = min(ranked)[2]
    return identity


def identity_spelling(heading: str, spellings: tuple[str, ...]) -> str | None:
    key = squashed(heading)
    candidates = [key] + [key[len(whose) :] for whose in WHOSE if key.startswith(whose) and len(key) > len(whose)]
    return next((candidate for candidate in candidates if candidate in spellings), None)


def item_for_heading(pack: Pack, heading: str) -> str | None:
    text = " ".join(str(heading).lower().split())
    items = pack.items_by_id()
    match = NUMBERED_ITEM_HEADING.match(text) or BARE_NUMBER_HEADING.match(text)
    if match:
        number, letter, rest = match.groups()
        if set(re.findall(r"[a-z]+", rest)) & NOT_AN_ANSWER:
            return None
        item_id = f"q{int(number)}{letter}"
        return item_id if item_id in items else None
    key = squashed(heading)
    return next((item.id for item in pack.items if key in {squashed(item.id), squashed(item.label)}), None)


def item_name(item: Item) -> str:
    return item.id.upper() if item.id[1:2].isdigit() else item.label


def listed(names: list[str], joiner: str = "and") -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {joiner} {names[-1]}"


def mapping_problems(pack: Pack, mapping: ColumnMapping) -> list[str]:
    """Everything to put right in the mapping: the blocking problems first, then the items with no
    column, which do not stop an import (those items count as not asked)."""
    return blocking_problems(pack, mapping) + missing_item_problems(pack, mapping)


def blocking_problems(pack: Pack, mapping: ColumnMapping) -> list[str]:
    """The mapping problems that stop an import until they are fixed."""
    problems = [
        f"{field!r} is not a detail the import knows; use {', '.join(IDENTITY_FIELDS)}"
        for field in mapping.identity
        if field not in IDENTITY_FIELDS
    ]
    problems += name_problems(mapping.identity)
    if "assessed_on" not in mapping.identity:
        problems.append(
            "No column holds the date of assessment: choose the column with the date each assessment was done."
        )
    items = pack.items_by_id()
    for column, item_id in mapping.items.items():
        if item_id not in items:
            problems.append(
                f"Column {column!r} is matched to {item_id!r}, which is not an item of {pack.name}: choose one of its "
                "items or ignore the column."
            )
    problems += shared_column_problems(pack, mapping)
    return problems


def name_problems(identity: dict[str, str]) -> list[str]:
    if "full_name" in identity or {"given_name", "family_name"} <= set(identity):
        return []
    if "given_name" in identity:
        return [
            "There is a forename column but no surname column: choose the column with the surname, or one column with "
            "the full name."
        ]
    if "family_name" in identity:
        return [
            "There is a surname column but no forename column: choose the column with the forename, or one column "
            "with the full name."
        ]
    return [
        "No column holds the person's name: choose the forename and surname columns, or one column with the full name."
    ]


def shared_column_problems(pack: Pack, mapping: ColumnMapping) -> list[str]:
    problems = []
    items = pack.items_by_id()
    columns_by_item: dict[str, list[str]] = {}
    for column, item_id in mapping.items.items():
        columns_by_item.setdefault(item_id, []).append(column)
    for item_id, columns in sorted(columns_by_item.items(), key=lambda pair: natural_key(pair[0])):
        if len(columns) > 1 and item_id in items:
            problems.append(
                f"Columns {listed([repr(c) for c in columns])} are all matched to {item_name(items[item_id])}: keep "
                "one and ignore the others."
            )
    fields_by_column: dict[str, list[str]] = {}
    for field, column in mapping.identity.items():
        fields_by_column.setdefault(column, []).append(IDENTITY_LABELS.get(field, field))
    for column, fields in fields_by_column.items():
        uses = fields + (["an answer"] if column in mapping.items else [])
        if len(uses) > 1:
            problems.append(f"Column {column!r} is used for {listed(uses)}: choose one use for it.")
    return problems


def missing_item_problems(pack: Pack, mapping: ColumnMapping) -> list[str]:
    mapped = set(mapping.items.values())
    missing = [item_name(item) for item in pack.items if item.id not in mapped]
    if not missing:
        return []
    return [
        f"No column for {listed(missing)} of {pack.name}: {'this item' if len(missing) == 1 else 'these items'} will "
        "count as not asked. "
        "Match the columns if the file has them."
    ]


# Dates


DATE_HELP = "use a date like 31/01/2026 (day first), 2026-01-31 or 31 Jan 2026, or an Excel date number"
TIME_OF_DAY = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
FULL_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def parse_date(text: str, *, today: date | None = None) -> date | None:
    """A date from a spreadsheet cell, UK style (day first); blank gives None. Two-digit years are
    this century up to this year, the last century after it. Raises DateError (a ValueError)."""
    shown = shown_value(text)
    cleaned = TIME_OF_DAY.sub("", " ".join(str(text or "").split())).lower()
    if not cleaned:
        return None
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
            return date_from_number(cleaned, shown)
        if match := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", cleaned):
            year, month, day = (int(part) for part in match.groups())
        elif match := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", cleaned):
            day, month = int(match[1]), int(match[2])
            year = full_year(match[3], today)
        elif match := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/]*([a-z]{3,9})\.?[\s\-/,]*(\d{2}|\d{4})", cleaned):
            day, month, year = int(match[1]), month_number(match[2]), full_year(match[3], today)
        else:
            raise DateError(f"{shown} is not a date", DATE_HELP)
        return date(year, month, day)
    except (ValueError, KeyError) as error:
        if isinstance(error, DateError):
            raise
        raise DateError(f"{shown} is not a real date", f"check the day and month; {DATE_HELP}") from None


def full_year(text: str, today: date | None) -> int:
    if len(text) == 4:
        return int(text)
    this_year = (today or date.today()).year
    year = this_year - this_year % 100 + int(text)
    return year if year <= this_year else year - 100


def month_number(name: str) -> int:
    number = MONTHS[name[:3]]
    if name != "sept" and not FULL_MONTHS[number - 1].startswith(name):
        raise KeyError(name)
    return number


def date_from_number(text: str, shown: str) -> date:
    """Excel's serial day numbers (the 1900 system, which counts a 29 February 1900 that never was),
    and 8-digit YYYYMMDD."""
    number = float(text)
    days = int(number)
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if 1900 <= days <= 2100 and "." not in text:
        raise DateError(f"{shown} is only a year", f"give the whole date; {DATE_HELP}")
    if days < 1 or days == 60 or days > 2958465:
        raise DateError(f"{shown} is not an Excel date number", DATE_HELP)
    return date(1899, 12, 31 if days < 60 else 30) + timedelta(days=days)


def shown_value(text) -> str:
    value = " ".join(str(text or "").split())
    return repr(value if len(value) <= 30 else value[:27] + "...")


def uk_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# Reading columns: once per distinct value


@dataclass(frozen=True)
class Column:
    """One file column read: a value per row, and the rows (by position) whose cell is bad."""

    heading: str
    values: list
    errors: dict[int, tuple[str, str]]


@dataclass(frozen=True)
class Bad:
    """What a converter returns for a cell it cannot read."""

    problem: str
    what_to_do: str


def read_column(frame: pandas.DataFrame, heading: str, convert) -> Column:
    codes, distinct = pandas.factorize(frame[heading], sort=False)
    converted = numpy.empty(len(distinct), dtype=object)
    converted[:] = [convert(value) for value in distinct]
    bad = {code: value for code, value in enumerate(converted) if isinstance(value, Bad)}
    errors = {}
    if bad:
        for position in numpy.flatnonzero(numpy.isin(codes, list(bad))):
            errors[int(position)] = (bad[codes[position]].problem, bad[codes[position]].what_to_do)
        converted[list(bad)] = None
    return Column(heading, converted[codes].tolist(), errors)


def blank_column(length: int) -> Column:
    return Column("", [None] * length, {})


def answer_reader(item: Item):
    def convert(raw: str):
        text = re.sub(r"^(\d+)\.0+$", r"\1", " ".join(raw.split()))
        try:
            return normalised_answer(item, text)
        except NotApplicableRefused:
            return Bad(
                f"{shown_value(text)} (not applicable) is not an answer to {item_name(item)}: only items about "
                "children "
                "or child contact may be not applicable",
                "Use yes, no or don't know, or leave it blank if it was not asked.",
            )
        except AnswerError:
            return Bad(f"{shown_value(text)} is not an answer to {item_name(item)}", what_to_do_for(item))

    return convert


class NotApplicableRefused(AnswerError):
    """ "Not applicable" on an item whose pack does not allow it: it would hide a missing answer."""


def normalised_answer(item: Item, text: str) -> str:
    """The value the web form would store for this answer; "" for a blank cell, which the form leaves out."""
    if item.answer_type == "yes-no":
        answer = read_yes_no(item.id, text)
        if answer is Answer.NOT_APPLICABLE and not item.may_be_not_applicable:
            raise NotApplicableRefused(item.id)
        return "" if answer is Answer.NOT_ASKED and spelling_of(text) == "" else answer.value
    if item.answer_type == "rating":
        rating = read_rating(item.id, text)
        return "" if rating is None else rating.value
    return read_choice(item.id, text, item.choices) or ""


def what_to_do_for(item: Item) -> str:
    if item.answer_type == "yes-no":
        return f"Use {YES_NO_HELP}, or leave it blank if it was not asked."
    if item.answer_type == "rating":
        return f"Use {RATING_HELP}."
    choices = listed([f"{choice.id} ({choice.label})" for choice in item.choices], "or")
    return f"Use one of {choices}, or leave it blank if there is none."


def text_reader(label: str, longest: int, *, required: bool):
    def convert(raw: str):
        text = " ".join(raw.split())
        if required and not text:
            return Bad(f"The {label} is blank", f"Enter the person's {label}, or remove the row.")
        if len(text) > longest:
            return Bad(
                f"The {label} is longer than {longest} characters", f"Shorten the {label} to {longest} characters."
            )
        return text or None

    return convert


def full_name_reader(raw: str):
    text = " ".join(raw.split())
    if not text:
        return Bad("The name is blank", "Enter the person's forename and surname, or remove the row.")
    if "," in text:
        family, _, given = (part.strip() for part in text.partition(","))
    else:
        given, _, family = text.rpartition(" ")
    if not given or not family:
        return Bad("The name has only one part", "Enter both forename and surname, like Jane Smith or Smith, Jane.")
    if max(len(given), len(family)) > LONGEST_NAME:
        return Bad(f"The name is longer than {LONGEST_NAME} characters", "Shorten the name.")
    return (given, family)


def postcode_reader(raw: str):
    text = " ".join(raw.upper().split())
    if len(text) > LONGEST_POSTCODE:
        return Bad(
            f"The postcode is longer than {LONGEST_POSTCODE} characters",
            "Enter one postcode, like SW1A 1AA, or leave it blank.",
        )
    return normalise_postcode(text) or text or None


def date_reader(label: str, *, today: date, earliest: date, required: bool):
    def convert(raw: str):
        try:
            day = parse_date(raw, today=today)
        except DateError as error:
            return Bad(f"The {label} {error.problem}", error.what_to_do[:1].upper() + error.what_to_do[1:] + ".")
        if day is None:
            return Bad(f"The {label} is blank", f"Enter the {label}, like 31/01/2026.") if required else None
        if day > today:
            return Bad(f"The {label} {uk_date(day)} is in the future", f"Check the {label}; dates are read day first.")
        if day < earliest:
            return Bad(f"The {label} {uk_date(day)} is before {earliest.year}", f"Check the year of the {label}.")
        return day

    return convert


# Validation


def validate(frame: pandas.DataFrame, pack: Pack, mapping: ColumnMapping, *, today: date) -> ValidationReport:
    frame = cells_as_text(frame)
    headings = [str(heading) for heading in frame.columns]
    if len(set(headings)) != len(headings):
        raise ValueError("Two columns of the file have the same heading: rename one and upload it again.")
    frame.index = spreadsheet_rows(frame)
    frame = frame.loc[(frame != "").any(axis=1)]
    rows = frame.index.tolist()
    identity = read_identity(frame, mapping, today)
    answer_columns = read_answers(frame, pack, mapping)
    problems = row_problems(rows, [*identity.values(), *answer_columns.values()]) + dates_out_of_order(rows, identity)
    bad_rows = {problem.row for problem in problems}
    good, duplicates = score_rows(rows, identity, answer_columns, pack, bad_rows)
    mapped = mapping.columns()
    return ValidationReport(
        rows=tuple(good),
        problems=tuple(sorted(problems, key=lambda problem: (problem.row, column_position(headings, problem.column)))),
        duplicates=tuple(duplicates),
        unmapped_columns=tuple(heading for heading in headings if heading not in mapped),
    )


def cells_as_text(frame: pandas.DataFrame) -> pandas.DataFrame:
    return frame.fillna("").astype(str).rename(columns=str)


def spreadsheet_rows(frame: pandas.DataFrame) -> list[int]:
    """The frame's index is the spreadsheet row; a plain 0, 1, 2… index means rows counted from the
    first under the header."""
    index = frame.index
    if isinstance(index, pandas.RangeIndex) and index.start == 0 and index.step == 1:
        return [position + 2 for position in index]
    return [int(row) for row in index]


def column_position(headings: list[str], heading: str) -> int:
    return headings.index(heading) if heading in headings else -1


def read_identity(frame: pandas.DataFrame, mapping: ColumnMapping, today: date) -> dict[str, Column]:
    size = frame.index.size
    present = {field: column for field, column in mapping.identity.items() if column in frame.columns}
    columns = {}
    if "given_name" in present and "family_name" in present:
        columns["given_name"] = read_column(
            frame, present["given_name"], text_reader("forename", LONGEST_NAME, required=True)
        )
        columns["family_name"] = read_column(
            frame, present["family_name"], text_reader("surname", LONGEST_NAME, required=True)
        )
    elif "full_name" in present:
        names = read_column(frame, present["full_name"], full_name_reader)
        columns["given_name"] = Column(names.heading, [pair and pair[0] for pair in names.values], names.errors)
        columns["family_name"] = Column(names.heading, [pair and pair[1] for pair in names.values], {})
    else:
        columns["given_name"] = missing_column(
            size, "There is no column for the person's name", "Choose the name columns in the column mapping."
        )
        columns["family_name"] = blank_column(size)
    if "assessed_on" in present:
        columns["assessed_on"] = read_column(
            frame,
            present["assessed_on"],
            date_reader("date of assessment", today=today, earliest=FIRST_ASSESSMENT_DATE, required=True),
        )
    else:
        columns["assessed_on"] = missing_column(
            size,
            "There is no column for the date of assessment",
            "Choose the date of assessment column in the column mapping.",
        )
    optional = {
        "date_of_birth": date_reader("date of birth", today=today, earliest=FIRST_BIRTH_DATE, required=False),
        "postcode": postcode_reader,
        "reference": text_reader("agency reference", LONGEST_REFERENCE, required=False),
    }
    for field, reader in optional.items():
        columns[field] = read_column(frame, present[field], reader) if field in present else blank_column(size)
    return columns


def missing_column(size: int, problem: str, what_to_do: str) -> Column:
    return Column("", [None] * size, {position: (problem, what_to_do) for position in range(size)})


def read_answers(frame: pandas.DataFrame, pack: Pack, mapping: ColumnMapping) -> dict[str, Column]:
    """Answer columns in the pack's item order, keyed by item id; the first column wins for an item
    matched twice (mapping_problems reports that)."""
    columns = {}
    items = pack.items_by_id()
    chosen = {}
    for heading, item_id in mapping.items.items():
        if heading in frame.columns and item_id in items and item_id not in chosen:
            chosen[item_id] = heading
    for item in pack.items:
        if item.id in chosen:
            columns[item.id] = read_column(frame, chosen[item.id], answer_reader(item))
    return columns


def row_problems(rows: list[int], columns: list[Column]) -> list[RowProblem]:
    return [
        RowProblem(rows[position], column.heading, problem, what_to_do)
        for column in columns
        for position, (problem, what_to_do) in column.errors.items()
    ]


def dates_out_of_order(rows: list[int], identity: dict[str, Column]) -> list[RowProblem]:
    births, assessed = identity["date_of_birth"], identity["assessed_on"]
    return [
        RowProblem(
            row,
            births.heading,
            f"The date of birth {uk_date(born)} is after the date of assessment {uk_date(done)}",
            "Check both dates; they are read day first.",
        )
        for row, born, done in zip(rows, births.values, assessed.values)
        if born is not None and done is not None and born > done
    ]


def score_rows(rows, identity, answer_columns, pack, bad_rows):
    """ImportRows for the good rows, and (row, earlier row) for rows that repeat an earlier one exactly.
    The kept rows are scored together, column by column (risk.column_scoring)."""
    item_ids = list(answer_columns)
    patterns = zip(*(column.values for column in answer_columns.values())) if item_ids else iter(lambda: (), None)
    seen: dict[tuple, int] = {}
    kept, duplicates = [], []
    fields = [
        identity[field].values
        for field in ("given_name", "family_name", "date_of_birth", "postcode", "assessed_on", "reference")
    ]
    for position, (row, pattern, given, family, born, postcode, done, reference) in enumerate(
        zip(rows, patterns, *fields)
    ):
        if row in bad_rows:
            continue
        key = (given.casefold(), family.casefold(), born, postcode, done, (reference or "").casefold(), pattern)
        if key in seen:
            duplicates.append((row, seen[key]))
            continue
        seen[key] = row
        kept.append((position, row, given, family, born, postcode, done, reference, pattern))
    positions = [position for position, *_ in kept]
    answers = {item_id: [answer_columns[item_id].values[position] for position in positions] for item_id in item_ids}
    results = score_columns(pack, answers, len(kept))
    good = [
        ImportRow(
            row,
            given,
            family,
            born,
            postcode,
            done,
            reference,
            dict(filter(itemgetter(1), zip(item_ids, pattern))),
            result,
        )
        for (_, row, given, family, born, postcode, done, reference, pattern), result in zip(kept, results)
    ]
    return good, duplicates
