"""Meetings and cases made straight in the database, with exactly the details the data return counts."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from access import signin
from access import store as access_store
from access.models import Agency, AgencyKind, Role
from cases import store as cases_store
from cases.models import Case, CaseParty, PartyRole, Person, Referral, ReferralState, SafeContact
from extensions import db
from meetings.models import AgendaItem, AgendaSection, CaseMinutes, CaseOutcome, Meeting, MeetingStatus
from meetings.schedule import UK_TIME
from risk.models import Decision

AGENCIES = {
    "Quarter Police": AgencyKind.POLICE,
    "Quarter IDVA Service": AgencyKind.IDVA,
    "Quarter Health": AgencyKind.HEALTH,
    "Quarter Children's Services": AgencyKind.CHILDRENS_SOCIAL_CARE,
}


@dataclass(frozen=True)
class CaseSpec:
    agency: str
    victim_born: date | None = None
    gender: str | None = "Female"
    ethnicity: str | None = None
    disability: str | None = None
    sexuality: str | None = None
    children: int = 0
    perpetrators_born: tuple[date | None, ...] = (date(1980, 1, 1),)
    criteria: tuple[str, ...] = ("visible-high-risk",)
    flags: tuple[str, ...] = ()
    outcome: CaseOutcome | None = None
    safe_address: str | None = None


def uk(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UK_TIME)


def agency(name: str) -> Agency:
    return access_store.get_agency_by_name(name) or access_store.create_agency(name=name, kind=AGENCIES[name])


def referrer():
    return access_store.get_user_by_email("quarter-referrer@example.org") or access_store.create_user(
        name="Quarter Referrer",
        email="quarter-referrer@example.org",
        agency=agency("Quarter IDVA Service"),
        role=Role.PRACTITIONER,
        password_hash=signin.make_password_hash("unused password for seeding"),
    )


def person(given: str, born: date | None, agency_id: int, **details) -> Person:
    row = Person(given_name=given, family_name="Case", date_of_birth=born, created_by_agency_id=agency_id, **details)
    db.session.add(row)
    return row


def add_case(meeting: Meeting, position: int, spec: CaseSpec, user) -> None:
    referring = agency(spec.agency)
    victim = person(
        f"Victim{meeting.id}x{position}",
        spec.victim_born,
        referring.id,
        gender=spec.gender,
        ethnicity=spec.ethnicity,
        disability=spec.disability,
        sexuality=spec.sexuality,
    )
    case = Case(
        victim=victim,
        marac_area="Quarterton",
        created_by_agency_id=referring.id,
        reference=cases_store.new_case_references(meeting.starts_at.year, 1)[0],
    )
    db.session.add(case)
    db.session.flush()
    if spec.safe_address:
        db.session.add(SafeContact(case_id=case.id, agency_id=referring.id, safe_address=spec.safe_address))
    parties = [(PartyRole.CHILD, date(2018, 1, 1)) for _ in range(spec.children)] + [
        (PartyRole.PERPETRATOR, born) for born in spec.perpetrators_born
    ]
    for number, (role, born) in enumerate(parties):
        db.session.add(CaseParty(case=case, person=person(f"{role.value}{number}", born, referring.id), role=role))
    decision = Decision(
        case_id=case.id,
        ruleset="test",
        eligible=True,
        criteria=list(spec.criteria),
        tier=3,
        tier_source="test",
        prompts=[],
        routes=[],
        evaluated_on=meeting.starts_at.date(),
        evaluated_by_id=user.id,
    )
    db.session.add(decision)
    db.session.flush()
    referral = Referral(
        case_id=case.id,
        decision_id=decision.id,
        criteria=list(spec.criteria),
        referrer_id=user.id,
        agency_id=referring.id,
        victim_informed=True,
        consent_given=True,
        state=ReferralState.SCHEDULED,
        idempotency_key=str(uuid.uuid4()),
    )
    db.session.add(referral)
    db.session.flush()
    item = AgendaItem(
        meeting=meeting,
        referral=referral,
        position=position,
        section=AgendaSection.ADULT_ONLY,
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at,
        flags=list(spec.flags),
    )
    db.session.add(item)
    db.session.flush()
    if spec.outcome is not None:
        db.session.add(CaseMinutes(agenda_item_id=item.id, outcome=spec.outcome))


def add_meeting(app, starts_at: datetime, status: MeetingStatus, cases: list[CaseSpec] = ()) -> int:
    with app.app_context():
        user = referrer()
        meeting = Meeting(area="Quarterton", starts_at=starts_at, venue="Room 1", status=status)
        db.session.add(meeting)
        db.session.flush()
        for position, spec in enumerate(cases, start=1):
            add_case(meeting, position, spec, user)
        db.session.commit()
        return meeting.id


def victims_heard_at(meeting_id: int) -> list[Person]:
    """The victims of the cases on the meeting's agenda."""
    query = (
        select(Person)
        .join(Case, Case.victim_id == Person.id)
        .join(Referral, Referral.case_id == Case.id)
        .join(AgendaItem, AgendaItem.referral_id == Referral.id)
        .where(AgendaItem.meeting_id == meeting_id)
    )
    return list(db.session.scalars(query))
