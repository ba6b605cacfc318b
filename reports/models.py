"""Subject access requests (SECURITY D6): who asked for what is held about them, what was found, and what
was decided about each item. Each item keeps a sealed copy of what it said when it was found, so what is
disclosed is exactly what the reviewer decided on, even if the record changes afterwards."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from access.field_crypto import EncryptedText
from access.models import User
from extensions import StrEnumType, UTCDateTime, data_class, db, retention, utcnow
from reports.vocabulary import ItemDecision, ReceivedBy, RequesterKind, RequestStatus, SourceKind

KEPT_AS_SUBJECT_ACCESS = {"retention": "subject-access"}


class SubjectAccessRequest(db.Model):
    __tablename__ = "subject_access_request"
    __table_args__ = {"info": KEPT_AS_SUBJECT_ACCESS}

    id: Mapped[int] = mapped_column(primary_key=True, info={"class": "operational"})
    requester_kind: Mapped[RequesterKind] = mapped_column(StrEnumType(RequesterKind, 20), info={"class": "criminal"})
    """Asking as a person causing harm says they are alleged to have offended."""
    requester_name: Mapped[str] = mapped_column(String(200), info={"class": "personal"})
    received_by: Mapped[ReceivedBy] = mapped_column(StrEnumType(ReceivedBy, 20), info={"class": "operational"})
    received_on: Mapped[date] = mapped_column(Date, info={"class": "operational"})
    # What to look for: each a list of what the requester gave (names and aliases, dates of birth as
    # ISO dates, postcodes).
    search_names: Mapped[list] = mapped_column(JSON, default=list, info={"class": "personal"})
    search_dates_of_birth: Mapped[list] = mapped_column(JSON, default=list, info={"class": "personal"})
    search_postcodes: Mapped[list] = mapped_column(JSON, default=list, info={"class": "restricted"})
    people_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"class": "operational"})
    """When the coordinator said which of the people found are the requester, and the items were gathered."""
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"class": "operational"})
    extension_reason: Mapped[str | None] = mapped_column(Text, info={"class": "personal"})
    status: Mapped[RequestStatus] = mapped_column(
        StrEnumType(RequestStatus, 20), default=RequestStatus.OPEN, info={"class": "operational"}
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"class": "operational"})
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info={"class": "operational"})
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"class": "operational"})

    recorded_by: Mapped[User] = relationship()
    items: Mapped[list["SubjectAccessItem"]] = relationship(
        back_populates="request", order_by="SubjectAccessItem.id", cascade="all, delete-orphan"
    )

    @property
    def search_birthdays(self) -> list[date]:
        """The dates of birth searched by, as dates to show in words (they are kept as ISO dates)."""
        return [date.fromisoformat(day) for day in self.search_dates_of_birth]


class SubjectAccessItem(db.Model):
    """One record found for a request: where it is held, what it said, and the decision on it."""

    __tablename__ = "subject_access_item"
    __table_args__ = {"info": KEPT_AS_SUBJECT_ACCESS}

    id: Mapped[int] = mapped_column(primary_key=True, info={"class": "operational"})
    request_id: Mapped[int] = mapped_column(
        ForeignKey("subject_access_request.id"), index=True, info={"class": "operational"}
    )
    case_id: Mapped[str | None] = mapped_column(ForeignKey("marac_case.id"), info={"class": "operational"})
    case_reference: Mapped[str | None] = mapped_column(String(20), info={"class": "operational"})
    source_kind: Mapped[SourceKind] = mapped_column(StrEnumType(SourceKind, 20), info={"class": "operational"})
    source_id: Mapped[str] = mapped_column(String(64), info={"class": "operational"})
    about_requester: Mapped[bool] = mapped_column(info={"class": "operational"})
    """False for what is about someone else: the victim, children, other people on the case."""
    # The item as found, [[label, value], ...] as JSON, sealed: it may hold anything a case holds.
    content: Mapped[str] = mapped_column(EncryptedText("subject_access_item.content"), info={"class": "restricted"})
    decision: Mapped[ItemDecision] = mapped_column(
        StrEnumType(ItemDecision, 20), default=ItemDecision.TO_REVIEW, info={"class": "operational"}
    )
    exemption: Mapped[str | None] = mapped_column(String(40), info={"class": "operational"})
    redacted_text: Mapped[str | None] = mapped_column(Text, info={"class": "special"})
    """What the requester is given instead of the item, with [redacted] where something is taken out."""
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), info={"class": "operational"})
    """None while a decision is the one the item started with (to review, or withheld as about someone else)."""
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"class": "operational"})

    request: Mapped[SubjectAccessRequest] = relationship(back_populates="items")
    decided_by: Mapped[User | None] = relationship()


class MeetingFigures(db.Model):
    """A meeting's row of the quarterly data return, kept when its minutes were approved: its cases are then counted
    as they stood that day, and adding up a quarter reads these rows, not every case heard (issue 20)."""

    __tablename__ = "meeting_figures"
    __table_args__ = retention("operational")

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), primary_key=True, info=data_class("operational"))
    counts: Mapped[dict] = mapped_column(JSON, info=data_class("operational"))
    """{data return column: count} for every whole-number column of the return (reports.data_return)."""
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
