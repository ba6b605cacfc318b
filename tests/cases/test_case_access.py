"""Need to know, tested as a matrix: role × own or other agency, for every case page."""

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role
from extensions import db
from tests.cases.test_journey import complete_ric, start_case
from tests.conftest import give_session

CASE_PAGES = [
    "cases.view_case",
    "cases.start_assessment",
    "cases.record_judgement",
    "cases.add_incident",
    "cases.add_party",
    "cases.refer_case",
]
EXPECTED = {
    # (role, same agency as the case's creator) -> status for GET of a case page
    (Role.PRACTITIONER, True): 200,
    (Role.PRACTITIONER, False): 404,
    (Role.AGENCY_REP, True): 200,
    (Role.AGENCY_REP, False): 404,
    (Role.COORDINATOR, False): 200,
    (Role.CHAIR, False): 200,
    (Role.ADMIN, True): 403,
}
READ_ONLY_FOR_CHAIR = {"cases.view_case"}


def sign_in_with(app, client, make_user, role, agency="Riverside IDVA Service", email=None) -> int:
    user_id, _ = make_user(email=email or f"{role.value}-second@example.org", role=role, agency=agency)
    give_session(app, client, user_id)
    return user_id


def make_case(app, make_user) -> str:
    creator = app.test_client()
    sign_in_with(app, creator, make_user, Role.PRACTITIONER)
    case = start_case(creator)
    complete_ric(creator, case, 3)
    return case


@pytest.mark.parametrize(("role", "same_agency"), sorted(EXPECTED, key=str))
def test_case_pages_by_role_and_agency(app, client, make_user, sign_in_as, role, same_agency):
    case = make_case(app, make_user)
    sign_in_as(
        role,
        email=f"viewer-{role.value}@example.org",
        agency="Riverside IDVA Service" if same_agency else "Northshire Police",
    )

    for endpoint in CASE_PAGES:
        status = client.get(client.url(endpoint, case_id=case)).status_code
        expected = EXPECTED[(role, same_agency)]
        if role is Role.CHAIR and endpoint not in READ_ONLY_FOR_CHAIR:
            expected = 403
        assert status == expected, f"{role} {'own' if same_agency else 'other'} agency GET {endpoint}: {status}"


def test_refused_views_are_not_recorded_as_views_but_allowed_ones_are(app, client, make_user, sign_in_as):
    case = make_case(app, make_user)
    outsider = sign_in_as(Role.PRACTITIONER, email="outsider@example.org", agency="Northshire Police")
    coordinator = app.test_client()
    coordinator_id = sign_in_with(app, coordinator, make_user, Role.COORDINATOR)

    assert client.get(client.url("cases.view_case", case_id=case)).status_code == 404
    assert coordinator.get(coordinator.url("cases.view_case", case_id=case)).status_code == 200

    with app.app_context():
        viewers = list(
            db.session.scalars(
                select(AuditEvent.user_id).where(AuditEvent.action == "case-viewed", AuditEvent.object_id == case)
            )
        )
    assert viewers == [coordinator_id]
    assert outsider not in viewers


def test_safe_contact_is_restricted_audited_and_never_on_the_case_page(app, client, make_user, sign_in_as):
    case = make_case(app, make_user)
    sign_in_as(Role.COORDINATOR, email="coord@example.org")

    saved = client.post(
        client.url("cases.edit_safe_contact", case_id=case),
        data={"phone": "07700 900123", "safe_to_call": "no", "safe_address": "Flat 9, Canary Court"},
    )
    assert saved.status_code == 302
    form_page = client.get(client.url("cases.edit_safe_contact", case_id=case)).get_data(as_text=True)
    case_page = client.get(client.url("cases.view_case", case_id=case)).get_data(as_text=True)

    assert "07700 900123" in form_page
    assert "07700 900123" not in case_page and "Canary Court" not in case_page
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "safe-contact-viewed")
            )
            == 1
        )


def test_agency_representatives_cannot_open_safe_contact_details(app, client, make_user, sign_in_as):
    case = make_case(app, make_user)
    sign_in_as(Role.AGENCY_REP, email="rep@example.org", agency="Riverside IDVA Service")

    assert client.get(client.url("cases.edit_safe_contact", case_id=case)).status_code == 403


def test_the_home_page_lists_only_the_cases_a_person_may_open(app, client, make_user, sign_in_as):
    case = make_case(app, make_user)
    outsider = app.test_client()
    sign_in_with(app, outsider, make_user, Role.PRACTITIONER, agency="Northshire Police", email="outsider@example.org")
    sign_in_as(Role.COORDINATOR, email="coord@example.org")

    assert client.url("cases.view_case", case_id=case) in client.get(client.url("meetings.home")).get_data(as_text=True)
    assert client.url("cases.view_case", case_id=case) not in outsider.get(outsider.url("meetings.home")).get_data(
        as_text=True
    )
