"""The words case records are kept in: who a party is, where a case and a referral stand, and the
coordinator's decision on a near match with an exclusion list. Shared by models, forms and services."""

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
