"""Subject access requests (SECURITY D6): finding everything held about a person across cases and roles,
deciding on each item, the statutory clock, and an export that never gives a perpetrator the victim's data
unless a reviewer released it explicitly."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from access.audit import AuditAction, record_event
from access.models import AuditEvent, Role, User
from cases import store as cases_store
from cases.models import Case, PartyRole, Person
from extensions import db
from meetings.models import Action, CaseMinutes, ResearchReturn
from reports import subject_access as sar
from reports.models import SubjectAccessItem, SubjectAccessRequest
from reports.quarters import uk_today
from reports.vocabulary import ItemDecision, ReceivedBy, RequesterKind, RequestStatus, SourceKind
from tests.conftest import give_session
from tests.meetings.factories import seed_meeting
from tests.reports.pdf_helpers import pdf_text
from tests.sql_statements import statements_run
from tests.world import add_user

# What only the victim's records say: none of it may reach a perpetrator unless released.
VICTIM_SECRETS = ("Victim1", "1 Hidden Lane", "07700 900123", "Refuge 7 Quiet Road", "She is afraid to go home")
ALIAS, SECOND_BIRTHDAY, PERPETRATOR_POSTCODE = "Jay Smithers", date(1985, 2, 1), "RV9 9ZZ"


def seed_two_cases(app) -> dict:
    """Perpetrator1 Case harms Victim1 Case (case one: safe contact, research, minutes, an action, an
    incident) and, under another case, Victim3 Other (case two)."""
    seeded = seed_meeting(app, cases=1)
    with app.app_context():
        case = db.session.get(Case, seeded.case_ids[0])
        referrer = db.session.get(User, seeded.referrer_id)
        perpetrator = next(party.person for party in case.parties if party.role is PartyRole.PERPETRATOR)
        perpetrator.aliases = [ALIAS]
        perpetrator.date_of_birth_variants = [SECOND_BIRTHDAY.isoformat()]
        perpetrator.postcode = PERPETRATOR_POSTCODE
        case.victim.address = "1 Hidden Lane, Riverside RV1 2AB"
        cases_store.save_safe_contact(
            case, referrer, phone="07700 900123", safe_to_call=True, safe_address="Refuge 7 Quiet Road"
        )
        cases_store.add_incident(
            case,
            occurred_on=date(2026, 10, 1),
            type="threats",
            agency_id=seeded.agency_ids["Riverside Police"],
            reference="POL-1",
            recorded_by=referrer,
            perpetrator_id=perpetrator.id,
        )
        item_id = seeded.item_ids[0]
        db.session.add_all(
            [
                ResearchReturn(
                    agenda_item_id=item_id,
                    agency_id=seeded.agency_ids["Riverside Police"],
                    due_at=datetime(2026, 11, 29, tzinfo=UTC),
                    risks="She is afraid to go home",
                ),
                CaseMinutes(agenda_item_id=item_id, risks_to_victim="She is afraid to go home"),
                Action(
                    case_id=case.id,
                    agenda_item_id=item_id,
                    description="Fit a door alarm",
                    owner_agency_id=seeded.agency_ids["Riverside Housing"],
                    owner_name="Pat Owner",
                    due_on=date(2026, 12, 20),
                ),
            ]
        )
        other = cases_store.create_case(
            victim=cases_store.create_person(
                given_name="Victim3",
                family_name="Other",
                date_of_birth=date(1992, 3, 3),
                postcode="RV5 5AA",
                agency_id=referrer.agency_id,
            ),
            marac_area="Riverside",
            agency_id=referrer.agency_id,
        )
        cases_store.add_party(other, perpetrator, PartyRole.PERPETRATOR)
        coordinator_id = add_user("sar-coordinator@example.org", Role.COORDINATOR, referrer.agency_id)
        db.session.commit()
        return {
            "meeting_id": seeded.meeting_id,
            "case_ids": [case.id, other.id],
            "references": [case.reference, other.reference],
            "perpetrator_id": perpetrator.id,
            "victim_id": case.victim_id,
            "coordinator_id": coordinator_id,
        }


@pytest.fixture
def world(app):
    return seed_two_cases(app)


def terms(names=(), days=(), postcodes=()) -> sar.SearchTerms:
    return sar.SearchTerms(tuple(names), tuple(days), tuple(postcodes))


def new_request(world, kind=RequesterKind.PERPETRATOR, received_on=None, **search) -> SubjectAccessRequest:
    return sar.record_request(
        requester_kind=kind,
        requester_name="Perpetrator1 Case",
        received_by=ReceivedBy.EMAIL,
        received_on=received_on or uk_today() - timedelta(days=12),
        terms=terms(**search) if search else terms(names=["Perpetrator1 Case"]),
        user=db.session.get(User, world["coordinator_id"]),
    )


def gathered_request(world, kind=RequesterKind.PERPETRATOR) -> SubjectAccessRequest:
    request = new_request(world, kind)
    sar.confirm_people(request, [world["perpetrator_id"]], db.session.get(User, world["coordinator_id"]))
    return request


def audit_rows(action: AuditAction) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))))


def coordinator_client(app, client, world):
    give_session(app, client, world["coordinator_id"])
    return client


def decide_all_remaining(request, user, decision=ItemDecision.DISCLOSED):
    for item in sar.undecided(request):
        sar.decide(item, decision=decision, exemption=None, redacted_text=None, release_confirmed=False, user=user)


# Finding the person


@pytest.mark.parametrize(
    "search",
    [
        {"names": [ALIAS]},
        {"days": [SECOND_BIRTHDAY]},
        {"postcodes": ["rv99zz"]},
    ],
    ids=["alias", "second-date-of-birth", "postcode"],
)
def test_D6_search_finds_the_person_by_alias_second_date_of_birth_or_postcode_across_two_cases(app, world, search):
    with app.app_context():
        found = sar.find_people(terms(**search))

        assert [each.person.id for each in found] == [world["perpetrator_id"]]
        assert sorted(case.reference for case, _ in found[0].cases) == sorted(world["references"])
        assert {part for _, part in found[0].cases} == {"Person causing harm"}


def test_D6_the_search_reads_the_cases_of_everyone_found_at_once(app, world):
    """However many people share the postcode searched for, the statements run are the same: no query per person."""

    def statements_to_find_everyone_at(postcode) -> tuple[int, int]:
        with statements_run(app) as statements:
            found = sar.find_people(terms(postcodes=[postcode]))
        return len(found), len(statements)

    with app.app_context():
        one_found, one_costs = statements_to_find_everyone_at("RV5 5AA")
        referrer = db.session.get(User, world["coordinator_id"])
        for number in range(9):
            victim = cases_store.create_person(
                given_name=f"Neighbour{number}",
                family_name="Street",
                date_of_birth=None,
                postcode="RV5 5AA",
                agency_id=referrer.agency_id,
            )
            cases_store.create_case(victim=victim, marac_area="Riverside", agency_id=referrer.agency_id)
        db.session.commit()
        ten_found, ten_cost = statements_to_find_everyone_at("RV5 5AA")

    assert (one_found, ten_found) == (1, 10)
    assert ten_cost == one_costs


def test_D6_a_search_matching_nobody_finds_nobody(app, world):
    with app.app_context():
        assert sar.find_people(terms(names=["Nobody Known"], postcodes=["ZZ1 1ZZ"])) == []


def test_D6_items_show_their_source_across_both_cases(app, world):
    with app.app_context():
        request = gathered_request(world)
        sources = {(item.case_reference, item.source_kind) for item in request.items}

        first, second = world["references"]
        for kind in (
            SourceKind.ASSESSMENT,
            SourceKind.REFERRAL,
            SourceKind.INCIDENT,
            SourceKind.SAFE_CONTACT,
            SourceKind.RESEARCH_RETURN,
            SourceKind.CASE_MINUTES,
            SourceKind.ACTION,
        ):
            assert (first, kind) in sources
        assert (second, SourceKind.PARTY) in sources
        assert {item.source_kind for item in request.items if item.about_requester} >= {
            SourceKind.PERSON,
            SourceKind.ALIAS,
            SourceKind.PARTY,
            SourceKind.INCIDENT,
        }


def test_D6_documents_that_named_the_case_and_who_looked_at_it_are_items_too(app, world):
    with app.app_context():
        coordinator = db.session.get(User, world["coordinator_id"])
        record_event(AuditAction.CASE_VIEWED, user=coordinator, object_type="case", object_id=world["case_ids"][0])
        record_event(
            AuditAction.DOCUMENT_DOWNLOADED,
            user=coordinator,
            object_type="document",
            object_id=f"AGENDA-M{world['meeting_id']}-1A2B3C4D",
        )
        record_event(  # another meeting's agenda, whose id only starts the same
            AuditAction.DOCUMENT_DOWNLOADED,
            user=coordinator,
            object_type="document",
            object_id=f"AGENDA-M{world['meeting_id']}0-5E6F7A8B",
        )
        request = gathered_request(world)

        sent = next(item for item in request.items if item.source_kind is SourceKind.DOCUMENTS_SENT)
        viewed = next(item for item in request.items if item.source_kind is SourceKind.CASE_VIEWS)
        assert sent.case_id == viewed.case_id == world["case_ids"][0]
        assert [value for _, value in sar.fields_of(sent)] == [
            f"Agenda AGENDA-M{world['meeting_id']}-1A2B3C4D, to Riverside IDVA Service"
        ]
        assert [value for _, value in sar.fields_of(viewed)] == ["Riverside IDVA Service"]
        assert not sent.about_requester and sent.decision is ItemDecision.WITHHELD


# Perpetrator requests: third-party data withheld by default


def test_D6_for_a_perpetrator_everything_about_someone_else_starts_withheld_and_the_rest_to_review(app, world):
    with app.app_context():
        request = gathered_request(world)

        about_others = [item for item in request.items if not item.about_requester]
        assert about_others and all(
            item.decision is ItemDecision.WITHHELD and item.exemption == "third-party" and item.decided_by_id is None
            for item in about_others
        )
        safe_contact = next(item for item in request.items if item.source_kind is SourceKind.SAFE_CONTACT)
        assert not safe_contact.about_requester
        assert all(item.decision is ItemDecision.TO_REVIEW for item in request.items if item.about_requester)


@pytest.mark.parametrize("kind", [RequesterKind.SOMEONE_ELSE, RequesterKind.VICTIM])
def test_D6_a_person_named_as_causing_harm_is_treated_as_one_however_the_request_was_recorded(app, world, kind):
    """Through a solicitor ("someone else"), or as a victim in a counter-allegation: the victim's data still
    starts withheld."""
    with app.app_context():
        request = gathered_request(world, kind)

        about_others = [item for item in request.items if not item.about_requester]
        assert about_others and {item.decision for item in about_others} == {ItemDecision.WITHHELD}


def test_D6_for_a_victim_every_item_starts_to_be_reviewed(app, world):
    with app.app_context():
        request = new_request(world, RequesterKind.VICTIM, names=["Victim1 Case"])
        sar.confirm_people(request, [world["victim_id"]], db.session.get(User, world["coordinator_id"]))

        assert {item.decision for item in request.items} == {ItemDecision.TO_REVIEW}


def export_texts(app, client, world, request_id) -> tuple[str, str]:
    pdf = client.get(f"/subject-access/{request_id}/disclosure-pdf")
    exported = client.get(f"/subject-access/{request_id}/export-json")
    assert pdf.status_code == 200 and exported.status_code == 200
    return pdf_text(pdf.data), exported.get_data(as_text=True)


def test_D6_a_perpetrator_export_never_holds_the_victims_data_unless_released_and_does_once_released(
    app, client, world
):
    with app.app_context():
        request = gathered_request(world)
        coordinator = db.session.get(User, world["coordinator_id"])
        decide_all_remaining(request, coordinator)
        db.session.commit()
        request_id = request.id
    coordinator_client(app, client, world)

    pdf, exported = export_texts(app, client, world, request_id)

    for secret in VICTIM_SECRETS:
        assert secret not in pdf and secret not in exported, secret
    assert "Perpetrator1 Case" in pdf and ALIAS in exported  # what is about him is there
    assert "withheld: Information about someone else (DPA 2018 Sch 2 Pt 3 para 16)" in pdf
    assert json.loads(exported)["items"][0]["decision"] in {"disclosed", "withheld"}

    with app.app_context():
        safe_contact = db.session.scalar(
            select(SubjectAccessItem).where(
                SubjectAccessItem.request_id == request_id, SubjectAccessItem.source_kind == SourceKind.SAFE_CONTACT
            )
        )
        item_id = safe_contact.id
    page = client.post(
        f"/subject-access/{request_id}/items/{item_id}",
        data={"decision": "disclosed", "exemption": "", "redacted_text": "", "release_confirmed": "y"},
    )
    assert page.status_code == 302

    pdf, exported = export_texts(app, client, world, request_id)

    assert "Refuge 7 Quiet Road" in pdf and "Refuge 7 Quiet Road" in exported
    with app.app_context():
        released = audit_rows(AuditAction.SUBJECT_ACCESS_ITEM_RELEASED)
        assert [(row.object_type, row.object_id, row.user_id) for row in released] == [
            ("subject-access-item", str(item_id), world["coordinator_id"])
        ]


def test_D6_releasing_an_item_about_someone_else_needs_the_reviewer_to_say_so(app, client, world):
    with app.app_context():
        request = gathered_request(world)
        db.session.commit()
        item = next(item for item in request.items if item.source_kind is SourceKind.SAFE_CONTACT)
        request_id, item_id = request.id, item.id
    coordinator_client(app, client, world)

    page = client.post(f"/subject-access/{request_id}/items/{item_id}", data={"decision": "disclosed", "exemption": ""})

    assert page.status_code == 400
    assert "confirm you have checked it is safe to release" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SubjectAccessItem, item_id).decision is ItemDecision.WITHHELD
        assert audit_rows(AuditAction.SUBJECT_ACCESS_ITEM_RELEASED) == []


def test_D6_a_redaction_is_shown_marked_with_its_exemption(app, client, world):
    with app.app_context():
        request = gathered_request(world)
        coordinator = db.session.get(User, world["coordinator_id"])
        incident = next(item for item in request.items if item.source_kind is SourceKind.INCIDENT)
        sar.decide(
            incident,
            decision=ItemDecision.REDACTED,
            exemption="crime-and-taxation",
            redacted_text="Threats on 1 October 2026, reference [redacted]",
            release_confirmed=False,
            user=coordinator,
        )
        decide_all_remaining(request, coordinator)
        db.session.commit()
        request_id = request.id
    coordinator_client(app, client, world)

    pdf, exported = export_texts(app, client, world, request_id)

    assert "reference [redacted: Prevention or detection of crime]" in pdf
    assert "POL-1" not in pdf and "POL-1" not in exported
    redacted = [item for item in json.loads(exported)["items"] if item["decision"] == "redacted"]
    assert [item["exemption"] for item in redacted] == ["crime-and-taxation"]


def test_D6_each_export_is_audited_as_a_disclosure_and_the_cases_it_shows_as_viewed(app, client, world):
    with app.app_context():
        request = gathered_request(world)
        decide_all_remaining(request, db.session.get(User, world["coordinator_id"]))
        db.session.commit()
        request_id = request.id
    coordinator_client(app, client, world)

    export_texts(app, client, world, request_id)

    with app.app_context():
        disclosed = audit_rows(AuditAction.SUBJECT_ACCESS_DISCLOSED)
        assert [(row.object_type, row.object_id) for row in disclosed] == [("subject-access", str(request_id))] * 2
        viewed = {row.object_id for row in audit_rows(AuditAction.CASE_VIEWED)}
        assert set(world["case_ids"]) <= viewed


def test_D6_the_pdf_waits_until_every_item_is_decided(app, client, world):
    with app.app_context():
        request_id = gathered_request(world).id
        db.session.commit()
    coordinator_client(app, client, world)

    response = client.get(f"/subject-access/{request_id}/disclosure-pdf", follow_redirects=True)

    assert "Decide on every item before making the disclosure" in response.get_data(as_text=True)
    with app.app_context():
        assert audit_rows(AuditAction.SUBJECT_ACCESS_DISCLOSED) == []


# The clock


def request_received(world, received_on) -> SubjectAccessRequest:
    return new_request(world, received_on=received_on)


def test_D6_a_request_is_due_one_calendar_month_after_receipt_and_says_how_long_is_left(app, world):
    with app.app_context():
        request = request_received(world, date(2026, 1, 31))

        assert sar.due_on(request) == date(2026, 2, 28)
        assert sar.clock_words(request, date(2026, 2, 16)) == "Due on 28 February 2026, 12 days left"
        assert sar.clock_words(request, date(2026, 3, 3)) == "Overdue by 3 days"
        assert sar.is_overdue(request, date(2026, 3, 3))


def test_D6_an_extension_adds_two_months_once_with_a_reason(app, world):
    with app.app_context():
        request = request_received(world, date(2026, 1, 15))
        user = db.session.get(User, world["coordinator_id"])

        with pytest.raises(sar.SubjectAccessError, match="Enter why"):
            sar.extend(request, "  ", user)
        sar.extend(request, "Records held by three agencies", user)

        assert sar.due_on(request) == date(2026, 4, 15)
        with pytest.raises(sar.SubjectAccessError, match="already been extended"):
            sar.extend(request, "Again", user)


def test_D6_the_list_and_the_request_page_show_the_clock(app, client, world):
    with app.app_context():
        request = request_received(world, uk_today() - timedelta(days=40))
        db.session.commit()
        request_id = request.id
        overdue_by = (uk_today() - sar.due_on(request)).days
    coordinator_client(app, client, world)

    for page in (client.get("/subject-access"), client.get(f"/subject-access/{request_id}")):
        assert page.status_code == 200
        assert f"Overdue by {overdue_by} day" in page.get_data(as_text=True)


def test_D6_a_closed_request_changes_no_more(app, world):
    with app.app_context():
        request = gathered_request(world)
        user = db.session.get(User, world["coordinator_id"])
        with pytest.raises(sar.SubjectAccessError, match="to review"):
            sar.close(request, user)
        decide_all_remaining(request, user)
        sar.close(request, user)

        assert request.status is RequestStatus.CLOSED
        with pytest.raises(sar.SubjectAccessError, match="closed"):
            sar.decide(
                request.items[0],
                decision=ItemDecision.WITHHELD,
                exemption="third-party",
                redacted_text=None,
                release_confirmed=False,
                user=user,
            )


# Who may, and bad input


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.AGENCY_REP, Role.CHAIR, Role.ADMIN])
def test_D6_only_the_coordinator_handles_subject_access(app, client, world, sign_in_as, role):
    with app.app_context():
        request_id = gathered_request(world).id
        db.session.commit()
    sign_in_as(role, agency="Riverside Police")

    for path in (
        "/subject-access",
        "/subject-access/new",
        f"/subject-access/{request_id}",
        f"/subject-access/{request_id}/export-json",
        f"/subject-access/{request_id}/disclosure-pdf",
    ):
        assert client.get(path).status_code in (403, 404), path
    with app.app_context():
        assert audit_rows(AuditAction.SUBJECT_ACCESS_DISCLOSED) == []


GOOD_FORM = {
    "requester_kind": "perpetrator",
    "requester_name": "Perpetrator1 Case",
    "received_by": "letter",
    "received_on": ["3", "11", "2026"],
    "names": "Perpetrator1 Case\nJay Smithers",
    "dates_of_birth": "",
    "postcodes": "",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"names": "", "dates_of_birth": "", "postcodes": ""}, "Enter at least one name, date of birth or postcode"),
        ({"received_on": ["1", "1", str(date.today().year + 1)]}, "The date received must be today or in the past"),
        ({"dates_of_birth": "31/2/1980"}, "Enter each date of birth as a day, month and year"),
        ({"dates_of_birth": f"1/1/{date.today().year + 1}"}, "A date of birth must be in the past"),
    ],
    ids=["no-search-terms", "received-in-the-future", "not-a-date", "born-in-the-future"],
)
def test_D6_bad_input_is_refused_with_a_clear_message_keeps_what_was_typed_and_changes_nothing(
    app, client, world, change, message
):
    coordinator_client(app, client, world)

    page = client.post("/subject-access/new", data=GOOD_FORM | change)

    text = page.get_data(as_text=True)
    assert page.status_code == 400 and message in text
    assert "Perpetrator1 Case" in text  # nothing typed is lost
    with app.app_context():
        assert db.session.scalars(select(SubjectAccessRequest)).all() == []


def test_D6_a_good_request_is_recorded_and_leads_to_the_people_found(app, client, world):
    coordinator_client(app, client, world)

    page = client.post("/subject-access/new", data=GOOD_FORM)

    assert page.status_code == 302
    people = client.get(page.headers["Location"])
    assert "Perpetrator1 Case" in people.get_data(as_text=True)
    assert "Matched on name, other name (alias)" in people.get_data(as_text=True)
    with app.app_context():
        recorded = db.session.scalars(select(SubjectAccessRequest)).one()
        assert recorded.received_on == date(2026, 11, 3)
        assert [row.object_id for row in audit_rows(AuditAction.SUBJECT_ACCESS_RECORDED)] == [str(recorded.id)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "redacted", "exemption": "", "redacted_text": "Part [redacted]"}, "Choose the exemption"),
        ({"decision": "withheld", "exemption": ""}, "Choose the exemption"),
        ({"decision": "redacted", "exemption": "third-party", "redacted_text": " "}, "Enter the text to disclose"),
        ({"decision": "withheld", "exemption": "made-up"}, "Not a valid choice"),
    ],
    ids=["redaction-without-exemption", "withholding-without-exemption", "redaction-without-text", "unknown-code"],
)
def test_D6_a_decision_without_what_it_needs_is_refused_and_changes_nothing(app, client, world, data, message):
    with app.app_context():
        request = gathered_request(world)
        db.session.commit()
        item = next(item for item in request.items if item.source_kind is SourceKind.PERSON and item.about_requester)
        request_id, item_id = request.id, item.id
    coordinator_client(app, client, world)

    page = client.post(f"/subject-access/{request_id}/items/{item_id}", data=data)

    assert page.status_code == 400 and message in page.get_data(as_text=True)
    with app.app_context():
        kept = db.session.get(SubjectAccessItem, item_id)
        assert (kept.decision, kept.exemption, kept.decided_by_id) == (ItemDecision.TO_REVIEW, None, None)


def test_D6_the_audit_trail_holds_identifiers_only(app, client, world):
    coordinator_client(app, client, world)
    response = client.post("/subject-access/new", data=GOOD_FORM)

    assert response.status_code == 302
    with app.app_context():
        assert len(audit_rows(AuditAction.SUBJECT_ACCESS_RECORDED)) == 1
        rows = db.session.scalars(select(AuditEvent)).all()
        assert all("Perpetrator" not in f"{row.object_type} {row.object_id}" for row in rows)


def test_D6_people_confirmed_must_be_among_those_found(app, world):
    with app.app_context():
        request = new_request(world)
        stranger = db.session.get(Person, world["victim_id"])  # held, but not matched by the search

        with pytest.raises(sar.SubjectAccessError, match="Choose the person"):
            sar.confirm_people(request, [stranger.id], db.session.get(User, world["coordinator_id"]))
        assert request.items == []


def test_D6_showing_a_safe_contact_item_is_audited_as_a_look_at_her_safe_contact_even_when_shown_again(
    app, client, world
):
    with app.app_context():
        request = gathered_request(world, RequesterKind.VICTIM)
        item = next(item for item in request.items if item.source_kind is SourceKind.SAFE_CONTACT)
        request_id, item_id, case_id = request.id, item.id, item.case_id
        db.session.commit()
    coordinator_client(app, client, world)

    client.get(f"/subject-access/{request_id}/items/{item_id}")
    mistake = client.post(f"/subject-access/{request_id}/items/{item_id}", data={"decision": "redacted"})

    assert mistake.status_code == 400 and "07700 900123" in mistake.get_data(as_text=True)
    with app.app_context():
        looks = [(event.object_type, event.object_id) for event in audit_rows(AuditAction.SAFE_CONTACT_VIEWED)]
        views = [event.object_id for event in audit_rows(AuditAction.CASE_VIEWED)]
    assert looks == [("case", case_id)] * 2
    assert views.count(case_id) >= 2


def test_D6_the_json_export_is_a_disclosure_too_refused_until_every_item_is_decided(app, client, world):
    with app.app_context():
        request_id = gathered_request(world).id
        db.session.commit()
    coordinator_client(app, client, world)

    response = client.get(f"/subject-access/{request_id}/export-json")

    assert response.status_code == 302
    with app.app_context():
        assert audit_rows(AuditAction.SUBJECT_ACCESS_DISCLOSED) == []


def test_D6_the_dates_of_birth_searched_by_are_shown_in_words(app, client, world):
    coordinator_client(app, client, world)
    response = client.post(
        "/subject-access/new", data=GOOD_FORM | {"dates_of_birth": SECOND_BIRTHDAY.strftime("%d/%m/%Y")}
    )

    page = client.get(response.location).get_data(as_text=True)

    assert SECOND_BIRTHDAY.strftime("%-d %B %Y") in page and SECOND_BIRTHDAY.isoformat() not in page
