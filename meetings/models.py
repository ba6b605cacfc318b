from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.models import Agency, User
from cases.models import Referral
from extensions import StrEnumType, UTCDateTime, db, utcnow
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

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    venue: Mapped[str] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(default=False, server_default=false())
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    capacity: Mapped[int] = mapped_column(default=20)
    minutes_per_case: Mapped[int] = mapped_column(default=15)
    status: Mapped[MeetingStatus] = mapped_column(StrEnumType(MeetingStatus, 20), default=MeetingStatus.PLANNED)
    kind: Mapped[MeetingKind] = mapped_column(
        StrEnumType(MeetingKind, 20), default=MeetingKind.SCHEDULED, server_default="scheduled"
    )
    research_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the MARAC list went out and when the approved minutes were distributed: the case's history shows both.
    list_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    distributed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    chair: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "referral_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referral.id"), index=True)
    position: Mapped[int]
    section: Mapped[AgendaSection] = mapped_column(StrEnumType(AgendaSection, 20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the case was placed on this meeting's agenda (or moved to it); None for items placed before it was kept."""
    not_heard_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the meeting ended without hearing the case (it went back to the referral queue); None if heard."""
    # Kept when a case is anonymised (SECURITY D5), before the dates of birth they come from are removed, so
    # that past quarters' data returns do not change: the victim's age band on the meeting day, and how many
    # people causing harm on the case were 17 or under that day (those whose dates of birth were removed).
    victim_age_band: Mapped[str | None] = mapped_column(String(10))
    young_perpetrators_anonymised: Mapped[int | None]

    meeting: Mapped[Meeting] = relationship()
    referral: Mapped[Referral] = relationship()


class Invitation(db.Model):
    """An agency invited to a meeting: its representatives see that meeting's list."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("meeting_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))

    agency: Mapped[Agency] = relationship()


class ResearchReturn(db.Model):
    """One agency's research on one case before the meeting; requested when the list is issued."""

    __tablename__ = "research_return"
    __table_args__ = (UniqueConstraint("agenda_item_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    known: Mapped[bool | None]
    involvement: Mapped[str | None] = mapped_column(Text)
    risks: Mapped[str | None] = mapped_column(Text)
    open_cases: Mapped[str | None] = mapped_column(Text)
    proposed_actions: Mapped[str | None] = mapped_column(Text)
    not_shareable: Mapped[str | None] = mapped_column(Text)
    not_shareable_reason: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version_id: Mapped[int] = mapped_column(default=1)

    agenda_item: Mapped[AgendaItem] = relationship()
    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class Attendance(db.Model):
    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    attendee_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[AttendanceStatus] = mapped_column(StrEnumType(AttendanceStatus, 20))
    information_sent: Mapped[bool] = mapped_column(default=False)
    confidentiality_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship()


class CaseMinutes(db.Model):
    """What the meeting recorded for one case. Saved as the chair types; the version column means a
    second editor's stale save is refused and shown back, never silently lost."""

    __tablename__ = "case_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), unique=True)
    victim_views: Mapped[str] = mapped_column(Text, default="")
    information_shared: Mapped[str] = mapped_column(Text, default="")
    risks_to_victim: Mapped[str] = mapped_column(Text, default="")
    risks_to_children: Mapped[str] = mapped_column(Text, default="")
    risks_to_others: Mapped[str] = mapped_column(Text, default="")
    risks_to_professionals: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    agency_information: Mapped[dict | None] = mapped_column(JSON, default=dict)
    outcome: Mapped[CaseOutcome | None] = mapped_column(StrEnumType(CaseOutcome, 20))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    agenda_item: Mapped[AgendaItem] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class Action(db.Model):
    __tablename__ = "marac_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(100))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ActionStatus] = mapped_column(StrEnumType(ActionStatus, 40), default=ActionStatus.OPEN)
    completion_note: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)
    reviewed_at_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    last_reminded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.current_timestamp())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

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

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("marac_action.id"), index=True)
    status: Mapped[ActionStatus] = mapped_column(StrEnumType(ActionStatus, 40))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    """The agency of the person who made the update."""
    reviewed_at_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    """Set when the update was made in a meeting's review of earlier actions."""
    kind: Mapped[ActionChangeKind] = mapped_column(
        StrEnumType(ActionChangeKind, 20), default=ActionChangeKind.STATUS, server_default="status"
    )
    changes: Mapped[list | None] = mapped_column(JSON)
    """For an edit: [{"field": ..., "old": ..., "new": ...}], values as stored (dates ISO, agencies by id)."""
    reason: Mapped[str | None] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="updates")
    agency: Mapped[Agency] = relationship()
    reviewed_at_meeting: Mapped[Meeting | None] = relationship()


class ActionEscalation(db.Model):
    """An overdue action raised with the coordinators or the meeting's chair. Kept per due date: one
    escalation of each kind a due date, so the daily run does not repeat it, and a new due date missed
    is raised again."""

    __tablename__ = "action_escalation"
    __table_args__ = (UniqueConstraint("action_id", "raised_with", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("marac_action.id"), index=True)
    raised_with: Mapped[RaisedWith] = mapped_column(StrEnumType(RaisedWith, 20))
    due_on: Mapped[date] = mapped_column(Date)
    """The due date that was missed."""
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Transfer(db.Model):
    __tablename__ = "transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True)
    incoming: Mapped[bool]
    other_area: Mapped[str] = mapped_column(String(120))
    transferred_on: Mapped[date] = mapped_column(Date)
    what_was_sent: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class ResearchChase(db.Model):
    """A reminder the coordinator sent an agency about its outstanding research for a meeting."""

    __tablename__ = "research_chase"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    chased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chased_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    agency: Mapped[Agency] = relationship()
    chased_by: Mapped[User] = relationship()
