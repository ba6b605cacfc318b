"""The words case records are kept in: who a party is, where a case and a referral stand, the
coordinator's decision on a near match with an exclusion list, and how a case reference is written.
Shared by models, forms and services."""

import re
from enum import StrEnum


class PartyRole(StrEnum):
    PERPETRATOR = "perpetrator"
    CHILD = "child"


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
