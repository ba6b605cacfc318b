"""The one table of plain words that pages and PDFs show for the codes records are kept in.

The words stay beside their codes (the vocabulary modules, the risk core); LABELS gathers them, so
that a code has one label wherever it is shown, and `label` turns any code, tier or tool id into
words. Codes stay codes in JSON, CSV and the command line: those are contracts, not pages."""

from collections.abc import Mapping
from types import MappingProxyType

from access.audit_labels import AUDIT_ACTION_LABELS
from access.vocabulary import AGENCY_KIND_LABELS, ALERT_LABELS, ROLE_LABELS
from cases.vocabulary import PARTY_ROLE_LABELS, REFERRAL_STATE_LABELS
from meetings.vocabulary import (
    ACTION_STATUS_LABELS,
    AGENDA_FLAG_LABELS,
    CASE_OUTCOME_LABELS,
    MEETING_STATUS_LABELS,
    SENT_ITEMS,
)
from risk.criteria import CRITERION_LABELS, NO_EVIDENCE, ROUTE_LABELS
from risk.instruments import load_all_packs
from risk.schema import Tier

ASSESSMENT_SOURCE = "assessment:"


def one_table(*tables: Mapping) -> Mapping[str, str]:
    """The tables as one, keyed by the code's text; a code given two different labels is a mistake."""
    merged: dict[str, str] = {}
    for table in tables:
        for code, words in table.items():
            if merged.setdefault(str(code), words) != words:
                raise ValueError(f"The code {str(code)!r} has two labels: {merged[str(code)]!r} and {words!r}.")
    return MappingProxyType(merged)


LABELS = one_table(
    AGENCY_KIND_LABELS,
    ROLE_LABELS,
    ALERT_LABELS,
    CRITERION_LABELS,
    ROUTE_LABELS,
    {NO_EVIDENCE: "No assessment or judgement yet"},
    MEETING_STATUS_LABELS,
    ACTION_STATUS_LABELS,
    CASE_OUTCOME_LABELS,
    AGENDA_FLAG_LABELS,
    SENT_ITEMS,
    PARTY_ROLE_LABELS,
    REFERRAL_STATE_LABELS,
    AUDIT_ACTION_LABELS,
)


def label(code) -> str:
    """A code in words: a tier by its name, a tool id (or the tier source "assessment:<tool id>") by the
    tool's name. A code missing from the table is still shown as words, never as itself."""
    if isinstance(code, int):
        return Tier(code).label
    text = str(code)
    if text in LABELS:
        return LABELS[text]
    pack = load_all_packs().get(text.removeprefix(ASSESSMENT_SOURCE))
    if pack:
        return pack.name
    return text.replace("-", " ").replace("_", " ").capitalize()


def labels(codes) -> tuple[str, ...]:
    return tuple(label(code) for code in codes)


def in_sentence(words: str) -> str:
    """Words for the middle of a sentence: "Issue the MARAC list" → "issue the MARAC list"; an acronym
    or a name with capitals inside ("MARAC coordinator", "SafeLives DASH") keeps its first letter."""
    first = words.split(" ", 1)[0]
    if first[1:] != first[1:].lower():
        return words
    return words[:1].lower() + words[1:]
