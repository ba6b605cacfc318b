"""Two more states of the seeded world (tests/world.py), for the forms its distributed meeting never shows.

A meeting under way: minutes open, actions added, the review of earlier actions, the step that ends it and a
draft assessment on its case, whose victim the referrer thinks is a person already known; beside it a referral
waiting to be accepted or declined and a locked user. An agenda still being planned: the list issued and
research open, cases to move, an accepted referral waiting for the planner, and a case excluding someone with
the same name as a representative who receives the documents.
Each state is the world's ids with the ones that reach it replaced, so every other URL parameter stays real.
"""

from datetime import UTC, date, datetime, timedelta

from access.models import Role, User
from cases import retention
from cases import store as cases_store
from cases.models import Case, ExcludedPerson, Referral, ReferralState, VictimLinkProposal
from demo.cases import add_assessment, add_person, refer_now, yes_to
from extensions import db, utcnow
from meetings import agenda
from meetings.models import AgendaItem, Meeting, MeetingStatus, ResearchReturn
from reports import subject_access
from reports.quarters import quarter_containing
from reports.vocabulary import ReceivedBy, RequesterKind
from risk import store as risk_store
from tests.meetings.factories import MEETING_START, seed_meeting
from tests.world import World, add_user, victim_of

NEAR_MATCHED_NAME = "Robin Nearmatch"


def seed_form_states(app, world: World) -> list[dict[str, object]]:
    return [
        meeting_under_way(app, world),
        agenda_being_planned(app, world),
        a_case_to_refer(app, world),
        a_referral_waiting(app, world),
        a_case_just_taken_off(app, world),
        a_case_on_legal_hold(app, world),
    ]


def meeting_under_way(app, world: World) -> dict[str, object]:
    """After the world's meeting, so the world's open action is one to review."""
    seeded = seed_meeting(app, cases=1, starts_at=MEETING_START + timedelta(days=14))
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.IN_PROGRESS
        case = db.session.get(Case, seeded.case_ids[0])
        case.link_proposal = VictimLinkProposal(person_id=world.ids["person_id"], proposed_by_id=seeded.referrer_id)
        draft = risk_store.create_assessment(
            case_id=case.id,
            tool_id="dash-ric",
            assessor=db.session.get(User, seeded.referrer_id),
            assessed_on=date.today(),
        )
        waiting = referral_in_state(world, seeded.referrer_id, "Waiting", ReferralState.RECEIVED)
        locked = db.session.get(User, add_user("fuzz-locked@example.org", Role.PRACTITIONER, world.own_agency_id))
        locked.failed_attempts, locked.locked_until = 5, utcnow() + timedelta(days=1)
        db.session.commit()
        return world.ids | {
            "meeting_id": seeded.meeting_id,
            "item_id": seeded.item_ids[0],
            "case_id": case.id,
            "assessment_id": draft.id,
            "person_id": victim_of(case.id),
            "referral_id": waiting,
            "user_id": locked.id,
            # The data return of the meetings' quarter, which offers counting its approved meetings again.
            "extra_pages": [f"/reports/data-return?quarter={quarter_containing(MEETING_START.date()).code}"],
        }


def agenda_being_planned(app, world: World) -> dict[str, object]:
    """In the future, so the planner offers its agenda the accepted referral. The first case is the one moved
    (perhaps off the agenda), so the research and the exclusion are on the second."""
    starts_at = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=21)
    seeded = seed_meeting(app, cases=2, starts_at=starts_at)
    with app.app_context():
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.status = MeetingStatus.LIST_ISSUED
        research = ResearchReturn(
            agenda_item_id=seeded.item_ids[1], agency_id=world.own_agency_id, due_at=meeting.research_due_at
        )
        recipient = add_user("fuzz-near-match@example.org", Role.AGENCY_REP, world.own_agency_id)
        db.session.get(User, recipient).name = NEAR_MATCHED_NAME
        excluded = ExcludedPerson(case_id=seeded.case_ids[1], name=NEAR_MATCHED_NAME, recorded_by_id=seeded.referrer_id)
        db.session.add_all([research, excluded])
        referral_in_state(world, seeded.referrer_id, "Planned", ReferralState.ACCEPTED)
        sar_id = subject_access_request_to_confirm(world)
        db.session.commit()
        return world.ids | {
            "sar_id": sar_id,
            "meeting_id": meeting.id,
            "item_id": seeded.item_ids[0],
            "return_id": research.id,
            "excluded_person_id": excluded.id,
            "user_id": recipient,
        }


def subject_access_request_to_confirm(world: World) -> int:
    """Recorded, with people found, but nobody confirmed yet: the page that says who it is about offers its form."""
    request = subject_access.record_request(
        requester_kind=RequesterKind.PERPETRATOR,
        requester_name="Fuzz Requester",
        received_by=ReceivedBy.LETTER,
        received_on=date.today(),
        terms=subject_access.SearchTerms(("Perpetrator1 Case",), (), ()),
        user=db.session.get(User, world.users[Role.COORDINATOR]),
    )
    return request.id


def referral_in_state(world: World, referrer_id: int, given_name: str, state: ReferralState) -> str:
    referrer = db.session.get(User, referrer_id)
    case = cases_store.create_case(
        victim=add_person(referrer.agency_id, given_name, "Referral", date(1992, 5, 6), "RV1 2AB"),
        marac_area="Riverside",
        agency_id=referrer.agency_id,
    )
    add_assessment(case, referrer, "dash-ric", yes_to(15), date.today())
    return refer_now(case, referrer, date.today(), "Riverside", state).id


def a_case_to_refer(app, world: World) -> dict[str, object]:
    """A case that meets the criteria and has no referral yet: the referral form opens on it."""
    with app.app_context():
        referrer = db.session.get(User, world.users[Role.PRACTITIONER])
        case = cases_store.create_case(
            victim=add_person(referrer.agency_id, "Unreferred", "Victim", date(1991, 3, 4), "RV1 2AB"),
            marac_area="Riverside",
            agency_id=referrer.agency_id,
        )
        add_assessment(case, referrer, "dash-ric", yes_to(15), date.today())
        db.session.commit()
        return world.ids | {"case_id": case.id, "person_id": victim_of(case.id)}


def a_case_on_legal_hold(app, world: World) -> dict[str, object]:
    """A case the coordinator has put on legal hold (SECURITY D5): its page offers to lift the hold."""
    with app.app_context():
        referrer = db.session.get(User, world.users[Role.PRACTITIONER])
        case = cases_store.create_case(
            victim=add_person(referrer.agency_id, "Held", "Victim", date(1988, 5, 6), "RV1 2AB"),
            marac_area="Riverside",
            agency_id=referrer.agency_id,
        )
        retention.set_hold(case, "Inquest", db.session.get(User, world.users[Role.COORDINATOR]))
        db.session.commit()
        return world.ids | {"case_id": case.id, "person_id": victim_of(case.id)}


def a_referral_waiting(app, world: World) -> dict[str, object]:
    """A referral the coordinator has not looked at, on its own case: it may still be withdrawn."""
    with app.app_context():
        referral_id = referral_in_state(world, world.users[Role.PRACTITIONER], "Withdrawable", ReferralState.RECEIVED)
        case_id = db.session.get(Referral, referral_id).case_id
        db.session.commit()
        return world.ids | {"case_id": case_id, "person_id": victim_of(case_id), "referral_id": referral_id}


def a_case_just_taken_off(app, world: World) -> dict[str, object]:
    """The meeting page straight after "Take off", which offers "Put it back" (its token is in the page's
    address: extra_pages are crawled for forms as well as each route's own page)."""
    seeded = seed_meeting(app, cases=2, starts_at=MEETING_START + timedelta(days=28))
    with app.test_request_context():
        meeting = db.session.get(Meeting, seeded.meeting_id)
        taken_off = agenda.take_off(meeting, db.session.get(AgendaItem, seeded.item_ids[0]), user=None)
        token = agenda.put_back_token(taken_off)
        db.session.commit()
    return world.ids | {
        "meeting_id": seeded.meeting_id,
        "item_id": seeded.item_ids[1],
        "extra_pages": [f"/meetings/{seeded.meeting_id}?taken_off={token}"],
    }
