"""Meetings with cases on their agendas, made straight in the database for tests of the meeting cycle."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from access import signin
from access import store as access_store
from access.models import Agency, AgencyKind, Role, User
from cases import store as cases_store
from cases.models import PartyRole, Referral, ReferralState
from demo.cases import add_assessment, add_person, refer_now, yes_to
from extensions import db
from meetings.models import AgendaItem, AgendaSection, Invitation, Meeting, MeetingStatus

AGENCIES = {
    "Riverside Police": AgencyKind.POLICE,
    "Riverside IDVA Service": AgencyKind.IDVA,
    "Riverside Hospitals NHS Trust": AgencyKind.HEALTH,
    "Riverside Housing": AgencyKind.HOUSING,
}
MEETING_START = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SeededMeeting:
    meeting_id: int
    item_ids: list[int]
    referral_ids: list[str]
    case_ids: list[str]
    agency_ids: dict[str, int]
    referrer_id: int


def agency_ids() -> dict[str, int]:
    ids = {}
    for name, kind in AGENCIES.items():
        agency = access_store.get_agency_by_name(name) or access_store.create_agency(name=name, kind=kind)
        ids[name] = agency.id
    return ids


def seed_meeting(
    app,
    *,
    cases: int = 2,
    invited=("Riverside Police", "Riverside Hospitals NHS Trust"),
    starts_at=MEETING_START,
    with_children=True,
) -> SeededMeeting:
    """A planned meeting with `cases` scheduled referrals on its agenda and `invited` agencies invited.
    Victims are named Victim1 Case, Victim2 Case …; each has a perpetrator, and a child when asked."""
    with app.app_context():
        agencies = agency_ids()
        referrer = access_store.get_user_by_email("seed-referrer@example.org") or access_store.create_user(
            name="Seed Referrer",
            email="seed-referrer@example.org",
            agency=db.session.get(Agency, agencies["Riverside IDVA Service"]),
            role=Role.PRACTITIONER,
            password_hash=signin.make_password_hash("unused password for seeding"),
        )
        meeting = Meeting(
            area="Riverside",
            starts_at=starts_at,
            venue="Room 2",
            capacity=10,
            research_due_at=starts_at - timedelta(days=3),
        )
        db.session.add(meeting)
        db.session.flush()
        item_ids, referral_ids, case_ids = [], [], []
        for number in range(1, cases + 1):
            case = cases_store.create_case(
                victim=add_person(referrer.agency_id, f"Victim{number}", "Case", date(1990, 1, number), "RV1 2AB"),
                marac_area="Riverside",
                agency_id=referrer.agency_id,
            )
            cases_store.add_party(
                case,
                add_person(referrer.agency_id, f"Perpetrator{number}", "Case", date(1985, 1, number)),
                PartyRole.PERPETRATOR,
            )
            if with_children:
                cases_store.add_party(
                    case,
                    add_person(referrer.agency_id, f"Child{number}", "Case", date(2018, 1, number)),
                    PartyRole.CHILD,
                )
            add_assessment(case, referrer, "dash-ric", yes_to(15), starts_at.date() - timedelta(days=10))
            referral = refer_now(
                case, referrer, starts_at.date() - timedelta(days=9), "Riverside", ReferralState.SCHEDULED
            )
            slot = starts_at + timedelta(minutes=15 * number)
            item = AgendaItem(
                meeting=meeting,
                referral=referral,
                position=number,
                section=AgendaSection.CHILDREN if with_children else AgendaSection.ADULT_ONLY,
                starts_at=slot,
                ends_at=slot + timedelta(minutes=15),
                flags=[],
            )
            db.session.add(item)
            db.session.flush()
            item_ids.append(item.id)
            referral_ids.append(referral.id)
            case_ids.append(case.id)
        for name in invited:
            db.session.add(Invitation(meeting_id=meeting.id, agency_id=agencies[name]))
        db.session.commit()
        return SeededMeeting(meeting.id, item_ids, referral_ids, case_ids, agencies, referrer.id)


def seed_history_and_a_new_referral(app, starts_at, *, incident_days_ago: int | None):
    """Victim1 Case was heard at a MARAC four months ago. She is referred again today under a new person record
    (same name, birth date and perpetrator), so nothing yet shows the referral is a repeat; with an incident
    INCIDENT_DAYS_AGO days ago on the new case, or none. Returns the referral's id, the upcoming meeting and the
    date the earlier referral was received."""
    heard_on = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=120)
    history = seed_meeting(app, cases=1, starts_at=heard_on)
    upcoming = seed_meeting(app, cases=0, starts_at=starts_at)
    with app.app_context():
        db.session.get(Meeting, history.meeting_id).status = MeetingStatus.DISTRIBUTED
        earlier = db.session.get(Referral, history.referral_ids[0])
        earlier.state, earlier.received_at = ReferralState.HEARD, heard_on - timedelta(days=9)
        perpetrator = next(party.person for party in earlier.case.parties if party.role is PartyRole.PERPETRATOR)
        referrer = db.session.get(User, history.referrer_id)
        police = db.session.get(Agency, history.agency_ids["Riverside Police"])
        case = cases_store.create_case(
            victim=add_person(police.id, "Victim1", "Case", date(1990, 1, 1), "RV1 2AB"),
            marac_area="Riverside",
            agency_id=police.id,
        )
        cases_store.add_party(case, perpetrator, PartyRole.PERPETRATOR)
        if incident_days_ago is not None:
            cases_store.add_incident(
                case,
                occurred_on=date.today() - timedelta(days=incident_days_ago),
                type="threats",
                agency_id=police.id,
                reference=None,
                recorded_by=referrer,
            )
        add_assessment(case, referrer, "dash-ric", yes_to(15), date.today())
        referral = refer_now(case, referrer, date.today(), "Riverside")
        db.session.commit()
        return referral.id, upcoming, (heard_on - timedelta(days=9)).date()
