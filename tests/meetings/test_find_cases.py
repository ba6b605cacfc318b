"""Find a case (/cases): search by name (near matches too), date of birth, postcode or reference, filters,
sort and pages, over exactly the cases the person may open, each listing recorded under its case."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from access import store as access_store
from access.models import AgencyKind, AuditEvent, Role, User
from cases import store as cases_store
from cases.models import ClearanceDecision, DistributionClearance, ExcludedPerson, PartyRole, ReferralState
from demo.cases import add_assessment, add_person, refer_now, yes_to
from extensions import db
from meetings.models import Action, AgendaItem, AgendaSection, Meeting
from tests.conftest import give_session

AGENCIES = {
    "Riverside IDVA Service": AgencyKind.IDVA,
    "Riverside Police": AgencyKind.POLICE,
    "Riverside Housing": AgencyKind.HOUSING,
}
SHOWN_REFERENCE = re.compile(r">([A-Z]{2,5}-\d{4}-\d{4,})<span class=\"govuk-visually-hidden\">: open the case")
NO_DATE = ["", "", ""]
BAD_DATE = "Enter the date of birth as a day, month and year, like 27 3 1990"


@dataclass(frozen=True)
class World:
    cases: dict[str, str]  # short name -> case id
    references: dict[str, str]
    users: dict[str, int]
    meetings: dict[str, int]
    agencies: dict[str, int]

    def name_of(self, reference: str) -> str:
        return next(name for name, known in self.references.items() if known == reference)


def make_agencies() -> dict[str, int]:
    return {
        name: (access_store.get_agency_by_name(name) or access_store.create_agency(name=name, kind=kind)).id
        for name, kind in AGENCIES.items()
    }


def open_case(agency_id, given, family, born, postcode, opened_days_ago):
    case = cases_store.create_case(
        victim=add_person(agency_id, given, family, born, postcode), marac_area="Riverside", agency_id=agency_id
    )
    case.created_at = datetime.now(UTC) - timedelta(days=opened_days_ago)
    return case


def refer(case, user, state, *, criteria_extra=()):
    add_assessment(case, user, "dash-ric", yes_to(15), date.today() - timedelta(days=3))
    referral = refer_now(case, user, date.today() - timedelta(days=2), "Riverside", state)
    referral.criteria = [*referral.criteria, *criteria_extra]
    return referral


def put_on_agenda(meeting, referral):
    item = AgendaItem(
        meeting=meeting,
        referral=referral,
        position=1,
        section=AgendaSection.CHILDREN,
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + timedelta(minutes=15),
        flags=[],
    )
    db.session.add(item)
    db.session.flush()
    return item


@pytest.fixture
def world(app, make_user) -> World:
    """Four cases. Two women called Jane Smith (one the IDVA service's, one the police's: a repeat, with a
    child and an overdue action, on the sooner meeting), Janet Smyth (police, not referred, with a child)
    and Ann Other (police, waiting for the coordinator, whose exclusion list names the police
    representative and the chair)."""
    users = {
        "coordinator": make_user("coordinator@example.org", Role.COORDINATOR, "Riverside IDVA Service")[0],
        "chair": make_user("chair@example.org", Role.CHAIR, "Riverside Police", name="Chris Chair")[0],
        "police": make_user("police@example.org", Role.PRACTITIONER, "Riverside Police")[0],
        "police rep": make_user("rep@example.org", Role.AGENCY_REP, "Riverside Police", name="Rhea Rep")[0],
        "idva": make_user("idva@example.org", Role.PRACTITIONER, "Riverside IDVA Service")[0],
        "housing": make_user("housing@example.org", Role.PRACTITIONER, "Riverside Housing")[0],
    }
    with app.app_context():
        agencies = make_agencies()
        idva, police = (db.session.get(User, users[name]) for name in ("idva", "police"))
        soon = Meeting(area="Riverside", starts_at=datetime.now(UTC) + timedelta(days=7), venue="Room 1")
        later = Meeting(area="Riverside", starts_at=datetime.now(UTC) + timedelta(days=21), venue="Room 2")
        db.session.add_all([soon, later])
        db.session.flush()

        jane_idva = open_case(agencies["Riverside IDVA Service"], "Jane", "Smith", date(1990, 3, 14), "RV1 2AB", 40)
        put_on_agenda(later, refer(jane_idva, idva, ReferralState.SCHEDULED))

        jane_police = open_case(agencies["Riverside Police"], "Jane", "Smith", date(1985, 7, 2), "RV9 8XY", 30)
        item = put_on_agenda(soon, refer(jane_police, police, ReferralState.SCHEDULED, criteria_extra=["repeat"]))
        cases_store.add_party(
            jane_police, add_person(police.agency_id, "Kid", "Smith", date(2018, 1, 1)), PartyRole.CHILD
        )
        db.session.add(
            Action(
                case_id=jane_police.id,
                agenda_item_id=item.id,
                description="Check the address",
                owner_agency_id=police.agency_id,
                owner_name="Pat",
                due_on=date.today() - timedelta(days=1),
            )
        )

        janet = open_case(agencies["Riverside Police"], "Janet", "Smyth", date(1979, 5, 5), "rv12 3cd", 20)
        cases_store.add_party(janet, add_person(police.agency_id, "Kid", "Smyth", date(2019, 1, 1)), PartyRole.CHILD)

        ann = open_case(agencies["Riverside Police"], "Ann", "Other", date(1970, 1, 1), "RV1 9ZZ", 10)
        refer(ann, police, ReferralState.RECEIVED)
        for name in ("Rhea Rep", "Chris Chair"):
            db.session.add(ExcludedPerson(case_id=ann.id, name=name, recorded_by_id=police.id))

        cases = {"jane idva": jane_idva, "jane police": jane_police, "janet": janet, "ann": ann}
        db.session.commit()
        return World(
            cases={name: case.id for name, case in cases.items()},
            references={name: case.reference for name, case in cases.items()},
            users=users,
            meetings={"soon": soon.id, "later": later.id},
            agencies=agencies,
        )


def client_for(app, world: World, who: str):
    client = app.test_client()
    give_session(app, client, world.users[who])
    return client


def find(client, **data):
    """POSTs the search; returns (status, page, the names of the cases listed, in order)."""
    form = {"date_of_birth": NO_DATE, "sort": "newest"} | data
    response = client.post(client.url("meetings.find_cases"), data=form)
    return response.status_code, response.get_data(as_text=True)


def listed(world: World, page: str) -> list[str]:
    return [world.name_of(reference) for reference in SHOWN_REFERENCE.findall(page)]


def listings(app, user_id: int) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.object_id).where(AuditEvent.user_id == user_id, AuditEvent.action == "case-listed")
        return list(db.session.scalars(query))


# Who sees what.

ALL = ["ann", "janet", "jane police", "jane idva"]  # newest first


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("coordinator", ALL),
        ("chair", ["janet", "jane police", "jane idva"]),
        ("police", ["ann", "janet", "jane police"]),
        ("police rep", ["janet", "jane police"]),
        ("idva", ["jane idva"]),
        ("housing", []),
    ],
)
def test_each_role_lists_exactly_the_cases_it_may_open_and_each_listing_is_audited(app, world, who, expected):
    client = client_for(app, world, who)

    page = client.get(client.url("meetings.find_cases")).get_data(as_text=True)

    assert listed(world, page) == expected
    may_open = [
        name for name in ALL if client.get(client.url("cases.view_case", case_id=world.cases[name])).status_code == 200
    ]
    assert may_open == expected
    assert sorted(listings(app, world.users[who])) == sorted(world.cases[name] for name in expected)


def results(page: str) -> str:
    return page.split('id="results"', 1)[1].split("</main>", 1)[0]


def test_someone_on_an_exclusion_list_gets_no_row_no_count_and_no_hint(app, world):
    client = client_for(app, world, "police rep")
    searches = [
        ({"name": "Ann Other"}, {"name": "Bea Nobody"}),
        ({"reference": world.references["ann"]}, {"reference": "MARAC-1999-0001"}),
        ({"postcode": "RV1 9ZZ"}, {"postcode": "ZZ9 9ZZ"}),
    ]

    for hers, nobodys in searches:
        status, page = find(client, **hers)

        assert status == 200
        assert results(page) == results(find(client, **nobodys)[1])  # the same as for someone not known at all
        assert "0 cases" in results(page)
    assert "2 cases" in find(client)[1]
    assert world.cases["ann"] not in listings(app, world.users["police rep"])


@pytest.mark.parametrize(("decision", "shown"), [("withhold", []), ("release", ["ann"])])
def test_a_withheld_match_still_sees_nothing_and_a_released_one_sees_the_case(app, world, decision, shown):
    with app.app_context():
        entry = db.session.scalar(select(ExcludedPerson).where(ExcludedPerson.name == "Chris Chair"))
        db.session.add(
            DistributionClearance(
                meeting_id=world.meetings["soon"],
                excluded_person_id=entry.id,
                user_id=world.users["chair"],
                decision=ClearanceDecision(decision),
                decided_by_id=world.users["coordinator"],
            )
        )
        db.session.commit()

    assert listed(world, find(client_for(app, world, "chair"), name="Ann Other")[1]) == shown


def test_a_case_opened_by_breaking_the_glass_is_listed_while_the_look_lasts(app, world):
    police = client_for(app, world, "police")
    assert "jane idva" not in listed(world, find(police, name="Jane Smith")[1])

    police.post(
        police.url("cases.break_glass", case_id=world.cases["jane idva"]),
        data={"reason": "She arrived at the station asking for help tonight."},
    )

    assert "jane idva" in listed(world, find(police, name="Jane Smith")[1])
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2)):
        give_session(app, police, world.users["police"])
        assert "jane idva" not in listed(world, find(police, name="Jane Smith")[1])


def test_the_coordinator_is_held_by_no_exclusion_list(app, world):
    assert listed(world, find(client_for(app, world, "coordinator"), name="Ann Other")[1]) == ["ann"]


def test_administrators_may_not_use_the_page(client, sign_in_as):
    sign_in_as(Role.ADMIN)

    assert client.get(client.url("meetings.find_cases")).status_code == 403
    assert client.post(client.url("meetings.find_cases"), data={"name": "Jane Smith"}).status_code == 403


# Telling people apart, and the ways of searching.


def test_two_women_with_the_same_name_are_told_apart_by_reference_date_of_birth_and_district(app, world):
    _, page = find(client_for(app, world, "coordinator"), name="Jane Smith", sort="oldest")

    assert listed(world, page)[:2] == ["jane idva", "jane police"]
    first, second = page.split(world.references["jane idva"])[1], page.split(world.references["jane police"])[1]
    assert "14 Mar 1990" in first.split("</tr>")[0] and ">RV1<" in first.split("</tr>")[0]
    assert "2 Jul 1985" in second.split("</tr>")[0] and ">RV9<" in second.split("</tr>")[0]
    assert "RV1 2AB" not in page and "RV9 8XY" not in page  # the district is enough to tell them apart


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ({"name": "Jane Smyth"}, ["janet", "jane police", "jane idva"]),
        ({"name": "SMITH, Jane"}, ["janet", "jane police", "jane idva"]),
        ({"name": "smith"}, ["jane police", "jane idva"]),
        ({"name": "Other Ann"}, ["ann"]),
        ({"name": "Nobody Known"}, []),
        ({"date_of_birth": ["14", "3", "1990"]}, ["jane idva"]),
        ({"postcode": "rv12ab"}, ["jane idva"]),
        ({"postcode": "RV12 3CD"}, ["janet"]),
        ({"postcode": "rv1"}, ["ann", "jane idva"]),
        ({"name": "Jane Smith", "date_of_birth": ["2", "7", "1985"]}, ["jane police"]),
        ({"name": "Jane Smith", "postcode": "RV9"}, ["jane police"]),
    ],
)
def test_searching_by_name_date_of_birth_and_postcode(app, world, search, expected):
    status, page = find(client_for(app, world, "coordinator"), **search)

    assert status == 200
    assert listed(world, page) == expected


@pytest.mark.parametrize("typed", ["{}", "{lower}", "{nodash}", "{spaced}"])
def test_searching_by_reference_ignores_case_spaces_and_dashes(app, world, typed):
    reference = world.references["jane police"]
    prefix, year, number = reference.split("-")
    text = typed.format(
        reference,
        lower=reference.lower(),
        nodash=f"{prefix}{year}{number}",
        spaced=f" {prefix.lower()} {year} {int(number)} ",
    )

    _, page = find(client_for(app, world, "coordinator"), reference=text)

    assert listed(world, page) == ["jane police"]


# Filters and sorting.


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"referral_state": "not-referred"}, ["janet"]),
        ({"referral_state": "received"}, ["ann"]),
        ({"referral_state": "scheduled"}, ["jane police", "jane idva"]),
        ({"meeting": "any"}, ["jane police", "jane idva"]),
        ({"meeting": "none"}, ["ann", "janet"]),
        ({"flags": ["repeat"]}, ["jane police"]),
        ({"flags": ["children"]}, ["janet", "jane police"]),
        ({"flags": ["overdue-actions"]}, ["jane police"]),
        ({"flags": ["children", "repeat"]}, ["jane police"]),
        ({"name": "Jane Smith", "flags": ["children"]}, ["janet", "jane police"]),
    ],
)
def test_filters(app, world, filters, expected):
    _, page = find(client_for(app, world, "coordinator"), **filters)

    assert listed(world, page) == expected


def test_filtering_by_meeting_and_by_referring_agency(app, world):
    client = client_for(app, world, "coordinator")

    assert listed(world, find(client, meeting=str(world.meetings["later"]))[1]) == ["jane idva"]
    assert listed(world, find(client, agency=str(world.agencies["Riverside Police"]))[1]) == ["ann", "jane police"]
    assert listed(world, find(client, agency=str(world.agencies["Riverside Housing"]))[1]) == []


def test_each_row_says_where_the_referral_stands_in_plain_words(app, world):
    _, page = find(client_for(app, world, "coordinator"))

    for words in ("Not referred", "Waiting for the coordinator", "On a meeting&#39;s agenda", "by Riverside Police"):
        assert words in page
    assert "scheduled" not in page.lower().split("<tbody")[1]
    assert "Repeat</strong>" in page and "Children</strong>" in page and "Overdue actions</strong>" in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ALL),
        ("oldest", list(reversed(ALL))),
        ("name", ["ann", "jane police", "jane idva", "janet"]),
        ("next-meeting", ["jane police", "jane idva", "ann", "janet"]),
    ],
)
def test_sorting(app, world, sort, expected):
    _, page = find(client_for(app, world, "coordinator"), sort=sort)

    assert listed(world, page) == expected


# Pages, empty results and bad input.


def test_results_come_25_to_a_page_and_each_page_keeps_the_search(app, world):
    with app.app_context():
        agency_id = world.agencies["Riverside Police"]
        for number in range(30):
            open_case(agency_id, f"Paged{number}", "Person", date(1980, 1, 1), "RV5 1AA", 100 + number)
        db.session.commit()
    client = client_for(app, world, "coordinator")

    _, first = find(client, postcode="RV5")
    status, second = find(client, postcode="RV5", page="2")

    assert "30 cases, page 1 of 2" in first and "30 cases, page 2 of 2" in second
    assert len(SHOWN_REFERENCE.findall(first)) == 25 and len(SHOWN_REFERENCE.findall(second)) == 5
    assert not set(SHOWN_REFERENCE.findall(first)) & set(SHOWN_REFERENCE.findall(second))
    assert 'class="govuk-pagination"' in first and 'name="postcode" value="RV5"' in first
    assert 'aria-current="page">2</button>' in second
    assert len(listings(app, world.users["coordinator"])) == 30  # each case once, on the page that showed it


@pytest.mark.parametrize("page", ["0", "abc", "-1", "99999999999999999999"])
def test_a_page_number_out_of_range_shows_the_nearest_page(app, world, page):
    status, text = find(client_for(app, world, "coordinator"), page=page)

    assert status == 200 and len(SHOWN_REFERENCE.findall(text)) == 4


def test_an_empty_result_says_what_to_try_next(app, world):
    _, page = find(
        client_for(app, world, "coordinator"), name="Nobody Known", date_of_birth=["1", "1", "2000"], flags=["repeat"]
    )

    assert "0 cases" in page
    assert "search by the surname alone" in page and "search without it" in page and "untick them" in page


def test_someone_with_no_cases_is_told_how_cases_reach_the_list(app, world):
    page = client_for(app, world, "housing").get("/cases").get_data(as_text=True)

    assert "There are no cases you may see yet" in page


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"date_of_birth": ["31", "2", "1990"]}, "Enter the date of birth as a day, month and year, like 27 3 1990"),
        (
            {"date_of_birth": ["14", "March", "1990"]},
            "Enter the date of birth as a day, month and year, like 27 3 1990",
        ),
        ({"date_of_birth": ["1", "2"]}, "Enter the date as a day, month and year"),
        ({"postcode": "not a postcode"}, "Enter a postcode, like SW1A 1AA, or the first half of one, like SW1A"),
        ({"reference": "12345"}, "Enter a case reference like RIV-2026-0142"),
        ({"meeting": "999999"}, "Not a valid choice"),
        ({"sort": "sideways"}, "Not a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_no_results_and_no_crash(app, world, bad, message):
    status, page = find(client_for(app, world, "coordinator"), **bad)

    assert status == 400
    assert "There is a problem" in page and message in page
    assert SHOWN_REFERENCE.findall(page) == []
    assert listings(app, world.users["coordinator"]) == []


def test_no_name_date_of_birth_or_postcode_goes_in_the_url(app, world):
    client = client_for(app, world, "coordinator")
    page = client.get("/cases").get_data(as_text=True)

    assert re.search(r'<form method="post" novalidate>', page)
    assert 'method="get"' not in page


def test_the_page_is_in_the_navigation_for_the_roles_that_may_use_it(app, world):
    for who in ("coordinator", "chair", "police", "police rep"):
        home = client_for(app, world, who).get("/").get_data(as_text=True)
        assert 'href="/cases"' in home and "Find a case" in home
    assert client_for(app, world, "police").get("/cases").status_code == 200


@pytest.mark.parametrize("who", ["coordinator", "police"])
def test_a_full_page_costs_no_more_queries_than_a_short_one(app, world, who):
    from tests.sql_statements import statements_run

    client = client_for(app, world, who)
    find(client, name="Jane Smith")
    with statements_run(app) as short:
        find(client, name="Jane Smith")
    with app.app_context():
        for number in range(30):
            open_case(world.agencies["Riverside Police"], "Jane", "Smith", date(1980, 1, 1), "RV5 1AA", 100 + number)
        db.session.commit()
    with statements_run(app) as full:
        _, page = find(client, name="Jane Smith")

    assert len(SHOWN_REFERENCE.findall(page)) == 25
    assert len(full) == len(short)
