"""How long each kind of record is kept, and what happens then (SECURITY D5).

The rules are data, not code: a partnership's data protection officer sets them, so none is hard-coded.
The shipped defaults are all marked unverified and every page that shows one says so. Each table names
its kind in `__table__.info["retention"]`; the inventory and the retention run read the rules from here.
"""

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from dateutil.relativedelta import relativedelta
from flask import current_app

DEFAULT_RULES_FILE = Path(__file__).parent / "data" / "retention.json"


class CountedFrom(StrEnum):
    LAST_HEARD = "last-heard"
    CLOSED = "closed"
    LAST_ACTIVE = "last-active"
    CREATED = "created"


class Then(StrEnum):
    ANONYMISE = "anonymise"
    DELETE = "delete"
    DISABLE = "disable"
    KEEP = "keep"


# How pages say what happens to a record and when (pages never show the codes).
THEN_WORDS = {Then.ANONYMISE: "Anonymised", Then.DELETE: "Deleted", Then.DISABLE: "Disabled", Then.KEEP: "Kept"}
COUNTED_FROM_WORDS = {
    CountedFrom.LAST_HEARD: "after the case was last heard at a MARAC, or last referred or assessed if later",
    CountedFrom.CLOSED: "after it was closed",
    CountedFrom.LAST_ACTIVE: "after it was last used",
    CountedFrom.CREATED: "after it was made",
}


def period_in_words(months: int) -> str:
    years, rest = divmod(months, 12)
    if rest == 0:
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{months} month{'s' if months != 1 else ''}"


@dataclass(frozen=True)
class RetentionRule:
    kind: str
    label: str
    holds: str
    counted_from: CountedFrom
    after_months: int | None
    then: Then
    verified: bool
    basis: str

    @property
    def in_words(self) -> str:
        """Like "Anonymised 6 years after the case was last heard at a MARAC", or "Kept"."""
        if self.after_months is None:
            return THEN_WORDS[self.then]
        return f"{THEN_WORDS[self.then]} {period_in_words(self.after_months)} {COUNTED_FROM_WORDS[self.counted_from]}"


def months_after(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier, if negative); the month's last day where it is shorter."""
    return day + relativedelta(months=months)


class RetentionRulesError(ValueError):
    pass


def load_rules(path: Path | str | None = None) -> dict[str, RetentionRule]:
    """The rules by kind; a file with a missing field, an unknown value or a kept-forever rule that
    still names a period is refused, naming the rule, so a typing mistake never deletes early."""
    try:
        document = json.loads(Path(path or DEFAULT_RULES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RetentionRulesError(f"The retention rules file cannot be read: {error}") from error
    rules = {}
    for entry in document.get("rules", []) if isinstance(document, dict) else []:
        rule = _rule_from(entry)
        if rule.kind in rules:
            raise RetentionRulesError(f"Retention rule {rule.kind!r} is given twice")
        rules[rule.kind] = rule
    return rules


def rules_in_force() -> dict[str, RetentionRule]:
    """The rules from the file the settings name (RETENTION_RULES_FILE, env MARAC_RETENTION_FILE), read once
    per app (every case page shows its retention date): a changed file takes effect when the app restarts."""
    if "retention_rules" not in current_app.extensions:
        current_app.extensions["retention_rules"] = load_rules(current_app.config["RETENTION_RULES_FILE"])
    return current_app.extensions["retention_rules"]


def _rule_from(entry: dict) -> RetentionRule:
    kind = entry.get("kind", "?")
    try:
        rule = RetentionRule(
            kind=entry["kind"],
            label=entry["label"],
            holds=entry["holds"],
            counted_from=CountedFrom(entry["counted_from"]),
            after_months=entry["after_months"],
            then=Then(entry["then"]),
            verified=bool(entry["verified"]),
            basis=entry["basis"],
        )
    except (KeyError, ValueError) as error:
        raise RetentionRulesError(f"Retention rule {kind!r}: {error}") from error
    keeps_forever = rule.then is Then.KEEP
    if keeps_forever != (rule.after_months is None):
        raise RetentionRulesError(f"Retention rule {kind!r}: give a number of months unless it is kept")
    if rule.after_months is not None and (not isinstance(rule.after_months, int) or rule.after_months < 1):
        raise RetentionRulesError(f"Retention rule {kind!r}: months must be a whole number of at least 1")
    return rule
