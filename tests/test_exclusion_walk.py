"""Exclusion lists hold everywhere (issue 15): someone named on a case's exclusion list walks every page,
download and export of the seeded world, as each role that could otherwise reach the case, and finds
nothing of it: not the victim's name, the case's ids, its action or its research.

Beside each walk, the same role not on the list finds the case somewhere, so the walk can fail."""

import io

import pytest
from openpyxl import load_workbook

from access.models import Role, User
from cases.models import ExcludedPerson
from extensions import db
from meetings.models import Meeting
from tests.conftest import give_session
from tests.reports.pdf_helpers import pdf_text, zipped_pdfs_text
from tests.world import add_user, real_url, seed_world, world_app

EXCLUDED_NAME = "Excluded Walker"
WALKERS = [Role.PRACTITIONER, Role.AGENCY_REP, Role.CHAIR]


@pytest.fixture(scope="module")
def app(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("exclusion-walk")) as app:
        yield app


@pytest.fixture(scope="module")
def world(app):
    world = seed_world(app)
    with app.app_context():
        db.session.add(
            ExcludedPerson(
                case_id=world.ids["case_id"], name=EXCLUDED_NAME.upper(), recorded_by_id=world.ids["user_id"]
            )
        )
        walkers = {role: add_user(f"excluded-{role.value}@example.org", role, world.own_agency_id) for role in WALKERS}
        for user_id in walkers.values():
            db.session.get(User, user_id).name = EXCLUDED_NAME
        # The excluded chair chairs the meeting, so the walk reaches its minutes and the running of it.
        db.session.get(Meeting, world.ids["meeting_id"]).chair_id = walkers[Role.CHAIR]
        db.session.commit()
    world.ids["walkers"] = walkers
    return world


def canaries(world) -> list[str]:
    """What would show the case: its victim's name, its ids, its action and its research return's address."""
    ids = world.ids
    return [
        "Victim1",
        str(ids["case_id"]),
        str(ids["person_id"]),
        str(ids["referral_id"]),
        "Check the address history",
        f"/research/{ids['return_id']}",
        f"/actions/{ids['action_id']}",
    ]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body_text(response, path: str) -> str:
    """What a reader of the response sees, less the page's own address (it echoes the id it was asked for)."""
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
    return response.get_data(as_text=True).replace(path, "")


def walk(app, world, user_id) -> dict[str, tuple[int, str]]:
    client = app.test_client()
    give_session(app, client, user_id)
    seen = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in ("static", "access.sign_out"):
            continue
        path = real_url(rule, world.ids)
        response = client.get(path)
        seen[path] = (response.status_code, body_text(response, path) if response.status_code == 200 else "")
    return seen


@pytest.mark.parametrize("role", WALKERS)
def test_Z2_someone_on_the_exclusion_list_finds_nothing_of_the_case_on_any_page_or_download(app, world, role):
    seen = walk(app, world, world.ids["walkers"][role])

    assert [path for path, (status, _) in seen.items() if status >= 500] == []
    found = [(path, canary) for path, (_, text) in seen.items() for canary in canaries(world) if canary in text]
    assert found == []


@pytest.mark.parametrize("role", WALKERS)
def test_the_same_role_not_on_the_list_does_find_the_case(app, world, role):
    seen = walk(app, world, world.users[role])

    assert any(canary in text for _, text in seen.values() for canary in canaries(world))
