"""Restricted fields (SECURITY Z3): canary values in a case's safe-contact details, then every page,
download and export crawled as every role: the canaries show only on that case's safe-contact page, and
only to those the policy allows (the recording agency's case workers, the IDVA service on the case and
the coordinator). Extra posted fields are ignored."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from access.models import Role, User
from cases.models import Case, SafeContact
from extensions import db
from tests.conftest import give_session
from tests.reports.pdf_helpers import pdf_text, zipped_pdfs_text
from tests.world import add_user, real_url, seed_world, world_app

CANARY_PHONE, CANARY_ADDRESS = "07700 900777", "Z3-CANARY refuge, 1 Hidden Row"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def app(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("restricted")) as app:
        yield app


@pytest.fixture(scope="module")
def world(app):
    world = seed_world(app)
    with app.app_context():
        case = db.session.get(Case, world.ids["case_id"])
        db.session.add(
            SafeContact(
                case_id=case.id,
                agency_id=case.created_by_agency_id,
                phone=CANARY_PHONE,
                safe_to_call=True,
                safe_address=CANARY_ADDRESS,
            )
        )
        world.ids["idva_practitioner"] = add_user(
            "idva-practitioner@example.org", Role.PRACTITIONER, case.created_by_agency_id
        )
        db.session.commit()
    return world


def readable(response) -> str:
    if response.mimetype == "application/pdf":
        return pdf_text(response.data)
    if response.mimetype == "application/zip":
        return zipped_pdfs_text(response.data)
    if response.mimetype == XLSX:
        workbook = load_workbook(io.BytesIO(response.data), read_only=True)
        return " ".join(
            str(cell)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return response.get_data(as_text=True)


def pages_showing_a_canary(app, world, user_id) -> list[str]:
    client = app.test_client()
    give_session(app, client, user_id)
    showing = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in ("static", "access.sign_out"):
            continue
        response = client.get(real_url(rule, world.ids))
        text = readable(response) if response.status_code == 200 else ""
        if CANARY_PHONE in text or CANARY_ADDRESS in text:
            showing.append(rule.endpoint)
    return showing


def crawlers(world) -> list[tuple[str, int, list[str]]]:
    safe_contact_page = ["cases.edit_safe_contact"]
    return [
        *(
            (f"{role.value}, own agency", world.users[role], safe_contact_page if role is Role.COORDINATOR else [])
            for role in Role
        ),
        *(
            (
                f"{role.value}, other agency",
                world.other_agency_users[role],
                safe_contact_page if role is Role.COORDINATOR else [],
            )
            for role in Role
        ),
        ("IDVA practitioner on the case", world.ids["idva_practitioner"], safe_contact_page),
    ]


def test_Z3_safe_contact_canaries_show_only_on_its_page_and_only_to_those_allowed(app, world):
    found = {who: pages_showing_a_canary(app, world, user_id) for who, user_id, _ in crawlers(world)}

    assert found == {who: expected for who, _, expected in crawlers(world)}


def test_Z3_extra_posted_fields_are_ignored(app, world):
    client = app.test_client()
    coordinator_id = world.users[Role.COORDINATOR]
    give_session(app, client, coordinator_id)
    with app.app_context():
        recorded_by = db.session.get(Case, world.ids["case_id"]).created_by_agency_id

    client.post(
        real_url(
            next(rule for rule in app.url_map.iter_rules() if rule.endpoint == "cases.edit_safe_contact"), world.ids
        ),
        data={
            "phone": "07700 900778",
            "safe_to_call": "no",
            "safe_address": "Changed",
            "agency_id": str(world.other_agency_id),
            "case_id": "someone-else",
            "role": "coordinator",
        },
    )

    with app.app_context():
        rows = {
            row.agency_id: row.phone
            for row in db.session.scalars(select(SafeContact).where(SafeContact.case_id == world.ids["case_id"]))
        }
        assert rows == {recorded_by: CANARY_PHONE, world.own_agency_id: "07700 900778"}
        assert db.session.get(User, coordinator_id).role is Role.COORDINATOR
