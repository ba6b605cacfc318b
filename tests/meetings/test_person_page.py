"""The person page: her cases and MARAC history across cases, as far as the reader may see them."""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from access.models import AuditEvent, Role, User
from cases import store as cases_store
from cases.models import Case, ExcludedPerson, Person, Referral, ReferralState
from demo.cases import refer_now
from extensions import db
from meetings.models import AgendaItem, AgendaSection, Meeting, MeetingStatus, Transfer
from tests.conftest import give_session
from tests.meetings.factories import seed_meeting

FIRST_HEARING = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
SECOND_HEARING = datetime(2025, 9, 10, 10, 0, tzinfo=UTC)
NEXT_MEETING = datetime(2027, 2, 3, 10, 0, tzinfo=UTC)
SAFE_ADDRESS = "Flat 9, Refuge Lantern House"


@dataclass(frozen=True)
class Story:
    person_id: str
    heard_twice: str
    """Opened by the IDVA service, heard in January and again, as a repeat, in September 2025."""
    transferred_in: str
    """Opened by the police, transferred in from Northshire, on the agenda of a meeting to come."""
    perpetrator_id: str


def add_to_agenda(referral: Referral, starts_at: datetime, status: MeetingStatus, flags=()) -> None:
    meeting = Meeting(area="Riverside", starts_at=starts_at, venue="Room 2", status=status)
    db.session.add(meeting)
    db.session.flush()
    db.session.add(
        AgendaItem(
            meeting_id=meeting.id,
            referral_id=referral.id,
            position=1,
            section=AgendaSection.ADULT_ONLY,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=15),
            flags=list(flags),
        )
    )


@pytest.fixture
def story(app) -> Story:
    seeded = seed_meeting(app, cases=1, starts_at=FIRST_HEARING, with_children=False)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.DISTRIBUTED
        db.session.get(Referral, seeded.referral_ids[0]).state = ReferralState.HEARD
        first, referrer = db.session.get(Case, seeded.case_ids[0]), db.session.get(User, seeded.referrer_id)
        first.created_at = datetime(2024, 12, 20, 9, 0, tzinfo=UTC)
        repeat = refer_now(first, referrer, SECOND_HEARING.date(), "Riverside", ReferralState.HEARD)
        repeat.criteria = [*repeat.criteria, "repeat"]
        add_to_agenda(repeat, SECOND_HEARING, MeetingStatus.DISTRIBUTED)
        cases_store.save_safe_contact(
            first, referrer, phone="07700 900123", safe_to_call=True, safe_address=SAFE_ADDRESS
        )
        # Her second case: opened and referred by the police after she moved here, waiting for its meeting.
        police = seeded.agency_ids["Riverside Police"]
        second = cases_store.create_case(victim=first.victim, marac_area="Riverside", agency_id=police)
        second.created_at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        transferred = refer_now(second, referrer, date(2026, 11, 2), "Riverside", ReferralState.SCHEDULED)
        transferred.agency_id = police
        add_to_agenda(transferred, NEXT_MEETING, MeetingStatus.PLANNED, flags=["transfer-in"])
        db.session.add(
            Transfer(
                case_id=second.id,
                incoming=True,
                other_area="Northshire",
                transferred_on=date(2026, 10, 20),
                recorded_by_id=referrer.id,
            )
        )
        perpetrator_id = first.parties[0].person_id
        db.session.commit()
        return Story(first.victim_id, first.id, second.id, perpetrator_id)


def reader(app, make_user, role, agency, email, name="Sam Worker"):
    client = app.test_client()
    user_id, _ = make_user(email=email, role=role, agency=agency, name=name)
    give_session(app, client, user_id)
    client.user_id = user_id
    return client


def page_of(client, person_id):
    response = client.get(client.url("meetings.view_person", person_id=person_id))
    return response.status_code, response.get_data(as_text=True)


def exclude(app, case_id, name, recorded_by):
    with app.app_context():
        db.session.add(ExcludedPerson(case_id=case_id, name=name, recorded_by_id=recorded_by))
        db.session.commit()


def test_the_coordinator_sees_a_repeat_heard_twice_and_a_transfer_in(app, make_user, story):
    coordinator = reader(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")

    status, page = page_of(coordinator, story.person_id)

    assert status == 200
    assert "Victim1 Case" in page
    assert "1 January 1990" in page  # her date of birth
    assert "Heard at a MARAC 2 times across these 2 cases" in page
    heard_twice = page[page.index("Case opened 20 December 2024") : page.index("Case opened 1 November 2026")]
    assert "Heard at the MARAC on 15 January 2025" in heard_twice
    assert "Heard at the MARAC on 10 September 2025" in heard_twice
    assert heard_twice.count(">Repeat<") == 2  # on the case, and on its second hearing
    assert "Riverside IDVA Service" in heard_twice and "Heard at the MARAC" in heard_twice
    assert "Transferred in from Northshire on 20 October 2026" in page
    assert "On the agenda of the MARAC on 3 February 2027" in page
    assert "1 November 2026 by Riverside Police" in page


def test_the_page_says_where_each_case_stands_in_plain_words(app, make_user, story):
    coordinator = reader(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")

    _, page = page_of(coordinator, story.person_id)

    assert "Heard at the MARAC" in page
    assert "On a MARAC meeting&#39;s agenda" in page or "On a MARAC meeting's agenda" in page
    for code in ("scheduled", "heard", "transfer-in", "dash-ric"):
        assert f">{code}<" not in page


def test_her_details_are_shown_but_never_her_safe_contact_or_address(app, make_user, story):
    with app.app_context():
        person = db.session.get(Person, story.person_id)
        person.aliases, person.date_of_birth_variants = ["Vicky Case"], ["1990-01-02"]
        db.session.commit()
    coordinator = reader(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")

    _, page = page_of(coordinator, story.person_id)

    assert "Vicky Case" in page and "1990-01-02" in page
    assert SAFE_ADDRESS not in page and "07700 900123" not in page and "RV1 2AB" not in page


def test_a_reader_sees_only_the_cases_their_agency_is_involved_in(app, make_user, story):
    idva = reader(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "idva@example.org")
    police = reader(app, make_user, Role.PRACTITIONER, "Riverside Police", "police@example.org")

    _, idva_page = page_of(idva, story.person_id)
    _, police_page = page_of(police, story.person_id)

    assert story.heard_twice in idva_page and story.transferred_in not in idva_page
    assert "Northshire" not in idva_page and "3 February 2027" not in idva_page and "across these" not in idva_page
    assert story.transferred_in in police_page and story.heard_twice not in police_page
    assert "15 January 2025" not in police_page and ">Repeat<" not in police_page
    assert "Not heard at a MARAC yet" in police_page


def test_an_excluded_reader_sees_no_trace_of_the_case_kept_from_them(app, make_user, story):
    chair = reader(app, make_user, Role.CHAIR, "Riverside IDVA Service", "pat.jones@example.org", name="Pat Jones")
    exclude(app, story.heard_twice, "JONES, Pat", chair.user_id)

    status, page = page_of(chair, story.person_id)

    assert status == 200
    assert story.heard_twice not in page
    assert "15 January 2025" not in page and "10 September 2025" not in page and ">Repeat<" not in page
    assert "Riverside IDVA Service" not in page.split("Signed in as")[1].split("</div>", 1)[1]
    assert story.transferred_in in page and "Not heard at a MARAC yet" in page


def without_reference(page: str) -> str:
    """An error page names its request and its own address, its form token is stamped with the second it was
    made, and its sign-out countdown counts from when the session last wrote its idle clock (at most once a
    minute): the rest must be the same."""
    return re.sub(r'eference: \w+|/people/[\w-]+|name="csrf_token" value="[^"]*"|data-seconds-left="\d+"', "", page)


def test_a_person_on_no_case_the_reader_may_see_is_not_found_like_one_who_does_not_exist(app, make_user, story):
    housing = reader(app, make_user, Role.PRACTITIONER, "Riverside Housing", "housing@example.org")
    chair = reader(app, make_user, Role.CHAIR, "Riverside IDVA Service", "pat.jones@example.org", name="Pat Jones")
    exclude(app, story.heard_twice, "Pat Jones", chair.user_id)
    exclude(app, story.transferred_in, "Pat Jones", chair.user_id)

    unseen_status, unseen_page = page_of(housing, story.person_id)
    excluded_status, excluded_page = page_of(chair, story.person_id)
    missing_status, missing_page = page_of(housing, uuid.uuid4())

    assert unseen_status == excluded_status == missing_status == 404
    assert without_reference(unseen_page) == without_reference(missing_page)
    assert "Victim1" not in unseen_page and "Victim1" not in excluded_page


def test_a_perpetrator_has_a_page_too_listing_the_case_as_perpetrator(app, make_user, story):
    idva = reader(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "idva@example.org")

    status, page = page_of(idva, story.perpetrator_id)

    assert status == 200 and "Perpetrator1 Case" in page and "Person causing harm" in page.split("Named on it as")[1]


def case_rows(app, user_id):
    with app.app_context():
        return [
            (row.object_id, row.action)
            for row in db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == user_id))
            if row.object_type == "case"
        ]


def test_each_view_is_recorded_under_each_case_shown_and_no_other(app, make_user, story):
    idva = reader(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "idva@example.org")
    housing = reader(app, make_user, Role.PRACTITIONER, "Riverside Housing", "housing@example.org")

    page_of(idva, story.person_id)
    page_of(housing, story.person_id)

    assert case_rows(app, idva.user_id) == [(story.heard_twice, "case-viewed")]
    assert case_rows(app, housing.user_id) == []


def test_the_case_page_links_to_each_persons_page(app, make_user, story):
    idva = reader(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "idva@example.org")

    page = idva.get(idva.url("cases.view_case", case_id=story.heard_twice)).get_data(as_text=True)
    block = page[page.index('id="people-across-cases"') :]

    assert idva.url("meetings.view_person", person_id=story.person_id) in block
    assert idva.url("meetings.view_person", person_id=story.perpetrator_id) in block
    assert idva.get(idva.url("meetings.view_person", person_id=story.perpetrator_id)).status_code == 200
