"""A case's history, newest first, as one list however many packages hold its parts.

The case page lives in `cases`, but much of the story (the meetings, minutes, actions, transfers and
documents) lives in packages that `cases` may not import. Each package registers its own sources
here when the app starts (app.py imports each package's `case_story` module); a source is a function
`(user, case, scope, records) -> list[Entry]` that reads what it needs in a fixed number of queries (never one
per entry) and returns only what the policy lets that user see. `records` (cases.store.CaseRecords) holds the
case's assessments, judgements, incidents and referrals, read once for the whole page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import url_for

from access import policy
from access.models import User
from access.permissions import can
from access.policy import CaseScope
from cases.models import Case
from cases.store import CaseRecords
from cases.vocabulary import EntryKind

UK_TIME = ZoneInfo("Europe/London")
KIND_ORDER = {kind: position for position, kind in enumerate(EntryKind)}


@dataclass(frozen=True)
class AnswerGiven:
    """One answer of an assessment, shown in the entry's collapsible list of answers."""

    question: str
    answer: str
    comment: str | None = None


@dataclass(frozen=True)
class Entry:
    when: datetime
    """In UTC. For something known only by its day, the start of that day in the UK (see `on_day`)."""
    kind: EntryKind
    title: str
    detail: tuple[str, ...] = ()
    by: str | None = None
    """Who did it, where that helps the reader, as a phrase: "By Sam Patel, Riverside IDVA Service"."""
    link: str | None = None
    """The page the entry is about, when this reader may open it."""
    day_only: bool = False
    answers: tuple[AnswerGiven, ...] = ()


Source = Callable[[User, Case, CaseScope, CaseRecords], list[Entry]]
_sources: list[Source] = []


def register(source: Source) -> Source:
    """Adds a source of entries (usable as a decorator); registering the same one again changes nothing."""
    if source not in _sources:
        _sources.append(source)
    return source


def entries_for(
    user: User,
    case: Case,
    scope: CaseScope,
    kinds: set[EntryKind] | None = None,
    records: CaseRecords | None = None,
) -> list[Entry]:
    """Every entry this user may see, newest first; entries at the same moment in a fixed order. `records`:
    the case's rows as the page has read them already (read here, once, if not given)."""
    if not policy.may_view_case(user, scope):
        return []
    records = records or CaseRecords(case)
    entries = [entry for source in _sources for entry in source(user, case, scope, records)]
    if kinds is not None:
        entries = [entry for entry in entries if entry.kind in kinds]
    return sorted(entries, key=sort_key, reverse=True)


def sort_key(entry: Entry) -> tuple:
    return (entry.when, KIND_ORDER[entry.kind], entry.title, entry.link or "", entry.detail)


def kind_named(value: str | None) -> EntryKind | None:
    """The kind a filter asks for, or None (every kind) for an empty or unknown one."""
    return next((kind for kind in EntryKind if kind.value == value), None)


def start_of_day(day: date) -> datetime:
    """When something known only by its day happened, for ordering: the start of that day in the UK."""
    return datetime.combine(day, time(), UK_TIME).astimezone(UTC)


def link_to(user: User, endpoint: str, **values) -> str | None:
    """The page's address if this user's role may open it; the source asks the policy about the object."""
    return url_for(endpoint, **values) if can(user.role, endpoint) else None


def uk_day(moment: datetime | date) -> str:
    """A day as pages write it: 2 December 2026."""
    day = moment.astimezone(UK_TIME).date() if isinstance(moment, datetime) else moment
    return day.strftime("%-d %B %Y")
