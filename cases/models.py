"""People, cases and what is known about them: parties, incidents, referrals, exclusion lists and
break-glass grants. Safe-contact details live in their own table (SafeContact), one per case and
agency that recorded them."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, delete, event, false, insert
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column, relationship

from access.field_crypto import EncryptedText
from access.models import Agency, User
from cases.vocabulary import CaseStatus, ClearanceDecision, PartyRole, ReferralState
from extensions import StrEnumType, UTCDateTime, data_class, db, retention, utcnow
from risk.matching import PersonRecord, blocking_keys, district_key, postcodes_in
from risk.models import Decision, new_id


class Person(db.Model):
    __tablename__ = "person"
    __table_args__ = retention("case")

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id, info=data_class("operational"))
    given_name: Mapped[str] = mapped_column(String(100), info=data_class("personal"))
    family_name: Mapped[str] = mapped_column(String(100), info=data_class("personal"))
    aliases: Mapped[list] = mapped_column(JSON, default=list, info=data_class("personal"))
    date_of_birth: Mapped[date | None] = mapped_column(Date, info=data_class("personal"))
    date_of_birth_variants: Mapped[list] = mapped_column(JSON, default=list, info=data_class("personal"))
    postcode: Mapped[str | None] = mapped_column(String(10), info=data_class("restricted"))
    # Where she lives, as the referral gave it: it decides the MARAC area. Never a refuge or safe
    # address (those are safe-contact details), never printed, sealed in the database.
    address: Mapped[str | None] = mapped_column(EncryptedText("person.address"), info=data_class("restricted"))
    gender: Mapped[str | None] = mapped_column(String(40), info=data_class("personal"))
    ethnicity: Mapped[str | None] = mapped_column(String(60), info=data_class("special"))
    disability: Mapped[str | None] = mapped_column(String(40), info=data_class("special"))
    sexuality: Mapped[str | None] = mapped_column(String(40), info=data_class("special"))
    language: Mapped[str | None] = mapped_column(String(60), info=data_class("special"))
    interpreter_needed: Mapped[bool] = mapped_column(default=False, info=data_class("personal"))
    created_by_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))

    @property
    def initials(self) -> str:
        """How a person appears on widely read pages: never the full name."""
        return f"{self.given_name[:1]}{self.family_name[:1]}".upper()


RECORD_COLUMNS = ("id", "given_name", "family_name", "aliases", "date_of_birth", "date_of_birth_variants", "postcode")
MATCHED_ON = (*RECORD_COLUMNS[1:], "address")


def match_record(person: Person) -> PersonRecord:
    """The person as the matcher reads her: her name then her aliases, every date of birth known, her postcode."""
    return record_of_columns({name: getattr(person, name) for name in RECORD_COLUMNS})


def record_of_columns(row: dict) -> PersonRecord:
    """The same from a person's columns, as a bulk insert gives them."""
    names = (f"{row['given_name']} {row['family_name']}", *(row.get("aliases") or []))
    dates = tuple(str(day) for day in [row.get("date_of_birth"), *(row.get("date_of_birth_variants") or [])] if day)
    postcode = row.get("postcode")
    return PersonRecord(id=row["id"], names=names, dates_of_birth=dates, postcodes=(postcode,) if postcode else ())


def keys_of_columns(row: dict) -> set[str]:
    """A person's blocking keys from her columns (as a bulk insert gives them), and the district of any postcode
    in her address, so a subject access search by postcode finds her by either (the address is sealed, so the
    database cannot look inside it)."""
    in_address = filter(None, map(district_key, postcodes_in(row.get("address") or "")))
    return blocking_keys(record_of_columns(row)) | set(in_address)


def match_keys(person: Person) -> set[str]:
    return keys_of_columns({name: getattr(person, name) for name in ("id", *MATCHED_ON)})


class PersonMatchKey(db.Model):
    """What finds a person quickly among a million (risk.matching.blocking_keys): sounds of her names with her
    year of birth or postcode district, her date of birth. Derived from her record, kept in step with it by
    keep_match_keys, removed when she is anonymised, never shown."""

    __tablename__ = "person_match_key"
    __table_args__ = retention("case")

    key: Mapped[str] = mapped_column(String(40), primary_key=True, info=data_class("restricted"))
    person_id: Mapped[str] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True, info=data_class("operational")
    )


def match_details_changed(person: Person) -> bool:
    state = attributes.instance_state(person)
    return any(state.attrs[name].history.has_changes() for name in MATCHED_ON)


@event.listens_for(Session, "after_flush")
def keep_match_keys(session, flush_context):
    """Every path that adds a person or changes what she is matched on (the journey, the referral form, the
    demo, tests) goes through a flush, so her keys are rewritten here, in the same transaction. Bulk inserts
    bypass the ORM: they call cases.store.add_match_keys themselves."""
    people = [
        person
        for person in (*session.new, *session.dirty)
        if isinstance(person, Person) and (person in session.new or match_details_changed(person))
    ]
    if not people:
        return
    connection, table = session.connection(), PersonMatchKey.__table__
    connection.execute(delete(table).where(table.c.person_id.in_([person.id for person in people])))
    rows = [{"person_id": person.id, "key": key} for person in people for key in match_keys(person)]
    if rows:
        connection.execute(insert(table), rows)


class SafeContact(db.Model):
    """Restricted: how to reach the victim safely, as one agency recorded it on one case. It belongs
    to that case and agency, is encrypted in the database, is shown only to those the policy allows,
    and is never printed."""

    __tablename__ = "case_safe_contact"
    __table_args__ = (UniqueConstraint("case_id", "agency_id"), retention("case"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    phone: Mapped[str | None] = mapped_column(EncryptedText("case_safe_contact.phone"), info=data_class("restricted"))
    safe_to_call: Mapped[bool] = mapped_column(default=False, info=data_class("restricted"))
    safe_address: Mapped[str | None] = mapped_column(
        EncryptedText("case_safe_contact.safe_address"), info=data_class("restricted")
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, info=data_class("operational")
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    """None only on details carried over from before they belonged to a case and agency."""

    agency: Mapped[Agency] = relationship()


class Case(db.Model):
    """One victim with the same perpetrator(s)."""

    __tablename__ = "marac_case"
    __table_args__ = retention("case")

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id, info=data_class("operational"))
    reference: Mapped[str] = mapped_column(String(20), unique=True, index=True, info=data_class("operational"))
    """Unique in the deployment and read out over the phone: PREFIX-YEAR-NUMBER, like RIV-2026-0142."""
    victim_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True, info=data_class("operational"))
    marac_area: Mapped[str] = mapped_column(String(120), info=data_class("operational"))
    status: Mapped[CaseStatus] = mapped_column(
        StrEnumType(CaseStatus, 20), default=CaseStatus.OPEN, info=data_class("operational")
    )
    repeat_watch_ends: Mapped[date | None] = mapped_column(Date, info=data_class("operational"))
    created_by_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True, info=data_class("operational")
    )
    version_id: Mapped[int] = mapped_column(default=1, info=data_class("operational"))
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    """When the retention run removed what identifies anyone on the case (SECURITY D5); None while it is held."""

    victim: Mapped[Person] = relationship(foreign_keys=[victim_id])
    link_proposal: Mapped["VictimLinkProposal | None"] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    parties: Mapped[list["CaseParty"]] = relationship(back_populates="case", order_by="CaseParty.id")

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def proposed_victim(self) -> Person | None:
        return self.link_proposal.person if self.link_proposal else None

    @property
    def proposed_victim_id(self) -> str | None:
        return self.link_proposal.person_id if self.link_proposal else None


class CaseReferenceCounter(db.Model):
    """The last case number used for each prefix and year; taken under a row lock as a case is opened."""

    __tablename__ = "case_reference_counter"
    __table_args__ = retention("operational")

    prefix: Mapped[str] = mapped_column(String(5), primary_key=True, info=data_class("operational"))
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, info=data_class("operational"))
    last_number: Mapped[int] = mapped_column(info=data_class("operational"))


class VictimLinkProposal(db.Model):
    """A known person the practitioner who opened the case thinks its victim is. Until the coordinator
    confirms it, the case holds only what the practitioner recorded."""

    __tablename__ = "victim_link_proposal"
    __table_args__ = retention("case")

    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), primary_key=True, info=data_class("operational"))
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), info=data_class("operational"))
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))

    case: Mapped["Case"] = relationship(back_populates="link_proposal")
    person: Mapped[Person] = relationship()


class CaseParty(db.Model):
    __tablename__ = "case_party"
    __table_args__ = (UniqueConstraint("case_id", "person_id"), retention("case"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True, info=data_class("operational"))
    role: Mapped[PartyRole] = mapped_column(StrEnumType(PartyRole, 20), info=data_class("criminal"))
    # To the victim, in the referrer's words: "ex-partner", "son", "lodger".
    relationship_to_victim: Mapped[str | None] = mapped_column(String(60), info=data_class("personal"))

    case: Mapped[Case] = relationship(back_populates="parties")
    # Every page that lists a case's parties names them: read with the party, not one query per person.
    person: Mapped[Person] = relationship(lazy="joined")


class Incident(db.Model):
    __tablename__ = "incident"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    occurred_on: Mapped[date] = mapped_column(Date, info=data_class("criminal"))
    type: Mapped[str] = mapped_column(String(40), info=data_class("criminal"))
    reporting_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    reference: Mapped[str | None] = mapped_column(String(60), info=data_class("criminal"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    # Who caused harm, where known: the repeat rule asks whether it is a perpetrator named on the last referral.
    perpetrator_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), info=data_class("criminal"))

    reporting_agency: Mapped[Agency] = relationship()
    perpetrator: Mapped[Person | None] = relationship()


class Referral(db.Model):
    __tablename__ = "referral"
    __table_args__ = (
        # The dashboard counts a quarter's heard referrals by agency and criteria from this index alone, without
        # reading the referrals' rows, which carry the whole form (issue 20). PostgreSQL only: SQLite has no
        # INCLUDE, and there an index on the key alone would repeat the primary key's.
        Index("ix_referral_id_counted", "id", postgresql_include=["agency_id", "criteria"]).ddl_if(
            dialect="postgresql"
        ),
        retention("case"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("eligibility_decision.id"), info=data_class("operational"))
    criteria: Mapped[list] = mapped_column(JSON, info=data_class("special"))
    referrer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), info=data_class("operational"))
    victim_informed: Mapped[bool] = mapped_column(info=data_class("personal"))
    consent_given: Mapped[bool] = mapped_column(info=data_class("personal"))
    no_consent_reason: Mapped[str | None] = mapped_column(Text, info=data_class("personal"))
    state: Mapped[ReferralState] = mapped_column(
        StrEnumType(ReferralState, 20), default=ReferralState.RECEIVED, index=True, info=data_class("operational")
    )
    state_reason: Mapped[str | None] = mapped_column(Text, info=data_class("personal"))
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True, info=data_class("operational"))
    # The perpetrator(s) the referral named (person ids), as they were when it was made.
    perpetrator_ids: Mapped[list | None] = mapped_column(JSON, default=list, info=data_class("criminal"))
    # Said on the form when no person causing harm can be named, so "none recorded" is a choice.
    perpetrator_not_known: Mapped[bool] = mapped_column(
        default=False, server_default=false(), info=data_class("operational")
    )
    risk_summary: Mapped[str | None] = mapped_column(Text, info=data_class("special"))
    victim_wants: Mapped[str | None] = mapped_column(Text, info=data_class("special"))
    referrer_phone: Mapped[str | None] = mapped_column(String(30), info=data_class("personal"))
    referrer_email: Mapped[str | None] = mapped_column(String(254), info=data_class("personal"))
    other_agency_ids: Mapped[list | None] = mapped_column(JSON, default=list, info=data_class("operational"))
    other_agencies_note: Mapped[str | None] = mapped_column(String(500), info=data_class("personal"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, info=data_class("operational")
    )
    # When it was accepted, declined, withdrawn, heard...: a correction changes updated_at, not this.
    # Set on every referral (the listener below); nullable only so the column could be added in place.
    state_changed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=utcnow, info=data_class("operational")
    )
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))
    """When the coordinator accepted or declined it (updated_at moves on as the referral does)."""
    version_id: Mapped[int] = mapped_column(default=1, info=data_class("operational"))

    case: Mapped[Case] = relationship()
    decision: Mapped[Decision] = relationship()
    referrer: Mapped[User] = relationship(foreign_keys=[referrer_id])
    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


@event.listens_for(Referral.state, "set")
def note_when_the_state_changed(referral, value, old_value, initiator):
    """Every path that moves a referral on (triage, agenda, meeting, transfer) dates it here."""
    if value != old_value:
        referral.state_changed_at = utcnow()


class ReferralDraft(db.Model):
    """A referral form as far as one person has filled it in, kept as they type so nothing is lost.
    Only they see it; it goes when the referral is sent."""

    __tablename__ = "referral_draft"
    __table_args__ = (UniqueConstraint("case_id", "user_id"), retention("case"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    # The form's fields as typed, each a list of values (a field may repeat).
    fields: Mapped[dict] = mapped_column(JSON, default=dict, info=data_class("restricted"))
    saved_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, info=data_class("operational")
    )


class ExcludedPerson(db.Model):
    """Someone who must not receive information about the case, named at referral. Sensitive: shown
    only to the coordinator and the referrer, never logged, never printed."""

    __tablename__ = "excluded_person"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    name: Mapped[str] = mapped_column(String(200), info=data_class("personal"))
    note: Mapped[str | None] = mapped_column(String(200), info=data_class("personal"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))

    case: Mapped[Case] = relationship()


class DistributionClearance(db.Model):
    """The coordinator's decision on a near match between an exclusion list and a recipient of a
    meeting's documents: release (a different person) or withhold. Until a release, the person sees
    nothing of that case anywhere; withheld, they also receive none of the meeting's documents."""

    __tablename__ = "distribution_clearance"
    __table_args__ = (UniqueConstraint("meeting_id", "excluded_person_id", "user_id"), retention("case"))

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True, info=data_class("operational"))
    excluded_person_id: Mapped[int] = mapped_column(ForeignKey("excluded_person.id"), info=data_class("operational"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    decision: Mapped[ClearanceDecision] = mapped_column(
        StrEnumType(ClearanceDecision, 20), info=data_class("operational")
    )
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))

    excluded_person: Mapped[ExcludedPerson] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ClearanceReview(db.Model):
    """A later change to a distribution-check decision, with the coordinator's reason. The clearance row
    holds the decision in force; each review keeps the one it replaced, so every decision stays on record.
    The reason may describe people, so it is kept here, never in the audit trail."""

    __tablename__ = "clearance_review"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    clearance_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_clearance.id"), index=True, info=data_class("operational")
    )
    previous_decision: Mapped[ClearanceDecision] = mapped_column(
        StrEnumType(ClearanceDecision, 20), info=data_class("operational")
    )
    decision: Mapped[ClearanceDecision] = mapped_column(
        StrEnumType(ClearanceDecision, 20), info=data_class("operational")
    )
    reason: Mapped[str] = mapped_column(Text, info=data_class("personal"))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))

    decided_by: Mapped[User] = relationship()


class BreakGlassGrant(db.Model):
    """A look at a case outside the user's own work, for a reason they gave, for a short time. The
    reason is kept here, not in the audit trail, because it may describe the case."""

    __tablename__ = "break_glass_grant"
    __table_args__ = retention("audit")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True, info=data_class("operational"))
    reason: Mapped[str] = mapped_column(Text, info=data_class("personal"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, info=data_class("operational"))


class LegalHold(db.Model):
    """The coordinator's instruction not to anonymise a case when its retention period ends (SECURITY D5),
    with the reason given, and when and by whom it was lifted, with that reason. The hold in force is the one
    not lifted. The reasons may describe the case, so they are kept here, never in the audit trail."""

    __tablename__ = "legal_hold"
    __table_args__ = retention("case")

    id: Mapped[int] = mapped_column(primary_key=True, info=data_class("operational"))
    case_id: Mapped[str] = mapped_column(ForeignKey("marac_case.id"), index=True, info=data_class("operational"))
    reason: Mapped[str] = mapped_column(Text, info=data_class("personal"))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info=data_class("operational"))
    lifted_reason: Mapped[str | None] = mapped_column(Text, info=data_class("personal"))
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), info=data_class("operational"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info=data_class("operational"))

    set_by: Mapped[User] = relationship(foreign_keys=[set_by_id])
