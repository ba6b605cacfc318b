"""Documents for you: who is offered which document, who may download it, and what each download records."""

import re

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, User
from cases.models import ExcludedPerson
from extensions import db
from meetings.models import Meeting, MeetingStatus
from reports import distribution
from tests.conftest import give_session
from tests.reports.pdf_helpers import pdf_text
from tests.reports.test_documents import seed_world

POLICE, HEALTH, HOUSING = "Riverside Police", "Riverside Hospitals NHS Trust", "Riverside Housing"
MEETING_DOCUMENTS = ["meeting-pack", "research-pack", "agenda", "minutes", "action-plan"]


@pytest.fixture
def world(app):
    return seed_world(app)


def sign_in(app, client, world, who: str) -> int:
    give_session(app, client, world.user_ids[who])
    return world.user_ids[who]


def set_status(app, meeting_id: int, status: MeetingStatus) -> None:
    with app.app_context():
        db.session.get(Meeting, meeting_id).status = status
        db.session.commit()


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def meeting_url(client, world, kind: str) -> str:
    return client.url("reports.download_meeting_document", meeting_id=world.meeting_id, kind=kind)


def agency_plan_url(client, world, agency: str) -> str:
    return client.url(
        "reports.download_agency_action_plan", meeting_id=world.meeting_id, agency_id=world.agency_ids[agency]
    )


def section_of(page: str, meeting_id: int) -> str:
    """The part of the documents page about one meeting."""
    start = page.index(f'id="meeting-{meeting_id}"')
    following = page.find('id="meeting-', start + 1)
    return page[start : following if following != -1 else len(page)]


# The list.


@pytest.mark.parametrize(
    "who, offered, not_offered",
    [
        (
            "coordinator",
            [
                "Meeting pack: agenda, MARAC list and earlier actions",
                "MARAC list and research pack",
                "Agenda",
                "Minutes",
                "Action plan, all agencies",
                f"Action plan for {POLICE}",
                f"Action plan for {HEALTH}",
                f"Action plan for {HOUSING}",
            ],
            [],
        ),
        (
            "chair",
            [
                "Meeting pack: agenda, MARAC list and earlier actions",
                "MARAC list and research pack",
                "Agenda",
                "Minutes",
                "Action plan, all agencies",
                f"Action plan for {POLICE}",
                f"Action plan for {HEALTH}",
                f"Action plan for {HOUSING}",
            ],
            [],
        ),
        (
            "police rep",
            [
                "Meeting pack: agenda, MARAC list and earlier actions",
                "MARAC list and research pack",
                "Agenda",
                "Minutes",
                "Action plan, all agencies",
                f"Action plan for {POLICE}",
            ],
            [f"Action plan for {HEALTH}", f"Action plan for {HOUSING}"],
        ),
        (
            "housing rep",
            [f"Action plan for {HOUSING}"],
            [
                "Agenda",
                "Minutes",
                "MARAC list and research pack",
                "Action plan, all agencies",
                f"Action plan for {POLICE}",
            ],
        ),
        (
            "health practitioner",
            [f"Action plan for {HEALTH}"],
            [
                "Agenda",
                "Minutes",
                "MARAC list and research pack",
                "Action plan, all agencies",
                f"Action plan for {POLICE}",
            ],
        ),
    ],
)
def test_each_person_is_offered_the_meeting_documents_their_role_and_agency_may_have(
    app, client, world, who, offered, not_offered
):
    sign_in(app, client, world, who)

    response = client.get(client.url("reports.list_documents"))

    section = section_of(response.get_data(as_text=True), world.meeting_id)
    assert response.status_code == 200
    for label in offered:
        assert f"{label}</dt>" in section
    for label in not_offered:
        assert f"{label}</dt>" not in section
    assert section.count("(PDF)</a>") == len(offered)


@pytest.mark.parametrize(
    "who, message",
    [
        ("admin", "no meeting documents are made for you"),
        ("schools rep", "There are no documents for you yet"),
        ("schools practitioner", "There are no documents for you yet"),
    ],
)
def test_people_with_nothing_to_receive_are_told_so(app, client, world, who, message):
    sign_in(app, client, world, who)

    page = client.get(client.url("reports.list_documents")).get_data(as_text=True)

    assert message in page
    assert "MARAC meeting," not in page


def test_documents_not_yet_available_say_when_they_will_be(app, client, world):
    set_status(app, world.meeting_id, MeetingStatus.LIST_ISSUED)
    set_status(app, world.earlier_meeting_id, MeetingStatus.PLANNED)
    sign_in(app, client, world, "police rep")

    page = client.get(client.url("reports.list_documents")).get_data(as_text=True)

    issued, planned = section_of(page, world.meeting_id), section_of(page, world.earlier_meeting_id)
    assert issued.count("(PDF)</a>") == 3  # the meeting pack, the research pack and the agenda
    assert (
        issued.count("Available when the coordinator distributes the approved minutes.") == 3
    )  # minutes, whole plan, Police's plan
    assert planned.count("Available when the MARAC list is issued.") == 3
    assert "(PDF)</a>" not in planned


def test_approved_minutes_reach_agencies_only_when_the_coordinator_distributes_them(app, client, world):
    set_status(app, world.meeting_id, MeetingStatus.MINUTES_APPROVED)
    sign_in(app, client, world, "police rep")

    rep_section = section_of(client.get(client.url("reports.list_documents")).get_data(as_text=True), world.meeting_id)
    refused = client.get(meeting_url(client, world, "minutes")).status_code
    sign_in(app, client, world, "coordinator")
    coordinator_download = client.get(meeting_url(client, world, "minutes"))

    assert (
        rep_section.count("Available when the coordinator distributes the approved minutes.") == 3
    )  # minutes, whole plan, Police's plan
    assert refused == 404
    assert coordinator_download.status_code == 200 and coordinator_download.mimetype == "application/pdf"


def test_the_meeting_page_links_to_the_documents_and_the_transfers_page_to_the_transfer_pack(app, client, world):
    sign_in(app, client, world, "coordinator")

    meeting_page = client.get(client.url("meetings.view_meeting", meeting_id=world.meeting_id)).get_data(as_text=True)
    transfers_page = client.get(client.url("meetings.list_transfers", case_id=world.case_ids[0])).get_data(as_text=True)

    assert client.url("reports.list_documents") + f"#meeting-{world.meeting_id}" in meeting_page
    assert client.url("reports.download_transfer_pack", case_id=world.case_ids[0]) in transfers_page


# Downloads: who may have what.


@pytest.mark.parametrize("kind", MEETING_DOCUMENTS)
def test_a_representative_of_an_agency_not_invited_gets_not_found_for_every_meeting_document(app, client, world, kind):
    sign_in(app, client, world, "housing rep")

    assert client.get(meeting_url(client, world, kind)).status_code == 404


def test_agency_staff_get_not_found_for_another_agencys_plan_and_practitioners_are_refused_meeting_documents(
    app, client, world
):
    sign_in(app, client, world, "health practitioner")

    assert client.get(agency_plan_url(client, world, POLICE)).status_code == 404
    assert client.get(meeting_url(client, world, "agenda")).status_code == 403


def test_an_administrator_is_refused_every_document(app, client, world):
    sign_in(app, client, world, "admin")

    for url in [
        *(meeting_url(client, world, kind) for kind in MEETING_DOCUMENTS),
        agency_plan_url(client, world, POLICE),
        client.url("reports.download_transfer_pack", case_id=world.case_ids[0]),
    ]:
        assert client.get(url).status_code == 403, url


def test_documents_not_yet_available_and_meetings_that_do_not_exist_are_not_found(app, client, world):
    set_status(app, world.meeting_id, MeetingStatus.IN_PROGRESS)
    sign_in(app, client, world, "coordinator")

    assert client.get(meeting_url(client, world, "minutes")).status_code == 404
    assert client.get(meeting_url(client, world, "action-plan")).status_code == 404
    assert client.get(agency_plan_url(client, world, POLICE)).status_code == 404
    assert (
        client.get(client.url("reports.download_meeting_document", meeting_id=9999, kind="agenda")).status_code == 404
    )
    assert (
        client.get(
            client.url(
                "reports.download_agency_action_plan",
                meeting_id=world.meeting_id,
                agency_id=world.agency_ids["Riverside IDVA Service"],
            )
        ).status_code
        == 404
    )
    assert (
        client.get(
            client.url("reports.download_transfer_pack", case_id="00000000-0000-4000-8000-000000000000")
        ).status_code
        == 404
    )


def test_only_the_coordinator_may_have_a_transfer_pack(app, client, world):
    sign_in(app, client, world, "chair")

    assert client.get(client.url("reports.download_transfer_pack", case_id=world.case_ids[0])).status_code == 403


def test_the_chair_may_print_draft_minutes_marked_draft_and_representatives_wait_for_approval(app, client, world):
    set_status(app, world.meeting_id, MeetingStatus.MINUTES_DRAFT)
    sign_in(app, client, world, "chair")

    response = client.get(meeting_url(client, world, "minutes"))

    assert response.status_code == 200
    assert "DRAFT: these minutes are not approved" in pdf_text(response.data)
    assert 'filename="marac-minutes-draft-' in response.headers["Content-Disposition"]
    rep = client.application.test_client()
    give_session(app, rep, world.user_ids["police rep"])
    assert rep.get(meeting_url(rep, world, "minutes")).status_code == 404


# What a download records.


def test_a_download_is_audited_with_its_document_id_records_the_case_views_and_is_never_cached(app, client, world):
    rep_id = sign_in(app, client, world, "police rep")

    first = client.get(meeting_url(client, world, "agenda"))
    second = client.get(meeting_url(client, world, "agenda"))

    printed_ids = [
        re.search(r"Document (AGENDA-M\d+-[0-9A-F]{8})", pdf_text(response.data)).group(1)
        for response in (first, second)
    ]
    downloads = audit_rows(app, "document-downloaded")
    views = audit_rows(app, "case-viewed")
    assert first.status_code == second.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    assert first.headers["Content-Disposition"].startswith('attachment; filename="marac-agenda-')
    assert printed_ids[0] != printed_ids[1]
    assert [(row.object_type, row.object_id, row.user_id) for row in downloads] == [
        ("document", printed_ids[0], rep_id),
        ("document", printed_ids[1], rep_id),
    ]
    assert sorted(row.object_id for row in views) == sorted(world.case_ids * 2)
    assert {row.user_id for row in views} == {rep_id}


def test_an_agency_plan_download_records_views_of_only_the_cases_of_its_actions(app, client, world):
    sign_in(app, client, world, "housing rep")

    response = client.get(agency_plan_url(client, world, HOUSING))

    assert response.status_code == 200
    assert "Housing action one" in pdf_text(response.data)
    assert [row.object_id for row in audit_rows(app, "case-viewed")] == [world.case_ids[2]]


def test_a_failing_renderer_says_the_data_is_saved_and_changes_nothing_but_one_audit_row(
    app, client, world, monkeypatch
):
    sign_in(app, client, world, "coordinator")
    before = row_counts(app)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr("reports.pdf.HTML.write_pdf", broken)
    response = client.get(meeting_url(client, world, "minutes"))

    page = response.get_data(as_text=True)
    after = row_counts(app)
    assert response.status_code == 500
    assert "The document could not be made" in page
    assert "nothing was changed" in page
    assert after == before | {"audit_event": before["audit_event"] + 1}
    assert [row.action for row in audit_rows(app, "pdf-failed")] == ["pdf-failed"]


# Held back by the distribution check.


def test_documents_held_back_by_the_distribution_check_show_the_reason_and_are_refused(app, client, world):
    message = distribution.HELD_BACK
    meeting_id = world.meeting_id
    rep_id = sign_in(app, client, world, "police rep")
    with app.app_context():
        db.session.add(
            ExcludedPerson(
                case_id=world.case_ids[0], name=db.session.get(User, rep_id).name, note=None, recorded_by_id=rep_id
            )
        )
        db.session.commit()

    page = client.get(client.url("reports.list_documents")).get_data(as_text=True)
    refused = client.get(meeting_url(client, world, "agenda"))

    assert message in section_of(page, meeting_id)
    assert "(PDF)</a>" not in section_of(page, meeting_id)
    assert "(PDF)</a>" in section_of(page, world.earlier_meeting_id)
    assert refused.status_code == 403
    assert message in refused.get_data(as_text=True)
    assert refused.mimetype == "text/html"
    assert [(row.object_type, row.object_id) for row in audit_rows(app, "document-withheld")] == [
        ("meeting", str(meeting_id))
    ]
    assert audit_rows(app, "document-downloaded") == []
