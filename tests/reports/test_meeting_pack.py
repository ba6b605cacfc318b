"""Issue 18, documents: the meeting pack, the agency-grouped action plan, no empty pages, the case
reference on every case and a recipient watermark on every page (SECURITY D7, Z3, L2).

One meeting is seeded (tests.reports.test_documents.seed_world) and each copy made once for the module.
"""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from access.models import AuditEvent, Role, User
from extensions import db
from meetings.models import Action, AgendaItem, Meeting
from tests.conftest import build_test_app
from tests.reports.pdf_helpers import MM, pdf_pages, pdf_text
from tests.reports.test_documents import MEETING_START, client_for

POLICE, HEALTH, HOUSING = "Riverside Police", "Riverside Hospitals NHS Trust", "Riverside Housing"
REFERENCE = re.compile(r"MARAC-\d{4}-\d{4}")


def pack_path(meeting_id: int) -> str:
    return f"/documents/meetings/{meeting_id}/meeting-pack"


@pytest.fixture(scope="module")
def copies(world_app) -> dict[str, bytes]:
    app, world = world_app
    coordinator, rep = client_for(app, world.user_ids["coordinator"]), client_for(app, world.user_ids["police rep"])
    meeting = world.meeting_id
    police = world.agency_ids[POLICE]
    requests = {
        "research pack": (coordinator, f"/documents/meetings/{meeting}/research-pack"),
        "agenda": (coordinator, f"/documents/meetings/{meeting}/agenda"),
        "minutes": (coordinator, f"/documents/meetings/{meeting}/minutes"),
        "action plan": (coordinator, f"/documents/meetings/{meeting}/action-plan"),
        "police plan": (rep, f"/documents/meetings/{meeting}/action-plan/{police}"),
        "rep agenda": (rep, f"/documents/meetings/{meeting}/agenda"),
        "transfer pack": (coordinator, f"/documents/cases/{world.case_ids[0]}/transfer-pack"),
    }
    bodies = {}
    for name, (client, url) in requests.items():
        response = client.get(url)
        assert response.status_code == 200, name
        bodies[name] = response.data
    return bodies


@pytest.fixture(scope="module")
def pack(world_app) -> bytes:
    """The meeting pack as Police's representative downloads it, after an earlier meeting set Alice an action."""
    app, world = world_app
    with app.app_context():
        earlier_item = db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == world.earlier_meeting_id)
        ).first()
        db.session.add(
            Action(
                case_id=world.case_ids[0],
                agenda_item_id=earlier_item.id,
                description="Earlier action on Alice",
                owner_agency_id=world.agency_ids[POLICE],
                owner_name="PC Ann Lee",
                due_on=date.today(),
            )
        )
        db.session.commit()
    response = client_for(app, world.user_ids["police rep"]).get(pack_path(world.meeting_id))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response.data


def body_texts(body: bytes, margin_mm: float = 20) -> list[str]:
    """Per page, the text between the top and bottom margins (the page's own content, not its header and footer)."""
    texts = []
    for page in PdfReader(io.BytesIO(body)).pages:
        height = float(page.mediabox.height)
        found: list[str] = []

        def visit(text, cm, tm, font, size, found=found, height=height):
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if margin_mm * MM < y < height - margin_mm * MM:
                found.append(text)

        page.extract_text(visitor_text=visit)
        texts.append(re.sub(r"\s+", " ", "".join(found)).strip())
    return texts


def without_watermark(text: str) -> str:
    return re.sub(r"Prepared for [^,]{1,40}, [^,]{1,60}, \d{1,2} [A-Z][a-z]+ \d{4} — do not copy", "", text).strip()


# Finding 2: no empty page anywhere.


@pytest.mark.parametrize("name", ["research pack", "agenda", "minutes", "action plan", "police plan", "transfer pack"])
def test_every_page_has_text_beyond_a_heading(copies, name):
    for number, text in enumerate(body_texts(copies[name]), start=1):
        content = without_watermark(text)
        assert len(content.split()) > 12, f"{name}, page {number} holds only: {content!r}"


# Finding 2: a visible watermark naming the recipient and the date on every page (SECURITY D7).


@pytest.mark.parametrize(
    "name, recipient",
    [
        ("minutes", "Cora Coordinator, Riverside IDVA Service"),
        ("action plan", "Cora Coordinator, Riverside IDVA Service"),
        ("research pack", "Cora Coordinator, Riverside IDVA Service"),
        ("transfer pack", "Cora Coordinator, Riverside IDVA Service"),
        ("police plan", "Rita Rep, Riverside Police"),
        ("rep agenda", "Rita Rep, Riverside Police"),
    ],
)
def test_every_page_carries_a_watermark_naming_the_recipient_and_the_day(copies, name, recipient):
    day = re.escape(db_free_today())
    for number, text in enumerate(body_texts(copies[name]), start=1):
        assert re.search(rf"Prepared for {re.escape(recipient)}, {day} — do not copy", text), f"page {number}"


def db_free_today() -> str:
    from datetime import datetime

    from meetings.schedule import UK_TIME

    return datetime.now(UK_TIME).strftime("%-d %B %Y")


# Finding 2: the case reference on every case in every document.


def test_every_case_in_the_research_pack_agenda_and_minutes_carries_its_reference(copies):
    for name in ("research pack", "agenda", "minutes"):
        text = pdf_text(copies[name])
        for initials in ("AA", "BB", "CC"):
            assert re.search(rf"MARAC-\d{{4}}-\d{{4}} \({initials}, MARAC", text), (name, initials)


def test_every_action_line_carries_its_case_reference(copies):
    text = pdf_text(copies["action plan"])
    for description in ("Police action one", "Police action two", "Health action one", "Housing action one"):
        line = text[text.index(description) - 60 : text.index(description)]
        assert REFERENCE.search(line), description


# Finding 2: the all-agency action plan grouped by agency, a heading for each.


def test_the_all_agency_action_plan_has_a_heading_for_each_agency_with_its_actions_under_it(copies):
    pages = pdf_pages(copies["action plan"])
    text = " ".join(pages)
    health, housing, police = (text.index(f"{agency} (") for agency in (HEALTH, HOUSING, POLICE))

    assert health < text.index("Health action one") < housing < text.index("Housing action one") < police
    assert police < text.index("Police action one") and police < text.index("Police action two")
    assert f"{POLICE} (2 actions)" in text and f"{HEALTH} (1 action)" in text


# Finding 2: one meeting pack per recipient, with an outline.


def test_the_meeting_pack_holds_the_agenda_the_marac_list_and_earlier_actions_in_that_order(pack):
    text = pdf_text(pack)

    agenda, marac_list, earlier = (
        text.index(part) for part in ("Part 1: Agenda", "Part 2: MARAC list", "Part 3: Earlier actions")
    )
    assert agenda < text.index("1. Introductions") < marac_list < text.index("Alice ADAMS") < earlier
    assert earlier < text.index("Earlier action on Alice")
    assert "Earlier action open" not in text  # set on a case not on this meeting
    assert "CANARY" not in text and "Hidden Lane" not in text


def test_the_meeting_pack_has_a_bookmark_for_each_part_and_each_case(pack):
    outline = PdfReader(io.BytesIO(pack)).outline
    titles = [item.title for item in outline if not isinstance(item, list)]

    assert titles == ["Part 1: Agenda", "Part 2: MARAC list", "Part 3: Earlier actions on these cases"]
    children = outline[outline.index(next(item for item in outline if getattr(item, "title", "") == titles[1])) + 1]
    assert [bool(REFERENCE.search(child.title)) for child in children] == [True, True, True]


def test_the_meeting_pack_is_made_for_its_recipient_on_every_page_and_audited(world_app, pack):
    app, world = world_app
    for number, text in enumerate(body_texts(pack), start=1):
        assert "Prepared for Rita Rep, Riverside Police" in text, f"page {number}"
    with app.app_context():
        downloads = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "document-downloaded", AuditEvent.user_id == world.user_ids["police rep"]
            )
        ).all()
        assert any(row.object_id.startswith("PACK-") for row in downloads)


def test_the_meeting_pack_is_not_found_for_someone_not_invited(world_app):
    app, world = world_app
    response = client_for(app, world.user_ids["housing rep"]).get(pack_path(world.meeting_id))

    assert response.status_code == 404


def test_the_meeting_pack_is_offered_on_the_documents_list_and_the_meeting_page(world_app):
    app, world = world_app
    client = client_for(app, world.user_ids["coordinator"])

    documents_page = client.get("/documents").get_data(as_text=True)
    meeting_page = client.get(client.url("meetings.view_meeting", meeting_id=world.meeting_id)).get_data(as_text=True)

    assert pack_path(world.meeting_id) in documents_page
    assert pack_path(world.meeting_id) in meeting_page


def test_the_meeting_date_is_in_the_pack(pack):
    assert MEETING_START.strftime("%-d %B %Y") in pdf_text(pack) or MEETING_START.strftime("%-d %b %Y") in pdf_text(
        pack
    )


def test_no_page_of_any_demo_document_holds_only_a_heading(database_url, tmp_path):
    """The demo's minutes ended with a page holding only "Cases reaching 12 months ..." and "None."."""
    with build_test_app(database_url, DEMO_MODE=True, MARAC_AREA="Riverside (demo)") as app:
        app.instance_path = str(tmp_path / "instance")
        assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
        with app.app_context():
            coordinator = db.session.scalars(select(User.id).where(User.role == Role.COORDINATOR)).first()
            meeting_ids = list(db.session.scalars(select(Meeting.id)))
        client = client_for(app, coordinator)
        for meeting_id in meeting_ids:
            for kind in ("minutes", "agenda", "research-pack", "action-plan", "meeting-pack"):
                response = client.get(f"/documents/meetings/{meeting_id}/{kind}")
                if response.status_code == 404:
                    continue
                for number, text in enumerate(body_texts(response.data), start=1):
                    content = without_watermark(text)
                    assert len(content.split()) > 12, f"meeting {meeting_id} {kind}, page {number}: {content!r}"
