"""The words meeting records are kept in: a meeting's status and kind, agenda sections, attendance,
actions, a case's outcome and what a transfer carries, with the labels pages show. Shared by
models, forms and services."""

from enum import StrEnum


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    LIST_ISSUED = "list-issued"
    IN_PROGRESS = "in-progress"
    MINUTES_DRAFT = "minutes-draft"
    MINUTES_APPROVED = "minutes-approved"
    DISTRIBUTED = "distributed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return MEETING_STATUS_LABELS[self]


MEETING_STATUS_LABELS = {
    MeetingStatus.PLANNED: "Planned",
    MeetingStatus.LIST_ISSUED: "List issued",
    MeetingStatus.IN_PROGRESS: "In progress",
    MeetingStatus.MINUTES_DRAFT: "Minutes draft",
    MeetingStatus.MINUTES_APPROVED: "Minutes approved",
    MeetingStatus.DISTRIBUTED: "Distributed",
    MeetingStatus.CANCELLED: "Cancelled",
}
# A meeting whose minutes are approved, distributed or not: its record of each case is final.
APPROVED_STATUSES = frozenset({MeetingStatus.MINUTES_APPROVED, MeetingStatus.DISTRIBUTED})


class MeetingKind(StrEnum):
    SCHEDULED = "scheduled"
    EMERGENCY = "emergency"


class AgendaSection(StrEnum):
    CHILDREN = "children"
    ADULT_ONLY = "adult-only"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    OBSERVER = "observer"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    NOT_POSSIBLE = "not-possible-change-of-circumstances"
    NOT_DONE = "not-done"

    @property
    def label(self) -> str:
        return ACTION_STATUS_LABELS[self]


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.DONE: "Done",
    ActionStatus.NOT_POSSIBLE: "Not possible because circumstances changed",
    ActionStatus.NOT_DONE: "Not done",
}


class ActionChangeKind(StrEnum):
    """What one row of an action's history records."""

    STATUS = "status"
    EDIT = "edit"


class RaisedWith(StrEnum):
    """Who an overdue action was raised with, in the order it goes up."""

    OWNER_AGENCY = "owner-agency"
    COORDINATOR = "coordinator"
    CHAIR = "chair"

    @property
    def label(self) -> str:
        return RAISED_WITH_LABELS[self]


RAISED_WITH_LABELS = {
    RaisedWith.OWNER_AGENCY: "the agency that owns it, in the service",
    RaisedWith.COORDINATOR: "the MARAC coordinator",
    RaisedWith.CHAIR: "the chair of the meeting",
}


class CaseOutcome(StrEnum):
    NEW = "new"
    REPEAT = "repeat"
    TRANSFER_IN = "transfer-in"
    TRANSFER_OUT = "transfer-out"


CASE_OUTCOME_LABELS = {
    CaseOutcome.NEW: "New case",
    CaseOutcome.REPEAT: "Repeat",
    CaseOutcome.TRANSFER_IN: "Transfer in",
    CaseOutcome.TRANSFER_OUT: "Transfer out",
}

# The flags the agenda planner (meetings/planner.py) and a move put on an agenda item.
AGENDA_FLAG_LABELS = {
    "very-high-risk": "Very high risk",
    "repeat": "Repeat",
    "children": "Children",
    "transfer-in": "Transfer in",
    "overflowed": "Earlier meeting full",
    "waited-too-long": "Waited too long",
    "moved": "Moved from another meeting",
}

# What a MARAC-to-MARAC transfer can carry, in the order a transfer's record lists it.
SENT_ITEMS = {
    "previous-minutes": "Previous minutes",
    "action-plans": "Action plans",
    "risk-assessments": "Risk assessments",
    "idva-handover": "IDVA handover",
}


class CaseSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    NAME = "name"
    NEXT_MEETING = "next-meeting"


CASE_SORT_LABELS = {
    CaseSort.NEWEST: "Newest first",
    CaseSort.OLDEST: "Oldest first",
    CaseSort.NAME: "Name",
    CaseSort.NEXT_MEETING: "Next meeting, soonest first",
}


class CaseFlag(StrEnum):
    """What the find-a-case page can narrow cases to."""

    REPEAT = "repeat"
    CHILDREN = "children"
    OVERDUE_ACTIONS = "overdue-actions"


CASE_FLAG_LABELS = {
    CaseFlag.REPEAT: "Referred as a repeat",
    CaseFlag.CHILDREN: "Have children in the household",
    CaseFlag.OVERDUE_ACTIONS: "Have overdue actions",
}

# The find-a-case page's choices of meeting, besides each upcoming meeting by its id.
ANY_UPCOMING_MEETING = "any"
NO_UPCOMING_MEETING = "none"


class QueueSort(StrEnum):
    WAITING_LONGEST = "oldest"
    NEWEST = "newest"
    RISK = "risk"


QUEUE_SORT_LABELS = {
    QueueSort.WAITING_LONGEST: "Waiting longest first",
    QueueSort.NEWEST: "Newest first",
    QueueSort.RISK: "Highest risk first",
}
QUEUE_FLAG_LABELS = {"repeat": "Repeat referrals", "children": "With children"}
