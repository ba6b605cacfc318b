"""The words case records are kept in: who a party is, where a case and a referral stand, the
coordinator's decision on a near match with an exclusion list, the kinds of incident, and the kinds of
entry in a case's history, with the labels pages show. Shared by models, forms and services."""

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
