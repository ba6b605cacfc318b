from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.models import Agency, User
from cases.models import Referral
from extensions import StrEnumType, UTCDateTime, data_class, db, retention, utcnow
from meetings.vocabulary import (
    ActionChangeKind,
    ActionStatus,
    AgendaSection,
    AttendanceStatus,
    CaseOutcome,
    MeetingKind,
    MeetingStatus,
    RaisedWith,
)


class Meeting(db.Model):
    __tablename__ = "meeting"
    __table_args__ = retention("operational")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    area: Mapped[str] = mapped_column(String(120), info=data_class("operational"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, info=data_class("operational"))
    venue: Mapped[str] = mapped_column(String(200), info=data_class("operational"))
    online: Mapped[bool] = mapped_column(default=False, server_default=false(), info=data_class("operational"))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    capacity: Mapped[int] = mapped_column(default=20, info=data_class("operational"))
    minutes_per_case: Mapped[int] = mapped_column(default=15, info=data_class("operational"))
    status: Mapped[MeetingStatus] = mapped_column(
        StrEnumType(MeetingStatus, 20), default=MeetingStatus.PLANNED, info=data_class("operational")
    )
    kind: Mapped[MeetingKind] = mapped_column(
        StrEnumType(MeetingKind, 20),
        default=MeetingKind.SCHEDULED,
        server_default="scheduled",
        info=data_class("operational"),
    )
    research_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    # When the MARAC list went out and when the approved minutes were distributed: the case's history shows both.
    list_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    distributed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    version_id: Mapped[int] = mapped_column(default=1, server_default="1", info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))

    chair: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "referral_id"), retention("case"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True, info=data_class("operational"))
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True, info=data_class("operational"))
    position: Mapped[int] = mapped_column(info=data_class("operational"))
    section: Mapped[AgendaSection] = mapped_column(StrEnumType(AgendaSection, 20), info=data_class("operational"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, info=data_class("operational"))
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, info=data_class("operational"))
    flags: Mapped[list] = mapped_column(JSON, default=list, info=data_class("special"))
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    """When the case was placed on this meeting's agenda (or moved to it); None for items placed before it was kept."""
    not_heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    """When the meeting ended without hearing the case (it went back to the referral queue); None if heard."""
    # Kept when a case is anonymised (SECURITY D5), before the dates of birth they come from are removed, so
    # that past quarters' data returns do not change: the victim's age band on the meeting day, and how many
    # people causing harm on the case were 17 or under that day (those whose dates of birth were removed).
    victim_age_band: Mapped[str | None] = mapped_column(String(10), info=data_class("personal"))
    young_perpetrators_anonymised: Mapped[int | None] = mapped_column(info=data_class("operational"))

    meeting: Mapped[Meeting] = relationship()
    referral: Mapped[Referral] = relationship()


class Invitation(db.Model):
    """An agency invited to a meeting: its representatives see that meeting's list."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("meeting_id", "agency_id"), retention("operational"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True, info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))

    agency: Mapped[Agency] = relationship()


class ResearchReturn(db.Model):
    """One agency's research on one case before the meeting; requested when the list is issued."""

    __tablename__ = "research_return"
    __table_args__ = (UniqueConstraint("agenda_item_id", "agency_id"), retention("case"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id"), index=True, info=data_class("operational")
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, info=data_class("operational"))
    known: Mapped[bool | None] = mapped_column(info=data_class("personal"))
    involvement: Mapped[str | None] = mapped_column(Text, info=data_class("criminal"))
    risks: Mapped[str | None] = mapped_column(Text, info=data_class("special"))
    open_cases: Mapped[str | None] = mapped_column(Text, info=data_class("criminal"))
    proposed_actions: Mapped[str | None] = mapped_column(Text, info=data_class("personal"))
    not_shareable: Mapped[str | None] = mapped_column(Text, info=data_class("special"))
    not_shareable_reason: Mapped[str | None] = mapped_column(Text, info=data_class("personal"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    version_id: Mapped[int] = mapped_column(default=1, info=data_class("operational"))

    agenda_item: Mapped[AgendaItem] = relationship()
    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class Attendance(db.Model):
    __tablename__ = "attendance"
    __table_args__ = retention("meeting-register")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True, info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    attendee_name: Mapped[str] = mapped_column(String(100), info=data_class("personal"))
    status: Mapped[AttendanceStatus] = mapped_column(StrEnumType(AttendanceStatus, 20), info=data_class("operational"))
    information_sent: Mapped[bool] = mapped_column(default=False, info=data_class("operational"))
    confidentiality_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))

    agency: Mapped[Agency] = relationship()


class CaseMinutes(db.Model):
    """What the meeting recorded for one case. Saved as the chair types; the version column means a
    second editor's stale save is refused and shown back, never silently lost."""

    __tablename__ = "case_minutes"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id"), unique=True, info=data_class("operational")
    )
    victim_views: Mapped[str] = mapped_column(Text, default="", info=data_class("special"))
    information_shared: Mapped[str] = mapped_column(Text, default="", info=data_class("special"))
    risks_to_victim: Mapped[str] = mapped_column(Text, default="", info=data_class("special"))
    risks_to_children: Mapped[str] = mapped_column(Text, default="", info=data_class("special"))
    risks_to_others: Mapped[str] = mapped_column(Text, default="", info=data_class("special"))
    risks_to_professionals: Mapped[str] = mapped_column(Text, default="", info=data_class("special"))
    decisions: Mapped[str] = mapped_column(Text, default="", info=data_class("personal"))
    agency_information: Mapped[dict | None] = mapped_column(JSON, default=dict, info=data_class("special"))
    outcome: Mapped[CaseOutcome | None] = mapped_column(StrEnumType(CaseOutcome, 20), info=data_class("operational"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, info=data_class("operational")
    )
    version_id: Mapped[int] = mapped_column(default=1, info=data_class("operational"))

    agenda_item: Mapped[AgendaItem] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class Action(db.Model):
    __tablename__ = "marac_action"
    __table_args__ = (
        # The partnership-effectiveness counts (actions due in a quarter and done on time, open ones overdue now)
        # are read from these alone: a force holds a quarter of a million actions (issue 20).
        Index("ix_marac_action_due_on", "due_on", "owner_agency_id", "status", "completed_on"),
        Index("ix_marac_action_status_due_on", "status", "due_on", "owner_agency_id"),
        retention("case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id"), index=True, info=data_class("operational")
    )
    description: Mapped[str] = mapped_column(Text, info=data_class("personal"))
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True, info=data_class("operational"))
    owner_name: Mapped[str] = mapped_column(String(100), info=data_class("personal"))
    due_on: Mapped[date] = mapped_column(Date, info=data_class("operational"))
    status: Mapped[ActionStatus] = mapped_column(
        StrEnumType(ActionStatus, 40), default=ActionStatus.OPEN, info=data_class("operational")
    )
    completion_note: Mapped[str | None] = mapped_column(Text, info=data_class("personal"))
    completed_on: Mapped[date | None] = mapped_column(Date, info=data_class("operational"))
    reviewed_at_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), info=data_class("operational"))
    last_reminded_on: Mapped[date | None] = mapped_column(Date, info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.current_timestamp(), info=data_class("operational")
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, info=data_class("operational")
    )
    version_id: Mapped[int] = mapped_column(default=1, info=data_class("operational"))

    owner_agency: Mapped[Agency] = relationship()
    agenda_item: Mapped[AgendaItem] = relationship()
    updates: Mapped[list["ActionUpdate"]] = relationship(
        back_populates="action", order_by="ActionUpdate.updated_at, ActionUpdate.id"
    )

    __mapper_args__ = {"version_id_col": version_id}


class ActionUpdate(db.Model):
    """Each change to an action, as it was made: its status or note, or (kind EDIT) its description,
    owner, named person or due date with the reason given. The action keeps only the latest."""

    __tablename__ = "action_update"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    action_id: Mapped[int] = mapped_column(ForeignKey("marac_action.id"), index=True, info=data_class("operational"))
    status: Mapped[ActionStatus] = mapped_column(StrEnumType(ActionStatus, 40), info=data_class("operational"))
    note: Mapped[str | None] = mapped_column(Text, info=data_class("personal"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    """The agency of the person who made the update."""
    reviewed_at_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), info=data_class("operational"))
    """Set when the update was made in a meeting's review of earlier actions."""
    kind: Mapped[ActionChangeKind] = mapped_column(
        StrEnumType(ActionChangeKind, 20),
        default=ActionChangeKind.STATUS,
        server_default="status",
        info=data_class("operational"),
    )
    changes: Mapped[list | None] = mapped_column(JSON, info=data_class("personal"))
    """For an edit: [{"field": ..., "old": ..., "new": ...}], values as stored (dates ISO, agencies by id)."""
    reason: Mapped[str | None] = mapped_column(Text, info=data_class("personal"))

    action: Mapped[Action] = relationship(back_populates="updates")
    agency: Mapped[Agency] = relationship()
    reviewed_at_meeting: Mapped[Meeting | None] = relationship()


class ActionEscalation(db.Model):
    """An overdue action raised with the coordinators or the meeting's chair. Kept per due date: one
    escalation of each kind a due date, so the daily run does not repeat it, and a new due date missed
    is raised again."""

    __tablename__ = "action_escalation"
    __table_args__ = (UniqueConstraint("action_id", "raised_with", "due_on"), retention("case"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    action_id: Mapped[int] = mapped_column(ForeignKey("marac_action.id"), index=True, info=data_class("operational"))
    raised_with: Mapped[RaisedWith] = mapped_column(StrEnumType(RaisedWith, 20), info=data_class("operational"))
    due_on: Mapped[date] = mapped_column(Date, info=data_class("operational"))
    """The due date that was missed."""
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))


class Transfer(db.Model):
    __tablename__ = "transfer"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    incoming: Mapped[bool] = mapped_column(info=data_class("operational"))
    other_area: Mapped[str] = mapped_column(String(120), info=data_class("personal"))
    transferred_on: Mapped[date] = mapped_column(Date, info=data_class("operational"))
    what_was_sent: Mapped[str] = mapped_column(Text, default="", info=data_class("personal"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))


class ResearchChase(db.Model):
    """A reminder the coordinator sent an agency about its outstanding research for a meeting."""

    __tablename__ = "research_chase"
    __table_args__ = retention("operational")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True, info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    chased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    chased_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))

    agency: Mapped[Agency] = relationship()
    chased_by: Mapped[User] = relationship()
