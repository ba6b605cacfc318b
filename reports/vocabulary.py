"""The words subject access requests are kept in (SECURITY D6): who asked, how, what each item found is
and what was decided about it, with the labels pages show. The exemptions a reviewer may rely on, with
their legal source, and the time allowed to answer are data (data/subject_access.json), not code."""

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

SUBJECT_ACCESS_DATA = Path(__file__).parent / "data" / "subject_access.json"


class RequesterKind(StrEnum):
    VICTIM = "victim"
    PERPETRATOR = "perpetrator"
    SOMEONE_ELSE = "someone-else"

    @property
    def label(self) -> str:
        return REQUESTER_KIND_LABELS[self]


REQUESTER_KIND_LABELS = {
    RequesterKind.VICTIM: "The person themselves, as a victim",
    RequesterKind.PERPETRATOR: "The person themselves, as a person causing harm",
    RequesterKind.SOMEONE_ELSE: "Someone else, on the person's behalf",
}


class ReceivedBy(StrEnum):
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in-person"
    PHONE = "phone"
    OTHER = "other"

    @property
    def label(self) -> str:
        return RECEIVED_BY_LABELS[self]


RECEIVED_BY_LABELS = {
    ReceivedBy.EMAIL: "E-mail",
    ReceivedBy.LETTER: "Letter",
    ReceivedBy.IN_PERSON: "In person",
    ReceivedBy.PHONE: "Phone",
    ReceivedBy.OTHER: "Another way",
}


class ItemDecision(StrEnum):
    TO_REVIEW = "to-review"
    DISCLOSED = "disclosed"
    REDACTED = "redacted"
    WITHHELD = "withheld"

    @property
    def label(self) -> str:
        return ITEM_DECISION_LABELS[self]


ITEM_DECISION_LABELS = {
    ItemDecision.TO_REVIEW: "To be reviewed",
    ItemDecision.DISCLOSED: "Disclose",
    ItemDecision.REDACTED: "Disclose with parts redacted",
    ItemDecision.WITHHELD: "Withhold",
}
DECISIONS_NEEDING_AN_EXEMPTION = frozenset({ItemDecision.REDACTED, ItemDecision.WITHHELD})


class SourceKind(StrEnum):
    """Where an item found was held."""

    PERSON = "person"
    ALIAS = "alias"
    PARTY = "party"
    ASSESSMENT = "assessment"
    REFERRAL = "referral"
    INCIDENT = "incident"
    RESEARCH_RETURN = "research-return"
    CASE_MINUTES = "case-minutes"
    ACTION = "action"
    SAFE_CONTACT = "safe-contact"
    CASE_VIEWS = "case-views"
    DOCUMENTS_SENT = "documents-sent"

    @property
    def label(self) -> str:
        return SOURCE_KIND_LABELS[self]


SOURCE_KIND_LABELS = {
    SourceKind.PERSON: "Person record",
    SourceKind.ALIAS: "Other name (alias)",
    SourceKind.PARTY: "Named on the case",
    SourceKind.ASSESSMENT: "Risk assessment and its answers",
    SourceKind.REFERRAL: "Referral to the MARAC",
    SourceKind.INCIDENT: "Incident",
    SourceKind.RESEARCH_RETURN: "Agency research for the meeting",
    SourceKind.CASE_MINUTES: "Case minutes",
    SourceKind.ACTION: "Action agreed at the meeting",
    SourceKind.SAFE_CONTACT: "Safe-contact details",
    SourceKind.CASE_VIEWS: "Who looked at the case, and when",
    SourceKind.DOCUMENTS_SENT: "Documents sent that named the case",
}


class RequestStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {RequestStatus.OPEN: "Open", RequestStatus.CLOSED: "Answered and closed"}[self]


@dataclass(frozen=True)
class Exemption:
    code: str
    label: str
    source: str
    """The law relied on, as cited in the ICO's guidance."""


@dataclass(frozen=True)
class AnswerClock:
    answer_within_months: int
    extension_months: int
    verified: bool
    basis: str


@cache
def _subject_access_data() -> dict:
    return json.loads(SUBJECT_ACCESS_DATA.read_text(encoding="utf-8"))


def exemptions() -> dict[str, Exemption]:
    """Code -> exemption, in the order the file lists them."""
    return {entry["code"]: Exemption(**entry) for entry in _subject_access_data()["exemptions"]}


def exemption_named(code: str) -> Exemption:
    """The exemption a decision relied on; one since taken out of the file is still shown, as such."""
    return exemptions().get(code) or Exemption(code, "An exemption no longer listed", "not known")


def answer_clock() -> AnswerClock:
    return AnswerClock(**_subject_access_data()["clock"])


THIRD_PARTY = "third-party"
