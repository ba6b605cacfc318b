"""No N+1 anywhere (issue 20): every GET page of the seeded world, as each role, runs as many SQL statements in a
world with 2 cases as in one with 12, with every case on the agenda and each with its research, action, minutes,
incident and notice, so every list and agenda grows; in the bigger world each case also names more people, so a
case's own lists grow too. A page whose count grows with the cases or the people loads row by row."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from access import sessions
from access.models import Notification, Role, User
from cases import store as cases_store
from cases.models import Case, PartyRole
from demo.cases import add_person
from extensions import db
from meetings.models import Action, ActionStatus, ActionUpdate, AgendaItem, CaseMinutes, ResearchReturn
from tests.conftest import give_session
from tests.sql_statements import statements_run
from tests.world import real_url, seed_world, world_app

FEW, MANY = 2, 12
# Household members each case names besides its victim, perpetrator and child: more in the bigger world.
HOUSEHOLD = {FEW: 1, MANY: 4}


def grow_every_case(app, world, household: int) -> None:
    """Give every case of the world's meeting what the first one has, and more, so each list holds one per case."""
    with app.app_context():
        items = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == world.ids["meeting_id"])).all()
        for item in items:
            grow_case(item, world, household)
        db.session.commit()


def grow_case(item: AgendaItem, world, household: int) -> None:
    case = db.session.get(Case, item.referral.case_id)
    for number in range(household):
        person = add_person(case.created_by_agency_id, f"Member{number}", "Household", date(1970, 1, 1 + number))
        cases_store.add_party(case, person, PartyRole.HOUSEHOLD_MEMBER, "Lodger")
    coordinator = world.users[Role.COORDINATOR]
    for agency_id in (world.own_agency_id, world.other_agency_id):
        if not db.session.scalar(select(ResearchReturn).filter_by(agenda_item_id=item.id, agency_id=agency_id)):
            db.session.add(
                ResearchReturn(agenda_item_id=item.id, agency_id=agency_id, due_at=item.meeting.research_due_at)
            )
    action = Action(
        case_id=case.id,
        agenda_item_id=item.id,
        description="Visit the home",
        owner_agency_id=world.own_agency_id,
        owner_name="Pat Owner",
        due_on=date.today() + timedelta(days=5),
    )
    db.session.add_all([action, CaseMinutes(agenda_item_id=item.id, decisions="Safety plan agreed")])
    db.session.flush()
    db.session.add(
        ActionUpdate(
            action_id=action.id,
            status=ActionStatus.OPEN,
            note="Started",
            updated_by_id=coordinator,
            agency_id=world.own_agency_id,
        )
    )
    cases_store.add_incident(
        case,
        occurred_on=date.today() - timedelta(days=3),
        type="threats",
        agency_id=world.own_agency_id,
        reference=None,
        recorded_by=db.session.get(User, coordinator),
    )
    db.session.add(Notification(user_id=coordinator, message="A notice", case_id=case.id))


@contextmanager
def world_of(database_template, folder, cases: int):
    with world_app(database_template, folder) as app:
        world = seed_world(app, cases=cases)
        grow_every_case(app, world, HOUSEHOLD[cases])
        yield app, world


@pytest.fixture(scope="module")
def few(database_template, tmp_path_factory):
    with world_of(database_template, tmp_path_factory.mktemp("few-cases"), FEW) as built:
        yield built


@pytest.fixture(scope="module")
def many(database_template, tmp_path_factory):
    with world_of(database_template, tmp_path_factory.mktemp("many-cases"), MANY) as built:
        yield built


def get_rules(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods), key=lambda rule: rule.rule)


def statements_per_page(app, world, role: Role) -> dict[str, int]:
    """Each page is fetched twice and counted the second time, so what a process loads once is not counted."""
    client = app.test_client()
    give_session(app, client, world.users[role])
    urls = {rule.rule: real_url(rule, world.ids) for rule in get_rules(app)}
    for url in urls.values():
        client.get(url)
    counts = {}
    with statements_run(app) as statements:
        for rule, url in urls.items():
            statements.clear()
            client.get(url)
            counts[rule] = len(statements)
    return counts


def grown(few_counts: dict[str, int], many_counts: dict[str, int]) -> list[str]:
    return [
        f"GET {rule}: {few_counts[rule]} statements with {FEW} cases, {many_counts[rule]} with {MANY}"
        for rule in few_counts
        if few_counts[rule] != many_counts[rule]
    ]


@pytest.mark.parametrize("role", list(Role))
def test_every_page_runs_as_many_statements_with_12_cases_as_with_2(few, many, role, monkeypatch):
    # The session's idle clock is written once it has moved a minute, whatever the page (access/sessions.py). On a
    # busy machine a crawl outlasts that minute, and the write fell on one page in one world and not in the other.
    monkeypatch.setattr(sessions, "idle_clock_has_moved_a_step", lambda row, now: False)
    few_app, few_world = few
    many_app, many_world = many

    pages = grown(statements_per_page(few_app, few_world, role), statements_per_page(many_app, many_world, role))

    assert pages == [], "\n".join(pages)


def test_the_counting_sees_a_statement_per_row_loaded_one_by_one(many):
    """Shows the check can fail: loading each case's victim in turn counts one statement per case."""
    app, world = many
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        db.session.expunge_all()
        with statements_run(app) as statements:
            for case in cases:
                db.session.get(Case, case.id)
        db.session.rollback()
    assert len(statements) >= MANY
