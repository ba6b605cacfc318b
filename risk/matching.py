"""Suggest people who may already be known: the same victim (or perpetrator) referred again.

Agencies spell names differently, swap day and month, send partial dates of birth and use
aliases, so exact look-ups miss repeats. Each comparison adds up points for what agrees and takes
away points for what differs (the EVIDENCE table); the total becomes a score from 0 to 1 on an
S-curve, and every point comes with a reason a coordinator can check. Nothing is ever merged:
find_matches only suggests.
"""

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from itertools import permutations, product


@dataclass(frozen=True)
class PersonRecord:
    """names: the main name first, then known aliases. dates_of_birth: "YYYY-MM-DD", "YYYY-MM" or
    "YYYY" (all known variants). Text that cannot be read is ignored rather than refused."""

    id: str
    names: tuple[str, ...] = ()
    dates_of_birth: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()

    def __post_init__(self):
        for field in ("names", "dates_of_birth", "postcodes"):
            value = getattr(self, field)
            if isinstance(value, str):
                raise TypeError(f"{field} must be a tuple of strings, not one string: ({value!r},)")
            object.__setattr__(self, field, tuple(value))


@dataclass(frozen=True)
class Match:
    person_id: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    points: float
    wording: str


EVIDENCE = {
    "same-name": Rule(9.0, "same name"),
    "same-given-name": Rule(4.0, "same given name"),
    "given-name-spelt-differently": Rule(3.0, "given name spelt differently ({0} / {1})"),
    "given-name-is-a-middle-name": Rule(2.5, "given name matches a middle name ({0} / {1})"),
    "given-name-only-an-initial": Rule(1.5, "given name is only an initial ({0} / {1})"),
    "different-given-name": Rule(-6.0, "different given name ({0} / {1})"),
    "no-given-name": Rule(0.0, "no given name to compare"),
    "same-surname": Rule(5.0, "same surname"),
    "surname-spelt-differently": Rule(3.5, "surname spelt differently ({0} / {1})"),
    "part-of-surname": Rule(3.0, "part of a double-barrelled surname matches ({0} / {1})"),
    "different-surname": Rule(-4.0, "different surname ({0} / {1})"),
    "no-surname": Rule(0.0, "no surname to compare"),
    "names-swapped": Rule(-1.0, "given name and surname swapped"),
    "alias": Rule(0.0, "alias matches ({0} / {1})"),
    "same-name-as-alias": Rule(9.0, "alias matches ({0})"),
    "no-name": Rule(0.0, "no name to compare"),
    "same-date-of-birth": Rule(7.0, "same date of birth"),
    "day-and-month-swapped": Rule(5.5, "day and month swapped in date of birth"),
    "partial-date-fits-month": Rule(4.0, "partial date of birth fits ({0} / {1})"),
    "partial-date-fits-year": Rule(2.5, "partial date of birth fits ({0} / {1})"),
    "date-one-digit-out": Rule(2.0, "date of birth differs by one digit ({0} / {1})"),
    "different-date-of-birth": Rule(-6.0, "different date of birth ({0} / {1})"),
    "no-date-of-birth": Rule(0.0, "no date of birth to compare"),
    "same-postcode": Rule(4.0, "same postcode ({0})"),
    "same-postcode-area": Rule(1.5, "same postcode area ({0})"),
    "different-postcode-area": Rule(-1.0, "different postcode area"),
    "no-postcode": Rule(0.0, "no postcode to compare"),
}
MIDPOINT = 5.0
SPREAD = 3.0
DEFAULT_THRESHOLD = 0.5
SIMILAR_GIVEN_NAME = 0.9
SIMILAR_SURNAME = 0.85


@dataclass(frozen=True)
class Evidence:
    kind: str
    points: float
    reason: str


@lru_cache(maxsize=10_000)  # the same few findings (and the same names in them) come up in search after search
def evidence(kind: str, *details: str) -> Evidence:
    rule = EVIDENCE[kind]
    return Evidence(kind, rule.points, rule.wording.format(*details))


def score_from_points(points: float) -> float:
    """0.5 at MIDPOINT points; each SPREAD points either side moves the score along an S-curve."""
    return round(1 / (1 + math.exp(-(points - MIDPOINT) / SPREAD)), 3)


# Names

LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)
APOSTROPHES = re.compile(r"['’‘`´ʼ]")
NOT_A_LETTER = re.compile(r"[^a-z]+")


def fold_accents(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    unmarked = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unmarked.translate(LETTERS_WITHOUT_DECOMPOSITION)


def name_tokens(text: str) -> tuple[str, ...]:
    """'  O'Brien-SMITH ' -> ('obrien', 'smith'): no case, accents or apostrophes; hyphens, dots and
    extra spaces only separate words."""
    return tuple(NOT_A_LETTER.sub(" ", APOSTROPHES.sub("", fold_accents(text))).split())


@dataclass(frozen=True)
class Name:
    given: tuple[str, ...]
    surname: tuple[str, ...]
    written_given: str
    written_surname: str
    written: str

    @property
    def joined_surname(self) -> str:
        return "".join(self.surname)


def is_written_in_capitals(word: str) -> bool:
    return word.isupper() and sum(char.isalpha() for char in word) > 1


@lru_cache(maxsize=100_000)  # people share their names: a search reads the same few many times over
def parse_name(written: str) -> Name:
    """Given names and surname from "Jane Smith", "SMITH, Jane", "Jane SMITH" or "SMITH Jane" (forms
    put the surname in capitals). Otherwise the last word is the surname."""
    written = " ".join(written.split())
    if "," in written:
        surname, _, given = (part.strip() for part in written.partition(","))
    else:
        words = written.split(" ")
        capitals = [word for word in words if is_written_in_capitals(word)]
        if capitals and len(capitals) < len(words):
            surname = " ".join(capitals)
            given = " ".join(word for word in words if not is_written_in_capitals(word))
        else:
            surname, given = words[-1], " ".join(words[:-1])
    return Name(name_tokens(given), name_tokens(surname), given, surname, written)


def swap_given_and_surname(name: Name) -> Name:
    return Name(name.surname, name.given, name.written_surname, name.written_given, name.written)


@lru_cache(maxsize=100_000)
def jaro_winkler(a: str, b: str) -> float:
    """1.0 for the same word; near 1 when letters are shared in about the same order, with extra
    weight for a shared start (up to four letters)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(0, max(len(a), len(b)) // 2 - 1)
    taken = [False] * len(b)
    a_common = []
    for position, letter in enumerate(a):
        for other in range(max(0, position - window), min(len(b), position + window + 1)):
            if not taken[other] and b[other] == letter:
                taken[other] = True
                a_common.append(letter)
                break
    if not a_common:
        return 0.0
    b_common = [letter for letter, used in zip(b, taken) if used]
    common = len(a_common)
    half_transpositions = sum(x != y for x, y in zip(a_common, b_common)) / 2
    jaro = (common / len(a) + common / len(b) + (common - half_transpositions) / common) / 3
    shared_start = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        shared_start += 1
    return jaro + shared_start * 0.1 * (1 - jaro)


SOUND_GROUPS = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556", "aeiouhwy")


@lru_cache(maxsize=100_000)  # per word: an import's names share their words many times over
def sound_key(word: str) -> str:
    """A rough sound-alike key: the first letter, then consonant groups with repeats collapsed
    ("smith" and "smyth" both give "s53")."""
    if not word:
        return ""
    groups = word[1:].translate(SOUND_GROUPS)
    collapsed = [digit for position, digit in enumerate(groups) if position == 0 or groups[position - 1] != digit]
    return word[0] + "".join(collapsed)


def compare_given_names(a: Name, b: Name) -> Evidence:
    if not a.given or not b.given:
        return evidence("no-given-name")
    first, other = a.given[0], b.given[0]
    details = (a.written_given, b.written_given)
    if len(first) == 1 or len(other) == 1:
        kind = "given-name-only-an-initial" if first[0] == other[0] else "different-given-name"
        return evidence(kind, *details)
    if first == other:
        return evidence("same-given-name")
    if jaro_winkler(first, other) >= SIMILAR_GIVEN_NAME:
        return evidence("given-name-spelt-differently", *details)
    if first in b.given[1:] or other in a.given[1:]:
        return evidence("given-name-is-a-middle-name", *details)
    return evidence("different-given-name", *details)


def compare_surnames(a: Name, b: Name) -> Evidence:
    if not a.surname or not b.surname:
        return evidence("no-surname")
    details = (a.written_surname, b.written_surname)
    if a.joined_surname == b.joined_surname:
        return evidence("same-surname")
    if (len(a.surname) > 1 or len(b.surname) > 1) and set(a.surname) & set(b.surname):
        return evidence("part-of-surname", *details)
    if jaro_winkler(a.joined_surname, b.joined_surname) >= SIMILAR_SURNAME:
        return evidence("surname-spelt-differently", *details)
    return evidence("different-surname", *details)


def compare_name_parts(a: Name, b: Name) -> list[Evidence]:
    given, surname = compare_given_names(a, b), compare_surnames(a, b)
    if (given.kind, surname.kind) == ("same-given-name", "same-surname"):
        return [evidence("same-name")]
    return [given, surname]


def compare_names(a: Name, b: Name) -> list[Evidence]:
    as_written = compare_name_parts(a, b)
    if [found.kind for found in as_written] != ["different-given-name", "different-surname"]:
        return as_written
    swapped = [evidence("names-swapped"), *compare_name_parts(a, swap_given_and_surname(b))]
    return swapped if total(swapped) > total(as_written) else as_written


def total(found: Iterable[Evidence]) -> float:
    return sum(item.points for item in found)


# Dates of birth


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        return self.written

    # Worked out once a date (parse_date remembers the dates it read): a search compares hundreds of them.
    @cached_property
    def written(self) -> str:
        return "-".join(f"{part:02d}" for part in (self.year, self.month, self.day) if part is not None)

    @cached_property
    def digits(self) -> str:
        return self.written.replace("-", "")


ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@lru_cache(maxsize=100_000)
def parse_date(text: str) -> PartialDate | None:
    """Reads "1990-05-01", "1990-05", "1990" or "01/05/1990" (day first); None for anything else,
    including dates that do not exist."""
    text = text.strip()
    if found := ISO_DATE.fullmatch(text):
        year, month, day = (int(part) if part else None for part in found.groups())
    elif found := UK_DATE.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
    else:
        return None
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day)


def is_day_month_swap(a: PartialDate, b: PartialDate) -> bool:
    return a.year == b.year and (a.month, a.day) == (b.day, b.month) and a.day != a.month


def fits_partial_date(a: PartialDate, b: PartialDate) -> bool:
    return all(x is None or y is None or x == y for x, y in ((a.year, b.year), (a.month, b.month), (a.day, b.day)))


def is_complete(value: PartialDate) -> bool:
    return value.day is not None


def compare_dates(a: PartialDate, b: PartialDate) -> Evidence:
    details = (a.written, b.written)
    if is_complete(a) and is_complete(b):
        if a == b:
            return evidence("same-date-of-birth")
        if is_day_month_swap(a, b):
            return evidence("day-and-month-swapped")
        if sum(map(str.__ne__, a.digits, b.digits)) == 1:
            return evidence("date-one-digit-out", *details)
        return evidence("different-date-of-birth", *details)
    if fits_partial_date(a, b):
        both_have_month = a.month is not None and b.month is not None
        return evidence("partial-date-fits-month" if both_have_month else "partial-date-fits-year", *details)
    return evidence("different-date-of-birth", *details)


# Postcodes

FULL_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
OUTWARD_CODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")


def compact_postcode(text: str) -> str:
    return "".join(text.split()).upper()


def normalise_postcode(text: str) -> str | None:
    """Turns "sw1a1aa" into "SW1A 1AA": upper case, one space before the inward code. None unless it
    is a whole UK postcode."""
    found = FULL_POSTCODE.fullmatch(compact_postcode(text))
    return f"{found[1]} {found[2]}" if found else None


def postcode_district(text: str) -> str | None:
    """The outward code ("SW1A" from "SW1A 1AA"), also from an outward code given alone."""
    compact = compact_postcode(text)
    if found := FULL_POSTCODE.fullmatch(compact):
        return found[1]
    return compact if OUTWARD_CODE.fullmatch(compact) else None


# Whole records


@dataclass(frozen=True)
class Prepared:
    """A record read once: parsed names, dates and postcodes, and the keys used to pick whom to
    compare it with."""

    id: str
    names: tuple[Name, ...]
    dates: tuple[PartialDate, ...]
    postcodes: frozenset[str]
    districts: frozenset[str]
    keys: frozenset[tuple[str, object]]


@lru_cache(maxsize=20_000)
def prepare(record: PersonRecord) -> Prepared:
    """Remembered for the last 20,000 records read, so a coordinator's checks against the same
    people do not parse them again. A record is frozen, so its reading cannot go stale."""
    names = tuple(name for name in map(parse_name, record.names) if name.given or name.surname)
    dates = tuple(parsed for text in record.dates_of_birth if (parsed := parse_date(text)))
    postcodes = frozenset(filter(None, map(normalise_postcode, record.postcodes)))
    districts = frozenset(filter(None, map(postcode_district, record.postcodes)))
    words = {word for name in names for word in (*name.given, *name.surname, name.joined_surname) if len(word) > 1}
    keys = (
        {("born", parsed.year) for parsed in dates}
        | {("sounds", sound_key(word)) for word in words}
        | {("district", district) for district in districts}
    )
    return Prepared(record.id, names, dates, postcodes, districts, frozenset(keys))


def name_evidence(a: Prepared, b: Prepared) -> list[Evidence]:
    if not a.names or not b.names:
        return [evidence("no-name")]
    main = compare_names(a.names[0], b.names[0])
    pairs = [(x, y) for x, y in product(a.names, b.names) if (x, y) != (a.names[0], b.names[0])]
    if not pairs:
        return main
    by_alias, (x, y) = max(((compare_names(x, y), (x, y)) for x, y in pairs), key=lambda found: total(found[0]))
    if total(by_alias) <= max(total(main), 0):
        return main
    if by_alias[0].kind == "same-name":
        return [evidence("same-name-as-alias", x.written)]
    return [evidence("alias", x.written, y.written), *by_alias]


def date_evidence(a: Prepared, b: Prepared) -> list[Evidence]:
    if not a.dates or not b.dates:
        return [evidence("no-date-of-birth")]
    if len(a.dates) == len(b.dates) == 1:  # as most people have: no pairs to weigh against each other
        return [compare_dates(a.dates[0], b.dates[0])]
    return [max((compare_dates(x, y) for x, y in product(a.dates, b.dates)), key=lambda found: found.points)]


def postcode_evidence(a: Prepared, b: Prepared) -> list[Evidence]:
    if same := sorted(a.postcodes & b.postcodes):
        return [evidence("same-postcode", same[0])]
    if same := sorted(a.districts & b.districts):
        return [evidence("same-postcode-area", same[0])]
    if a.districts and b.districts:
        return [evidence("different-postcode-area")]
    return [evidence("no-postcode")]


def compare(a: Prepared, b: Prepared) -> list[Evidence]:
    return [*name_evidence(a, b), *date_evidence(a, b), *postcode_evidence(a, b)]


MOST_NAME_POINTS = EVIDENCE["same-name"].points
"""No name evidence adds up to more: the same name (or the same as an alias), or a given name and surname that
agree some other way, which score less; names swapped lose a point besides."""


def compare_if_it_could_match(a: Prepared, b: Prepared, threshold: float) -> list[Evidence] | None:
    """compare(a, b), or None when it could not reach the threshold: the dates of birth and postcodes are compared
    first (they cost little), and when even the same name could not lift them to the threshold the names (which
    cost most) are not compared. A search's candidates often share only a name's sound and a year of birth."""
    dates, postcodes = date_evidence(a, b), postcode_evidence(a, b)
    if score_from_points(total(dates) + total(postcodes) + MOST_NAME_POINTS) < threshold:
        return None
    return [*name_evidence(a, b), *dates, *postcodes]


def find_matches(
    candidate: PersonRecord, existing: Iterable[PersonRecord], threshold: float = DEFAULT_THRESHOLD
) -> list[Match]:
    """People in existing who may be candidate, best first, each with its reasons.

    Only people who share a birth year, a sound-alike name word or a postcode district with the
    candidate are compared (so even threshold 0 leaves the rest out); a record with the
    candidate's own id is skipped. Records are read once and remembered (see prepare), so
    checking many referrals against the same people reads each person only once."""
    wanted = prepare(candidate)
    matches = []
    for record in existing:
        other = prepare(record)
        if other.id == wanted.id or not wanted.keys & other.keys:
            continue
        found = compare_if_it_could_match(wanted, other, threshold)
        if found is None:
            continue
        score = score_from_points(total(found))
        if score >= threshold:
            matches.append(Match(other.id, score, tuple(item.reason for item in found)))
    return sorted(matches, key=lambda match: (-match.score, match.person_id))


# Exclusion lists: is a recipient perhaps someone who must not receive information about a case?


def typing_distance(a: str, b: str) -> int:
    """Letters to add, drop, change or swap with a neighbour to turn one word into the other."""
    previous_row, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[len(b)]


def typos_allowed(a: str, b: str) -> int:
    """None in a word of one or two letters, one in three to five, two in longer words."""
    shorter = min(len(a), len(b))
    return 0 if shorter < 3 else 1 if shorter < 6 else 2


def is_a_typo_away(a: str, b: str) -> bool:
    return jaro_winkler(a, b) >= SIMILAR_SURNAME and typing_distance(a, b) <= typos_allowed(a, b)


def surnames_agree(a: Name, b: Name) -> bool:
    if not a.surname or not b.surname:
        return False
    if a.joined_surname == b.joined_surname or set(a.surname) & set(b.surname):
        return True
    return is_a_typo_away(a.joined_surname, b.joined_surname)


def given_names_agree(a: Name, b: Name) -> bool:
    """With only a surname on one side there is nothing to tell the people apart, so they agree."""
    if not a.given or not b.given:
        return True
    first, other = a.given[0], b.given[0]
    if len(first) == 1 or len(other) == 1:
        return first[0] == other[0]
    return (
        first == other
        or jaro_winkler(first, other) >= SIMILAR_GIVEN_NAME
        or is_a_typo_away(first, other)
        or first in b.given[1:]
        or other in a.given[1:]
    )


def names_agree(a: Name, b: Name) -> bool:
    return surnames_agree(a, b) and given_names_agree(a, b)


def near_match(excluded_name: str, recipient_name: str) -> bool:
    """True when the names could be the same person: the same letters however spaced, cased or
    accented; given name and surname swapped; a typo or two; an initial for the given name; a
    middle name used as the given name. A different surname never matches. Nicknames (Bob for
    Robert) are not known, so the coordinator's own reading of the list still matters."""
    a, b = parse_name(excluded_name), parse_name(recipient_name)
    a_letters, b_letters = "".join((*a.given, *a.surname)), "".join((*b.given, *b.surname))
    if not a_letters or not b_letters:
        return False
    if a_letters == b_letters or a_letters == "".join((*b.surname, *b.given)):
        return True
    return names_agree(a, b) or names_agree(swap_given_and_surname(a), b) or names_agree(a, swap_given_and_surname(b))


# Blocking keys: whom a search compares with, found through an index rather than by reading everyone.
#
# Each stored person has a few short keys; a search looks up the keys a match could share with it and
# compares only the people found. A key pairs something slips rarely change (the surname's sound, the
# year of birth, the given name's sound) with enough else to stay small among a million people. Between
# them the keys cover the slips find_matches forgives (tests/risk/test_matching.py measures the recall, and checks
# generated slips). Sounds begin C and Q as K, Ph as F; every given name makes keys, not only the first (a woman
# may go by her middle name); a search also reads its words with the first two letters swapped back:
#   j|surname sound|initial|year           the surname, initial and year of birth: a date swapped or partial, the
#                                          given name misspelt or only an initial
#   m|surname sound|initial|day and month  the same with the year one digit out
#   e|date|initial                         the whole date of birth (day and month in order of size, so a swap
#                                          shares it) and initial: a misspelt, married or missing surname
#   f|given sound|surname's first letter|year   a misspelt surname with a partial date
#   k|initial|surname's first letter|year  the same for a search giving only an initial
#   w|initial|surname's first letter|day and month   a misspelt surname with the year one digit out
#   b|initial|year|postcode                the initial and year at the same postcode: a misspelt surname where an
#                                          initial is all there is
#   a|surname sound|postcode               the surname and postcode: the date of birth or given name wrong but the
#                                          home the same
#   g|initial|postcode                     the initial and postcode: the surname misspelt but the home the same
#   x|surname sound|initial                the name of someone whose date of birth is not known
#   i|surname sound|initial                the name, for a search with no date of birth
#   s|surname sound                        the surname alone, for a search with no given name
#   t|surname spelling|initial             the surname and each spelling of it with one letter dropped (so a typo
#                                          that changes its sound still shares one), for a search with no date
#   v|surname spelling|initial             the same for someone whose date of birth is not known
# and, for a subject access search (exact names, dates and postcodes, in any order of the name's words):
#   n|surname sound|given sound, d|date, p|postcode district


@dataclass(frozen=True)
class NameKeyParts:
    surnames: frozenset[str]
    given: str
    initial: str
    only_initial: bool
    spellings: frozenset[str] = frozenset()


KEY_SOUND_LENGTH = 10  # keeps every key short; longer sounds are rare enough to share one
SAME_SOUNDING_STARTS = (("ph", "f"), ("c", "k"), ("q", "k"))


def same_sounding_start(word: str) -> str:
    """Catherine and Katherine, Philippa and Filippa begin alike in keys (find_matches forgives a long name
    spelt with another first letter, but sound_key keeps the first letter)."""
    for start, instead in SAME_SOUNDING_STARTS:
        if word.startswith(start):
            return instead + word[len(start) :]
    return word


@lru_cache(maxsize=100_000)
def key_sound(word: str) -> str:
    return sound_key(same_sounding_start(word))[:KEY_SOUND_LENGTH]


EVERY_INITIAL = frozenset({"", *"abdefghijklmnoprstuvwxyz"})  # c and q begin keys as k


def first_two_letters_swapped(word: str) -> str:
    return word[1:2] + word[:1] + word[2:]


def plain_sound(word: str) -> str:
    return sound_key(word)[:KEY_SOUND_LENGTH]


def typed_readings(word: str) -> set[str]:
    """How a searched word may have been meant: as written, and with its first two letters swapped back ("mSith",
    "aKtherine"), the one typo that changes a word's sound from its first letter."""
    return {word, first_two_letters_swapped(word)} if len(word) > 2 else {word}


def name_key_parts(name: Name, searched: bool = False) -> list[NameKeyParts]:
    """The sounds a name is blocked by: the whole surname's, and each part of a double-barrelled one; each given
    name in turn (the one a woman goes by may be her middle name). The initial is the letter written ("P." for
    Philippa), C and Q as K, and for Ph also F (Filippa). A searched name is also read in the ways a typo changes
    its sound, and with its sound as written (a typo may have undone a Ph)."""
    readings = typed_readings if searched else lambda word: {word}
    sounds = (key_sound, plain_sound) if searched else (key_sound,)
    words = {name.joined_surname, *name.surname} if len(name.surname) > 1 else {name.joined_surname}
    surnames = frozenset(sound(typed) for word in words if word for typed in readings(word) for sound in sounds)
    givens = {
        (sound(typed), initial)
        for given in name.given or ("",)
        for typed in readings(given)
        for sound in sounds
        for initial in {same_sounding_start(typed[:1]), same_sounding_start(typed)[:1]}
    }
    spellings = frozenset(spelling for word in words for spelling in one_letter_dropped(word))
    return [NameKeyParts(surnames, given, initial, len(given) == 1, spellings) for given, initial in sorted(givens)]


SPELLING_LENGTH = 20


def one_letter_dropped(word: str) -> set[str]:
    """The word and each way of dropping one letter from it: two spellings a typo apart (a letter wrong, added,
    dropped or two swapped) share one of these, whatever the typo does to the word's sound."""
    return {word[:SPELLING_LENGTH]} | {(word[:at] + word[at + 1 :])[:SPELLING_LENGTH] for at in range(len(word))}


def day_and_month(day: PartialDate) -> str:
    low, high = sorted((day.month, day.day))
    return f"{low:02d}-{high:02d}"


def swap_tolerant(day: PartialDate) -> str:
    low, high = sorted((day.month, day.day))
    return f"{day.year}-{low:02d}-{high:02d}"


def date_key(day: date) -> str:
    return f"d|{swap_tolerant(PartialDate(day.year, day.month, day.day))}"


POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")


def postcodes_in(text: str) -> list[str]:
    """Whole postcodes written anywhere in a piece of text, such as an address."""
    return [f"{outward} {inward}" for outward, inward in POSTCODE_IN_TEXT.findall(" ".join(text.upper().split()))]


def district_key(postcode: str) -> str | None:
    district = postcode_district(postcode)
    return f"p|{district}" if district else None


def exact_name_keys(text: str) -> set[str]:
    """The keys of everyone whose name has exactly these words, in whatever order: each word as the surname
    with each other word as the given name (a single word is a surname alone)."""
    words = name_tokens(text)
    if len(words) == 1:
        return {f"s|{key_sound(words[0])}"}
    sounds = [key_sound(word) for word in words]
    return {f"n|{surname}|{given}" for surname, given in permutations(sounds, 2)}


def blocking_keys(record: PersonRecord) -> set[str]:
    """The keys stored for a person."""
    found = prepare(record)
    years = {day.year for day in found.dates}
    dates = {swap_tolerant(day) for day in found.dates if is_complete(day)}
    days = {day_and_month(day) for day in found.dates if is_complete(day)}
    keys = {f"d|{day}" for day in dates} | {f"p|{district}" for district in found.districts}
    readings = [*found.names, *(swap_given_and_surname(name) for name in found.names if len(name.joined_surname) == 1)]
    for name in (parts for reading in readings for parts in name_key_parts(reading)):
        keys |= {f"e|{day}|{name.initial}" for day in dates}
        keys |= {f"b|{name.initial}|{year}|{postcode}" for year in years for postcode in found.postcodes}
        keys |= {f"g|{name.initial}|{postcode}" for postcode in found.postcodes}
        if name.initial:
            keys |= {f"f|{name.given}|{surname[:1]}|{year}" for surname in name.surnames for year in years}
            keys |= {f"k|{name.initial}|{surname[:1]}|{year}" for surname in name.surnames for year in years}
            keys |= {f"w|{name.initial}|{surname[:1]}|{day}" for surname in name.surnames for day in days}
        for surname in name.surnames:
            keys |= {f"n|{surname}|{name.given}", f"i|{surname}|{name.initial}", f"s|{surname}"}
            keys |= {f"j|{surname}|{name.initial}|{year}" for year in years}
            keys |= {f"m|{surname}|{name.initial}|{day}" for day in days}
            keys |= {f"a|{surname}|{postcode}" for postcode in found.postcodes}
            if not years:
                keys.add(f"x|{surname}|{name.initial}")
        born = "t" if years else "v"
        keys |= {f"{born}|{spelling}|{name.initial}" for spelling in name.spellings}
    return keys


def search_keys(record: PersonRecord) -> set[str]:
    """The keys to look up for someone searched for: those a person find_matches may suggest shares with
    them. With a date of birth, the name-only keys (large for a common name) give way to the name with the
    year or postcode, and to the name of people whose date of birth is not known."""
    found = prepare(record)
    years = {day.year for day in found.dates}
    dates = {swap_tolerant(day) for day in found.dates if is_complete(day)}
    days = {day_and_month(day) for day in found.dates if is_complete(day)}
    keys = set()
    names = [*found.names, *map(swap_given_and_surname, found.names)]
    for name in (parts for reading in names for parts in name_key_parts(reading, searched=True)):
        # "": people known by surname alone; a search with no given name may be anyone's (keys always hold more).
        initials = {name.initial, ""} if name.initial else EVERY_INITIAL
        keys |= {f"e|{day}|{initial}" for day in dates for initial in initials}
        keys |= {
            f"b|{initial}|{year}|{postcode}" for initial in initials for year in years for postcode in found.postcodes
        }
        keys |= {f"g|{initial}|{postcode}" for initial in initials for postcode in found.postcodes}
        if name.initial:
            keys |= {f"w|{name.initial}|{surname[:1]}|{day}" for surname in name.surnames for day in days}
        if name.only_initial:
            keys |= {f"k|{name.initial}|{surname[:1]}|{year}" for surname in name.surnames for year in years}
        elif name.initial:  # the given name's sound, and its initial: stored people known by an initial
            keys |= {
                f"f|{given}|{surname[:1]}|{year}"
                for given in (name.given, name.initial)
                for surname in name.surnames
                for year in years
            }
        for surname in name.surnames:
            if not name.initial:
                keys.add(f"s|{surname}")
            elif years:
                keys |= {f"j|{surname}|{initial}|{year}" for initial in initials for year in years}
                keys |= {f"x|{surname}|{initial}" for initial in initials}
                keys |= {f"m|{surname}|{initial}|{day}" for initial in initials for day in days}
            else:  # the initial, not the given name's sound: "Jane" also finds "Janet" and "J."
                keys |= {f"i|{surname}|{name.initial}", f"n|{surname}|"}
            keys |= {f"a|{surname}|{postcode}" for postcode in found.postcodes}
        if name.initial:  # the surname's spellings: a typo that changes its sound, when no year narrows the search
            keys |= {f"v|{spelling}|{initial}" for spelling in name.spellings for initial in initials}
            if not years:
                keys |= {f"t|{spelling}|{initial}" for spelling in name.spellings for initial in initials}
    return keys
