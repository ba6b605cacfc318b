"""The exclusion list: people who must not receive information about a case, named at referral, and
the near-match test that compares them with the people who would receive the meeting's documents."""

import logging

import pytest
from sqlalchemy import select

from access.models import AuditEvent, Role
from cases.models import ExcludedPerson, Referral
from extensions import db
from risk.matching import near_match, typing_distance
from tests.cases.test_journey import complete_ric, count, refer, start_case
from tests.conftest import give_session

SAME_PERSON = [
    ("John Smith", "John Smith"),
    ("JOHN SMITH", "john  smith"),
    ("  John   Smith ", "John Smith"),
    ("Zoë Brontë", "Zoe Bronte"),
    ("Seán O'Brien", "Sean OBrien"),
    ("Sean O Brien", "Sean OBrien"),
    ("Mary Mc Donald", "Mary McDonald"),
    ("Smith, John", "John Smith"),
    ("Smith John", "John Smith"),
    ("SMITH John", "John Smith"),
    ("Jon Smith", "John Smith"),
    ("John Smtih", "John Smith"),
    ("John Smyth", "John Smith"),
    ("Jonathon Smithe", "Jonathan Smith"),
    ("Katherine Brown", "Kathryn Brown"),
    ("J Smith", "John Smith"),
    ("J. Smith", "John Smith"),
    ("Smith J", "John Smith"),
    ("Paul Smith", "John Paul Smith"),
    ("Jane Smith-Jones", "Jane Smith"),
    ("Dr Jane Smith", "Jane Smith"),
    ("Smith", "John Smith"),
    ("Johnston Lee", "Johnson Lee"),
]
DIFFERENT_PEOPLE = [
    ("John Smith", "John Jones"),
    ("John Smith", "John Smithson"),
    ("John Smith", "Jane Smith"),
    ("J Smith", "Peter Smith"),
    ("Tom Walker", "Tom Parker"),
    ("Li Wei", "Lu Wei"),
    ("Jane Doe", "Sam Worker"),
    ("Smith", "Jane Jones"),
    ("", "John Smith"),
    ("   ", "John Smith"),
    ("-", "John Smith"),
]


@pytest.mark.parametrize("excluded, recipient", SAME_PERSON)
def test_a_near_match_is_found_either_way_round(excluded, recipient):
    assert near_match(excluded, recipient)
    assert near_match(recipient, excluded)


@pytest.mark.parametrize("excluded, recipient", DIFFERENT_PEOPLE)
def test_different_people_do_not_match_either_way_round(excluded, recipient):
    assert not near_match(excluded, recipient)
    assert not near_match(recipient, excluded)


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("smith", "smith", 0),
        ("smith", "smyth", 1),
        ("smith", "smtih", 1),
        ("smith", "smithson", 3),
        ("kitten", "sitting", 3),
        ("", "abc", 3),
        ("ab", "ba", 1),
    ],
)
def test_typing_distance_counts_each_slip_once(a, b, distance):
    assert typing_distance(a, b) == distance
    assert typing_distance(b, a) == distance


# Recording the list at referral

EXCLUSIONS = "Darren Smith, Riverside Housing, perpetrator's brother\n\n  Karen Jones  \nDarren SMITH"


@pytest.fixture
def practitioner(sign_in_as):
    return sign_in_as(Role.PRACTITIONER, agency="Riverside IDVA Service")


@pytest.fixture
def eligible_case(client, practitioner):
    case_id = start_case(client)
    complete_ric(client, case_id, 14)
    return case_id


def exclusions_of(app, case_id) -> list[tuple[str, str | None, int]]:
    with app.app_context():
        rows = db.session.scalars(
            select(ExcludedPerson).where(ExcludedPerson.case_id == case_id).order_by(ExcludedPerson.id)
        )
        return [(row.name, row.note, row.recorded_by_id) for row in rows]


def test_the_referral_records_each_person_on_the_list_once_and_audits_without_names(
    app, client, practitioner, eligible_case, caplog
):
    caplog.set_level(logging.INFO, logger="marac")

    response = refer(client, eligible_case, excluded_people=EXCLUSIONS)

    assert response.status_code == 302
    assert exclusions_of(app, eligible_case) == [
        ("Darren Smith", "Riverside Housing, perpetrator's brother", practitioner),
        ("Karen Jones", None, practitioner),
    ]
    with app.app_context():
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exclusion-recorded")).all()
        assert [(row.object_type, row.object_id, row.user_id) for row in audit] == [
            ("case", eligible_case, practitioner)
        ]
    assert "Darren" not in caplog.text and "Karen" not in caplog.text


def test_a_referral_without_a_list_records_no_exclusions_and_no_audit_row(app, client, eligible_case):
    assert refer(client, eligible_case).status_code == 302

    assert exclusions_of(app, eligible_case) == []
    assert count(app, AuditEvent, AuditEvent.action == "exclusion-recorded") == 0


def test_twenty_people_of_200_characters_each_are_accepted(app, client, eligible_case):
    lines = [f"Person{number:02d} " + "x" * 191 for number in range(20)]
    assert {len(line) for line in lines} == {200}

    assert refer(client, eligible_case, excluded_people="\n".join(lines)).status_code == 302

    assert len(exclusions_of(app, eligible_case)) == 20


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "\n".join(f"Person {number}" for number in range(21)),
            "Enter 20 people or fewer, one on each line; you entered 21",
        ),
        ("Karen Jones\n" + "D" * 201, "Shorten person 2 on the list to 200 characters or fewer"),
        ("Karen Jones\n, perpetrator's brother", "Enter a name before the comma for person 2 on the list"),
    ],
)
def test_a_list_that_is_too_long_is_refused_with_a_message_and_nothing_is_saved(
    app, client, eligible_case, text, message
):
    response = refer(client, eligible_case, excluded_people=text)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, Referral) == 0
    assert count(app, ExcludedPerson) == 0


def test_the_case_page_shows_the_list_to_the_referrer_and_the_coordinator_only(
    app, client, make_user, practitioner, eligible_case
):
    refer(client, eligible_case, excluded_people=EXCLUSIONS)
    viewers = {
        "referrer": practitioner,
        "coordinator": make_user(email="coordinator@example.org", role=Role.COORDINATOR)[0],
        "chair": make_user(email="chair@example.org", role=Role.CHAIR)[0],
        "colleague of the referrer": make_user(email="colleague@example.org", agency="Riverside IDVA Service")[0],
    }
    shown = {}
    for who, user_id in viewers.items():
        give_session(app, client, user_id)
        page = client.get(client.url("cases.view_case", case_id=eligible_case))
        assert page.status_code == 200, who
        shown[who] = "Darren Smith" in page.get_data(as_text=True)

    assert shown == {"referrer": True, "coordinator": True, "chair": False, "colleague of the referrer": False}


def test_the_coordinator_sees_the_list_on_the_referral_in_the_queue(app, client, make_user, eligible_case):
    refer(client, eligible_case, excluded_people=EXCLUSIONS)
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    for role, shown in ((Role.COORDINATOR, True), (Role.CHAIR, False)):
        give_session(app, client, make_user(email=f"{role.value}@example.org", role=role)[0])

        page = client.get(client.url("meetings.view_referral", referral_id=referral_id)).get_data(as_text=True)

        assert ("Karen Jones" in page) is shown, role
