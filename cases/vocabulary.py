"""The words case records are kept in: who a party is, where a case and a referral stand, the
coordinator's decision on a near match with an exclusion list, the kinds of incident, the kinds of
entry in a case's history, and how a case reference is written, with the labels pages show. Shared by
models, forms and services."""

import re
from enum import StrEnum


class PartyRole(StrEnum):
    PERPETRATOR = "perpetrator"
    CHILD = "child"
    HOUSEHOLD_MEMBER = "household-member"


PARTY_ROLE_LABELS = {
    PartyRole.PERPETRATOR: "Person causing harm",
    PartyRole.CHILD: "Child",
    PartyRole.HOUSEHOLD_MEMBER: "Other adult in the household",
}


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ReferralState(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    HEARD = "heard"
    CLOSED = "closed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"


class ClearanceDecision(StrEnum):
    RELEASE = "release"
    WITHHOLD = "withhold"


INCIDENT_TYPE_LABELS = {
    "violence": "Physical violence",
    "threats": "Threats",
    "stalking-harassment": "Stalking or harassment",
    "sexual-abuse": "Sexual abuse",
    "property-damage": "Damage to property",
    "unwanted-contact": "Unwanted contact, direct or through others",
    "breach-of-order": "Breach of bail or an order",
    "coercive-control": "Controlling or coercive behaviour",
    "other": "Other abuse",
}


class EntryKind(StrEnum):
    """What an entry in a case's history is about, in the order a case's story usually runs."""

    ASSESSMENT = "assessment"
    JUDGEMENT = "judgement"
    INCIDENT = "incident"
    REFERRAL = "referral"
    MEETING = "meeting"
    MINUTES = "minutes"
    ACTION = "action"
    TRANSFER = "transfer"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        return ENTRY_KIND_LABELS[self]


ENTRY_KIND_LABELS = {
    EntryKind.ASSESSMENT: "Risk assessment",
    EntryKind.JUDGEMENT: "Professional judgement",
    EntryKind.INCIDENT: "Incident",
    EntryKind.REFERRAL: "Referral",
    EntryKind.MEETING: "MARAC meeting",
    EntryKind.MINUTES: "Minutes",
    EntryKind.ACTION: "Action",
    EntryKind.TRANSFER: "Transfer",
    EntryKind.DOCUMENT: "Documents",
}


NOT_REFERRED = "not-referred"
# Where a case's latest referral stands, in the words people use for it.
REFERRAL_STATE_LABELS = {
    NOT_REFERRED: "Not referred",
    ReferralState.RECEIVED: "Waiting for the coordinator",
    ReferralState.ACCEPTED: "Accepted, waiting for a meeting",
    ReferralState.SCHEDULED: "On a meeting's agenda",
    ReferralState.HEARD: "Heard at the MARAC",
    ReferralState.CLOSED: "Heard, case closed",
    ReferralState.DECLINED: "Declined",
    ReferralState.WITHDRAWN: "Withdrawn",
    ReferralState.TRANSFERRED: "Transferred to another MARAC",
}


# Case references: PREFIX-YEAR-NUMBER, like RIV-2026-0142, short enough to read out over the phone. The
# number counts the cases opened that year, zero-padded to four digits and longer past 9999. People
# type one back in many ways ("riv 2026 142", "RIV20260142"); normalise_reference reads them all.
TYPED_REFERENCE = re.compile(r"([A-Z]{2,5})[\s\-/]*(\d{4})[\s\-/]*(\d{1,9})")


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:04d}"


def normalise_reference(text: str) -> str | None:
    """The reference typed, as it is stored; None if the text is not shaped like one."""
    found = TYPED_REFERENCE.fullmatch(text.strip().upper())
    if found is None:
        return None
    prefix, year, number = found.groups()
    return format_reference(prefix, int(year), int(number))
