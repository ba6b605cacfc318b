"""Invented meetings for the demo: one held three weeks ago with minutes and actions (some overdue),
one next week with its agenda planned and research coming in, and one a fortnight after that."""

from datetime import date, datetime, time, timedelta

from access.audit import AuditAction, record_event
from access.models import Role
from cases import store as cases_store
from cases.models import PartyRole, ReferralState
from demo.cases import add_assessment, add_person, refer_now, yes_to
from extensions import db, utcnow
from meetings import agenda, planner, schedule, store
from meetings.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    AgendaSection,
    Attendance,
    AttendanceStatus,
    CaseMinutes,
    CaseOutcome,
    MeetingStatus,
    ResearchReturn,
    Transfer,
)
from risk import store as risk_store
from risk.in_force import current_ruleset
from risk.instruments import get_pack
from risk.scoring import score

UK_TIME = schedule.UK_TIME


def demo_case(
    user, area, today, victim, perpetrator, child=None, *, yes=15, referred_days_ago=0, state=ReferralState.RECEIVED
):
    case = cases_store.create_case(
        victim=add_person(user.agency_id, *victim), marac_area=area, agency_id=user.agency_id
    )
    cases_store.add_party(case, add_person(user.agency_id, *perpetrator), PartyRole.PERPETRATOR)
    if child:
        cases_store.add_party(case, add_person(user.agency_id, *child), PartyRole.CHILD)
    referred = today - timedelta(days=referred_days_ago)
    add_assessment(case, user, "dash-ric", yes_to(yes), referred - timedelta(days=1))
    referral = refer_now(case, user, referred, area, state, received=referred)
    if state is not ReferralState.RECEIVED:
        referral.triaged_at = referral.received_at + timedelta(days=1)
    case.repeat_watch_ends = referred + timedelta(days=current_ruleset().repeat_window_days)
    return referral


def new_meeting(area, day: date, chair, *, venue="Riverside Police Station, meeting room 2 (demo)"):
    meeting = store.create_meeting(
        area=area,
        starts_at=datetime.combine(day, time(10, 0), tzinfo=UK_TIME),
        venue=venue,
        chair=chair,
        capacity=16,
        minutes_per_case=15,
        research_due_at=agenda.research_deadline(day),
    )
    schedule.invite_every_agency(meeting)
    return meeting


def seed_demo_meetings(users: dict, agencies: dict, area: str, today: date, next_meeting_day: date) -> None:
    cases = earlier_cases(today)
    for weeks_before, these in ((12, cases[:3]), (8, cases[3:])):
        seed_earlier_meeting(users, agencies, area, today, next_meeting_day - timedelta(weeks=weeks_before), these)
    seed_past_meeting(users, agencies, area, today, next_meeting_day - timedelta(weeks=4))
    seed_upcoming_meeting(users, agencies, area, today, next_meeting_day)
    new_meeting(area, next_meeting_day + timedelta(weeks=2), users[Role.CHAIR])


def earlier_cases(today: date) -> tuple:
    """Victim, perpetrator, child, referring role, (gender, ethnicity, disability, sexuality); the last pair
    are 16 and 17."""
    return (
        (
            ("Nadia", "Rahman", date(1990, 4, 12), "RV2 1AA"),
            ("Imran", "Rahman", date(1987, 2, 3)),
            ("Zara", "Rahman", date(2016, 9, 1)),
            Role.PRACTITIONER,
            ("Female", "Asian or Asian British", "No", "Heterosexual"),
        ),
        (
            ("Kerry", "Dunn", date(1982, 1, 25), "RV4 6BB"),
            ("Lee", "Dunn", date(1980, 6, 17)),
            None,
            Role.AGENCY_REP,
            ("Female", "White", "Yes", "Heterosexual"),
        ),
        (
            ("Marcus", "Bell", date(1975, 8, 8), "RV3 2CC"),
            ("Simon", "Price", date(1979, 11, 30)),
            None,
            Role.COORDINATOR,
            ("Male", "White", "No", "Gay or lesbian"),
        ),
        (
            ("Abena", "Mensah", date(1994, 12, 1), "RV5 9DD"),
            ("Kofi", "Mensah", date(1991, 3, 3)),
            ("Ama", "Mensah", date(2021, 4, 4)),
            Role.PRACTITIONER,
            ("Female", "Black, Black British, Caribbean or African", "No", "Heterosexual"),
        ),
        (
            ("Sophie", "Grant", today - timedelta(days=17 * 365 - 100), "RV1 7EE"),
            ("Ryan", "Hill", today - timedelta(days=17 * 365 + 200)),
            None,
            Role.COORDINATOR,
            ("Female", "White", "No", "Bisexual"),
        ),
    )


def seed_earlier_meeting(users, agencies, area, today, day, cases):
    """A meeting held and finished, so the data return and the dashboard have more than one meeting to show."""
    meeting = new_meeting(area, day, users[Role.CHAIR])
    referred_days_ago = (today - day).days + 7
    referrals = []
    for victim, perpetrator, child, role, (gender, ethnicity, disability, sexuality) in cases:
        referral = demo_case(
            users[role],
            area,
            today,
            victim,
            perpetrator,
            child,
            referred_days_ago=referred_days_ago,
            state=ReferralState.HEARD,
        )
        victim_person = referral.case.victim
        victim_person.gender, victim_person.ethnicity, victim_person.disability, victim_person.sexuality = (
            gender,
            ethnicity,
            disability,
            sexuality,
        )
        referrals.append(referral)
    with_children = sorted(
        referrals, key=lambda referral: not any(party.role is PartyRole.CHILD for party in referral.case.parties)
    )
    slots = planner.time_slots(meeting.starts_at, len(with_children), 15)
    items = []
    for position, (referral, (starts_at, ends_at)) in enumerate(zip(with_children, slots), start=1):
        has_child = any(party.role is PartyRole.CHILD for party in referral.case.parties)
        items.append(
            AgendaItem(
                meeting_id=meeting.id,
                referral_id=referral.id,
                position=position,
                starts_at=starts_at,
                ends_at=ends_at,
                section=AgendaSection.CHILDREN if has_child else AgendaSection.ADULT_ONLY,
                flags=["children"] if has_child else [],
                placed_at=referral.triaged_at + timedelta(days=1),
            )
        )
    db.session.add_all(items)
    db.session.flush()
    db.session.add_all(past_attendance(meeting, agencies))
    for item in items:
        db.session.add(
            CaseMinutes(
                agenda_item_id=item.id,
                victim_views="Recorded at the meeting (demo).",
                decisions="Safety plan agreed (demo).",
                outcome=CaseOutcome.NEW,
                updated_at=item.ends_at,
            )
        )
        db.session.add(
            Action(
                case_id=item.referral.case_id,
                agenda_item_id=item.id,
                description="Share the safety plan with the victim (demo).",
                owner_agency_id=agencies["Riverside IDVA Service"].id,
                owner_name="Sam Patel",
                due_on=day + timedelta(days=7),
                status=ActionStatus.DONE,
                completion_note="Done (demo).",
                completed_on=day + timedelta(days=5),
                created_at=item.ends_at,
            )
        )
    mark_distributed(meeting)
    return referrals


def mark_distributed(meeting):
    """As if the coordinator had issued the list four days before and distributed the minutes two days after."""
    meeting.status = MeetingStatus.DISTRIBUTED
    meeting.list_issued_at = meeting.starts_at - timedelta(days=4)
    meeting.distributed_at = meeting.starts_at + timedelta(days=2)


def seed_past_meeting(users, agencies, area, today, day):
    coordinator, chair = users[Role.COORDINATOR], users[Role.CHAIR]
    meeting = new_meeting(area, day, chair)
    with_child = demo_case(
        coordinator,
        area,
        today,
        ("Farah", "Haddad", date(1993, 6, 2), "RV6 2LM"),
        ("Karim", "Haddad", date(1990, 9, 14)),
        ("Yasmin", "Haddad", date(2020, 2, 11)),
        yes=17,
        referred_days_ago=40,
        state=ReferralState.HEARD,
    )
    adult = demo_case(
        users[Role.PRACTITIONER],
        area,
        today,
        ("Grace", "Liu", date(1970, 12, 5), "RV7 8NP"),
        ("Martin", "Cole", date(1968, 4, 23)),
        yes=14,
        referred_days_ago=38,
        state=ReferralState.HEARD,
    )
    items = [
        AgendaItem(
            meeting_id=meeting.id,
            referral_id=referral.id,
            position=position,
            section=section,
            starts_at=starts_at,
            ends_at=ends_at,
            flags=flags,
            placed_at=referral.triaged_at + timedelta(days=1),
        )
        for position, (referral, section, flags, (starts_at, ends_at)) in enumerate(
            zip(
                (with_child, adult),
                (AgendaSection.CHILDREN, AgendaSection.ADULT_ONLY),
                (["children"], []),
                planner.time_slots(meeting.starts_at, 2, 15),
            ),
            start=1,
        )
    ]
    db.session.add_all(items)
    db.session.flush()
    for agency in agencies.values():
        for item in items:
            db.session.add(
                ResearchReturn(
                    agenda_item_id=item.id,
                    agency_id=agency.id,
                    due_at=meeting.research_due_at,
                    known=agency.name != "Riverside Schools",
                    involvement="Checked our records; summary shared at the meeting (demo).",
                    returned_at=meeting.research_due_at - timedelta(hours=4),
                    returned_by_id=coordinator.id,
                )
            )
    db.session.add_all(past_attendance(meeting, agencies))
    db.session.add_all(past_minutes(items, agencies))
    actions = past_actions(items, agencies, today)
    db.session.add_all(actions)
    mark_distributed(meeting)
    db.session.flush()
    tell_the_whole_story(with_child, actions[0], users, agencies, today)


def tell_the_whole_story(referral, done_action, users, agencies, today):
    """Farah Haddad's case has a history of every kind: she came from another MARAC area, an incident
    and a professional judgement before her referral, and an action marked done since the meeting."""
    case, police, idva = referral.case, users[Role.PRACTITIONER], users[Role.COORDINATOR]
    referred_on = referral.received_at.date()
    db.session.add(
        Transfer(
            case_id=case.id,
            incoming=True,
            other_area="Eastbridge (demo)",
            transferred_on=referred_on - timedelta(days=60),
            what_was_sent="Previous minutes\nRisk assessments",
            recorded_by_id=idva.id,
        )
    )
    cases_store.add_incident(
        case,
        occurred_on=referred_on - timedelta(days=3),
        type="violence",
        agency_id=agencies["Riverside Police"].id,
        reference="RP/DEMO/0412",
        recorded_by=police,
        perpetrator_id=next(party.person_id for party in case.parties if party.role is PartyRole.PERPETRATOR),
    )
    judgement = risk_store.add_judgement(
        case.id,
        tier=4,
        rationale="He strangled her in front of their daughter and has said he will not let her leave (demo).",
        author=idva,
    )
    judgement.recorded_at = referral.received_at - timedelta(hours=2)
    correct_an_answer(case, idva, at=referral.received_at - timedelta(hours=3))
    db.session.add(
        ActionUpdate(
            action_id=done_action.id,
            status=ActionStatus.DONE,
            note=done_action.completion_note,
            updated_at=datetime.combine(done_action.completed_on, time(15, 0), tzinfo=UK_TIME),
            updated_by_id=police.id,
            agency_id=police.agency_id,
        )
    )


def correct_an_answer(case, user, at):
    """Her checklist's answers changed once, so the history shows a version kept beside the one that replaced it."""
    earlier = risk_store.list_completed_assessments(case.id)[0]
    pack = get_pack(earlier.tool_id)
    answers = dict(earlier.answers) | {"q18": "yes"}
    version = risk_store.create_later_version(
        earlier,
        tool_version=pack.version,
        answers=answers,
        comments={"q18": "Told the IDVA at the follow-up call (demo)."},
        result=score(pack, answers),
        changed_by=user,
        reason="Q18 was ticked no by mistake when the checklist was typed up (demo).",
        change_key=f"demo-{earlier.id[:8]}-change",
    )
    version.created_at = at


def past_attendance(meeting, agencies):
    confirmed = meeting.starts_at
    present = [
        ("Riverside Police", "DS Nia Morgan"),
        ("Riverside IDVA Service", "Sam Patel"),
        ("Riverside Children's Services", "Lee Carter"),
        ("Riverside Hospitals NHS Trust", "Dr Ruth Owen"),
        ("Riverside Housing", "Jo Byrne"),
    ]
    rows = [
        Attendance(
            meeting_id=meeting.id,
            agency_id=agencies[name].id,
            attendee_name=person,
            status=AttendanceStatus.PRESENT,
            confidentiality_confirmed_at=confirmed,
        )
        for name, person in present
    ]
    rows.append(
        Attendance(
            meeting_id=meeting.id,
            agency_id=agencies["Probation Service, Riverside"].id,
            attendee_name="Tom Reid",
            status=AttendanceStatus.APOLOGIES,
            information_sent=True,
        )
    )
    return rows


def past_minutes(items, agencies):
    police, housing = agencies["Riverside Police"].id, agencies["Riverside Housing"].id
    return [
        CaseMinutes(
            agenda_item_id=items[0].id,
            victim_views="Wants to stay in her home with her daughter if it can be made safe.",
            agency_information={
                f"agency-{police}": "Two call-outs in the last month; bail conditions in place.",
                f"agency-{housing}": "Tenant; repairs to the front door requested.",
            },
            risks_to_victim="Strangulation reported; threats to kill.",
            risks_to_children="Daughter present during incidents.",
            decisions="Target-harden the home; children's services to hold a strategy discussion.",
            outcome=CaseOutcome.NEW,
            updated_at=items[0].ends_at,
        ),
        CaseMinutes(
            agenda_item_id=items[1].id,
            victim_views="Wants contact stopped; does not want to move.",
            risks_to_victim="Stalking at her workplace.",
            decisions="Police to consider a stalking protection order.",
            outcome=CaseOutcome.NEW,
            updated_at=items[1].ends_at,
        ),
    ]


def past_actions(items, agencies, today):
    def action(item, agency, owner, description, due_in_days, status=ActionStatus.OPEN, note=None):
        return Action(
            case_id=item.referral.case_id,
            agenda_item_id=item.id,
            description=description,
            owner_agency_id=agencies[agency].id,
            owner_name=owner,
            due_on=today + timedelta(days=due_in_days),
            status=status,
            completion_note=note,
            completed_on=today - timedelta(days=15) if status is ActionStatus.DONE else None,
            created_at=item.ends_at,
        )

    first, second = items
    return [
        action(
            first,
            "Riverside Police",
            "DS Nia Morgan",
            "Flag the home address for an urgent response.",
            -14,
            ActionStatus.DONE,
            "Flag added to the address record.",
        ),
        action(first, "Riverside Housing", "Jo Byrne", "Fit a new front door and window locks.", -7),
        action(
            first,
            "Riverside Hospitals NHS Trust",
            "Dr Ruth Owen",
            "Add a safeguarding alert to the GP and hospital records.",
            -5,
        ),
        action(
            first, "Riverside Children's Services", "Lee Carter", "Hold a strategy discussion about the daughter.", 2
        ),
        action(second, "Riverside Police", "DS Nia Morgan", "Consider applying for a stalking protection order.", 10),
        action(second, "Riverside IDVA Service", "Sam Patel", "Review the safety plan with the victim.", 3),
    ]


def seed_upcoming_meeting(users, agencies, area, today, day):
    coordinator = users[Role.COORDINATOR]
    meeting = new_meeting(area, day, users[Role.CHAIR])
    referrals = [
        demo_case(
            coordinator,
            area,
            today,
            victim,
            perpetrator,
            child,
            referred_days_ago=days_ago,
            state=ReferralState.ACCEPTED,
        )
        for victim, perpetrator, child, days_ago in (
            (
                ("Hana", "Suleiman", date(1988, 10, 3), "RV2 5QR"),
                ("Tariq", "Suleiman", date(1986, 1, 30)),
                ("Adam", "Suleiman", date(2017, 7, 21)),
                6,
            ),
            (("Irene", "Walsh", date(1959, 5, 17), "RV8 1ST"), ("Patrick", "Walsh", date(1957, 3, 8)), None, 4),
        )
    ]
    # The second name is the demo agency representative's, so the coordinator has a near match to decide.
    cases_store.add_excluded_people(
        referrals[0].case, [("Yusuf Suleiman", "the perpetrator's brother (demo)")], recorded_by=coordinator
    )
    cases_store.add_excluded_people(
        referrals[1].case,
        [("Ade Agency Rep", "the perpetrator's niece, works at the hospital (demo)")],
        recorded_by=coordinator,
    )
    db.session.flush()
    agenda.accept_proposal(agenda.propose(), user=coordinator)
    schedule.take_next_step(meeting, user=coordinator)
    health = agencies["Riverside Hospitals NHS Trust"].id
    for request in store.list_research_requests_for_meeting(meeting):
        if request.agency_id == health and request.agenda_item.position == 1:
            request.known, request.involvement, request.returned_at, request.returned_by_id = (
                True,
                "Seen in the emergency department twice this year (demo).",
                utcnow(),
                users[Role.AGENCY_REP].id,
            )
            request.risks = "Injuries not consistent with the explanation given."
    record_event(
        AuditAction.RESEARCH_RETURNED, user=users[Role.AGENCY_REP], object_type="meeting", object_id=meeting.id
    )
