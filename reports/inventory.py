"""The data inventory (SECURITY D1): what the service holds, table by table, for a data protection officer to
start a DPIA from. Read from the models' metadata and the retention rules each time it is asked for, never from a
hand-kept list, so a new table or column shows up the day it is added. It describes the data, never a record."""

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from access.retention_rules import CountedFrom, RetentionRule, Then, rules_in_force
from extensions import DATA_CLASSES, db
from reports.inventory_labels import TABLE_WORDS, TableWords

CLASS_LABELS = {
    "special": "Special category",
    "criminal": "Criminal offence",
    "restricted": "Restricted: where she can be found or safely contacted",
    "personal": "Personal",
    "operational": "Operational",
}
CLASS_MEANINGS = {
    "special": "Health, sexual life or orientation, ethnicity, religion, disability, and risk answers about abuse.",
    "criminal": "Offences, police incidents and the history of people causing harm.",
    "restricted": "Safe-contact details and addresses: anything that could lead a person causing harm to her.",
    "personal": "Other details of a person who can be identified: names, dates of birth, e-mail, IP addresses, "
    "notes about people.",
    "operational": "Everything else: identifiers, times, states, links between records, hashes.",
}
UNCLASSED = "Not yet classified"
UNVERIFIED_NOTE = "Unverified default: to be confirmed by your DPO"
COUNTED_FROM_WORDS = {
    CountedFrom.LAST_HEARD: "from when the case was last heard at a MARAC",
    CountedFrom.CLOSED: "from when it was closed",
    CountedFrom.LAST_ACTIVE: "from when it was last used",
    CountedFrom.CREATED: "from when it was made",
}
THEN_WORDS = {
    Then.ANONYMISE: "then anonymised",
    Then.DELETE: "then deleted",
    Then.DISABLE: "then disabled",
    Then.KEEP: "kept",
}
# Column names that do not read well with their underscores made spaces.
COLUMN_WORDS = {
    "id": "Identifier",
    "ip": "IP address",
    "version_id": "Version number",
    "marac_area": "MARAC area",
    "totp_secret": "Second-factor secret",
    "totp_enrolled_at": "Second factor set up at",
    "totp_last_timecode": "Last second-factor code used",
    "prev_hash": "Check value of the event before",
    "row_hash": "Check value of this event (shows any change)",
    "idempotency_key": "Guard against sending twice",
    "change_key": "Guard against saving a change twice",
    "perpetrator_ids": "People causing harm (links)",
    "other_agency_ids": "Other agencies involved (links)",
    "is_demo": "Demo account",
    "object_type": "Kind of record acted on",
    "object_id": "Record acted on (link)",
    "tier_source": "Where the risk level came from",
    "source_kind": "Where the item was held",
    "stage": "How far sign-in has got",
}


@dataclass(frozen=True)
class ClassGroup:
    label: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class RetentionWords:
    label: str
    period: str
    counted_from: str
    then: str
    basis: str
    unverified_note: str | None

    @property
    def sentence(self) -> str:
        """ "6 years from when the case was last heard at a MARAC, then anonymised", or "kept with no end date"."""
        if not self.counted_from:
            return f"{self.then} with no end date" if self.then else self.period
        return f"{self.period} {self.counted_from}, {self.then}"


@dataclass(frozen=True)
class TableEntry:
    label: str
    purpose: str
    who_may_see: str
    groups: tuple[ClassGroup, ...]
    retention: RetentionWords


@dataclass(frozen=True)
class SummaryRow:
    label: str
    meaning: str
    tables: int
    columns: int


@dataclass(frozen=True)
class Inventory:
    tables: tuple[TableEntry, ...]
    summary: tuple[SummaryRow, ...]
    any_unverified: bool


def data_inventory(
    metadata: MetaData | None = None,
    words: dict[str, TableWords] | None = None,
    rules: dict[str, RetentionRule] | None = None,
) -> Inventory:
    """The defaults are the app's own: its models, its table words and the retention rules in force (the
    partnership's file when MARAC_RETENTION_FILE names one)."""
    metadata = metadata if metadata is not None else db.metadata
    words = words if words is not None else TABLE_WORDS
    rules = rules if rules is not None else rules_in_force()
    tables = sorted(metadata.tables.values(), key=lambda table: table_words(table, words).label)
    return Inventory(
        tables=tuple(table_entry(table, table_words(table, words), rules) for table in tables),
        summary=summary(tables),
        any_unverified=any(not rule.verified for rule in rules.values()),
    )


def table_words(table: Table, words: dict[str, TableWords]) -> TableWords:
    """A table no one has described yet is still listed, by its name, so nothing held is left out."""
    return words.get(table.name) or TableWords(humanised(table.name), "Not yet described.", "Not yet described.")


def table_entry(table: Table, words: TableWords, rules: dict[str, RetentionRule]) -> TableEntry:
    return TableEntry(
        label=words.label,
        purpose=words.purpose,
        who_may_see=words.who_may_see,
        groups=class_groups(table),
        retention=retention_words(rules.get(table.info.get("retention"))),
    )


def class_of(column) -> str:
    return column.info.get("class") if column.info.get("class") in DATA_CLASSES else UNCLASSED


def class_groups(table: Table) -> tuple[ClassGroup, ...]:
    """Most protected first; an unclassified column is shown as such rather than left out."""
    order = (*DATA_CLASSES, UNCLASSED)
    groups = []
    for data_class in order:
        columns = tuple(column_label(column.name) for column in table.columns if class_of(column) == data_class)
        if columns:
            groups.append(ClassGroup(CLASS_LABELS.get(data_class, UNCLASSED), columns))
    return tuple(groups)


def summary(tables: list[Table]) -> tuple[SummaryRow, ...]:
    rows = []
    for data_class in DATA_CLASSES:
        counts = [sum(class_of(column) == data_class for column in table.columns) for table in tables]
        rows.append(
            SummaryRow(CLASS_LABELS[data_class], CLASS_MEANINGS[data_class], sum(map(bool, counts)), sum(counts))
        )
    unclassed = [sum(class_of(column) == UNCLASSED for column in table.columns) for table in tables]
    if any(unclassed):
        rows.append(
            SummaryRow(UNCLASSED, "Columns no one has classified yet.", sum(map(bool, unclassed)), sum(unclassed))
        )
    return tuple(rows)


def retention_words(rule: RetentionRule | None) -> RetentionWords:
    if rule is None:
        return RetentionWords("No retention rule", "Not yet set", "", "", "", UNVERIFIED_NOTE)
    return RetentionWords(
        label=rule.label,
        period=period(rule.after_months),
        counted_from=COUNTED_FROM_WORDS[rule.counted_from] if rule.after_months else "",
        then=THEN_WORDS[rule.then],
        basis=rule.basis,
        unverified_note=None if rule.verified else UNVERIFIED_NOTE,
    )


def period(months: int | None) -> str:
    if months is None:
        return "No end date"
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years > 1 else ''}"
    return f"{months} month{'s' if months > 1 else ''}"


def column_label(name: str) -> str:
    if name in COLUMN_WORDS:
        return COLUMN_WORDS[name]
    if name.endswith("_id"):
        return f"{humanised(name[:-3])} (link)"
    return humanised(name)


def humanised(name: str) -> str:
    return name.replace("_", " ").capitalize()
