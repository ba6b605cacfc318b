"""User and agency administration, and a new user's first sign-in with a one-time password."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from access import store
from access.audit import AuditAction
from access.models import Agency, AuditEvent, RecoveryCode, Role, User
from access.passwords import make_hasher, verify_password
from extensions import db
from tests.access.conftest import START, totp_code
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "amber kettle orchard violin"
ADMIN_ONLY_PAGES = ("access.list_users", "access.create_user", "access.list_agencies", "access.create_agency")
OTHER_ROLES = [role for role in Role if role is not Role.ADMIN]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin_id(sign_in_as):
    """The test client, signed in as an administrator."""
    return sign_in_as(Role.ADMIN, email="admin@example.org")


@pytest.fixture
def agency_id(make_agency):
    return make_agency("Northshire Police")


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def user_form(agency_id, *, name="Alex Newcomer", email="alex@example.org", role=Role.PRACTITIONER, active=True):
    """The add/edit user form as a browser sends it: an unchecked box is simply missing."""
    data = {"name": name, "email": email, "agency_id": str(agency_id), "role": str(role)}
    if active:
        data["active"] = "y"
    return data


def edit_form_for(user, **changes) -> dict:
    fields = {"name": user.name, "email": user.email, "role": user.role, "active": user.active} | changes
    return user_form(user.agency_id, **fields)


def one_time_password_in(response) -> str:
    match = re.search(r"<code>([A-Za-z0-9_-]{20})</code>", response.get_data(as_text=True))
    assert match, "no one-time password on the page"
    return match.group(1)


def secret_in(response) -> str:
    match = re.search(r'<code class="app-secret">([A-Z2-7]+)</code>', response.get_data(as_text=True))
    assert match, "no authenticator key on the page"
    return match.group(1)


def recovery_codes_in(response) -> list[str]:
    listing = re.search(r'<ul class="[^"]*app-recovery-codes[^"]*">(.*?)</ul>', response.get_data(as_text=True), re.S)
    assert listing, "no recovery code list on the page"
    return re.findall(r"<code>([^<]+)</code>", listing.group(1))


def post_password(client, email, password):
    return client.post(client.url("access.sign_in"), data={"email": email, "password": password})


def post_new_password(client, password, again=None):
    return client.post(
        client.url("access.set_new_password"),
        data={"password": password, "password_again": password if again is None else again},
    )


def create_user(client, agency_id, **fields):
    return client.post(client.url("access.create_user"), data=user_form(agency_id, **fields))


def user_id_for(app, email) -> int | None:
    with app.app_context():
        user = store.get_user_by_email(email)
        return user.id if user else None


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def audit_since(app, after_id) -> list[tuple]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id))
        return [(event.action, event.user_id, event.object_type, event.object_id) for event in events]


# Who may reach the administration pages


@pytest.mark.parametrize("role", OTHER_ROLES, ids=str)
def test_only_administrators_reach_the_administration_pages(app, client, sign_in_as, role):
    sign_in_as(role, email=f"{role}@example.org")

    statuses = {endpoint: client.get(client.url(endpoint)).status_code for endpoint in ADMIN_ONLY_PAGES}

    assert statuses == dict.fromkeys(ADMIN_ONLY_PAGES, 403)


@pytest.mark.parametrize("role", OTHER_ROLES, ids=str)
def test_other_roles_cannot_create_users_or_agencies(app, client, sign_in_as, agency_id, role):
    sign_in_as(role, email=f"{role}@example.org")
    users, agencies = count(app, User), count(app, Agency)

    assert create_user(client, agency_id).status_code == 403
    assert (
        client.post(
            client.url("access.create_agency"), data={"name": "Eastshire Housing", "kind": "housing"}
        ).status_code
        == 403
    )
    assert (count(app, User), count(app, Agency)) == (users, agencies)


def test_administrators_reach_the_administration_pages(app, client, admin_id):
    statuses = {endpoint: client.get(client.url(endpoint)).status_code for endpoint in ADMIN_ONLY_PAGES}

    assert statuses == dict.fromkeys(ADMIN_ONLY_PAGES, 200)


# Creating a user, and their first sign-in


def test_a_new_user_signs_in_first_with_the_one_time_password_then_sets_up_everything(
    app, client, admin_id, agency_id, frozen_clock
):
    created = create_user(client, agency_id)
    assert created.status_code == 200
    assert "Alex Newcomer can now sign in" in page_text(created)
    one_time_password = one_time_password_in(created)
    newcomer = app.test_client()

    response = post_password(newcomer, "alex@example.org", one_time_password)
    assert response.location == newcomer.url("access.set_new_password")
    assert newcomer.get(newcomer.url("meetings.home")).location == newcomer.url("access.continue_sign_in")
    assert newcomer.get(newcomer.url("access.set_up_second_factor")).location == newcomer.url("access.continue_sign_in")

    response = post_new_password(newcomer, NEW_PASSWORD)
    assert response.location == newcomer.url("access.continue_sign_in")
    response = newcomer.get(response.location)
    assert response.location == newcomer.url("access.set_up_second_factor")

    set_up = newcomer.get(newcomer.url("access.set_up_second_factor"))
    assert set_up.status_code == 200
    secret = secret_in(set_up)
    response = newcomer.post(newcomer.url("access.set_up_second_factor"), data={"code": totp_code(secret, START)})

    assert response.status_code == 200
    codes = recovery_codes_in(response)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert newcomer.get(newcomer.url("meetings.home")).status_code == 200

    with app.app_context():
        user = store.get_user_by_email("alex@example.org")
        assert user.must_change_password is False
        assert user.has_second_factor
        stored = [row.code_hash for row in db.session.scalars(select(RecoveryCode).filter_by(user_id=user.id))]
    assert len(stored) == 10
    assert not any(code in code_hash or code.replace("-", "") in code_hash for code in codes for code_hash in stored)
    hasher = make_hasher(app.config["PASSWORD_HASH_PARAMETERS"])
    assert all(any(verify_password(hasher, code_hash, code) for code_hash in stored) for code in codes)


def test_the_one_time_password_stops_working_once_the_new_password_is_chosen(app, client, admin_id, agency_id):
    one_time_password = one_time_password_in(create_user(client, agency_id))
    newcomer = app.test_client()
    post_password(newcomer, "alex@example.org", one_time_password)
    post_new_password(newcomer, NEW_PASSWORD)

    again = app.test_client()
    assert post_password(again, "alex@example.org", one_time_password).status_code == 200
    assert post_password(again, "alex@example.org", NEW_PASSWORD).location == again.url("access.set_up_second_factor")


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("password1234", "password1234", "harder to guess"),
        ("amber kettl", "amber kettl", "at least 12 characters"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "Enter the same password in both boxes"),
        ("newcomer2026", "newcomer2026", "harder to guess"),
    ],
    ids=["common", "11 characters", "boxes differ", "own name"],
)
def test_first_sign_in_refuses_a_poor_new_password(
    app, client, admin_id, agency_id, load_user, password, again, message
):
    one_time_password = one_time_password_in(create_user(client, agency_id))
    newcomer = app.test_client()
    post_password(newcomer, "alex@example.org", one_time_password)

    response = post_new_password(newcomer, password, again)

    assert response.status_code == 200
    assert message in page_text(response)
    assert load_user(user_id_for(app, "alex@example.org")).must_change_password is True


def test_an_email_address_already_in_use_is_refused(app, client, admin_id, agency_id, make_user):
    make_user(email="taken@example.org")
    users = count(app, User)

    response = create_user(client, agency_id, email="Taken@Example.org")

    assert response.status_code == 200
    assert "Enter a different email address: an account already uses this one" in page_text(response)
    assert count(app, User) == users


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the person's full name"),
        ("name", "   ", "Enter the person's full name"),
        ("email", "", "Enter the person's work email address"),
        ("email", "alex at example", "Enter an email address in the correct format"),
        ("agency_id", "", "Choose the person's agency"),
        ("role", "", "Choose the person's role"),
    ],
    ids=["name blank", "name only spaces", "email blank", "email malformed", "agency not chosen", "role not chosen"],
)
def test_a_user_form_with_a_missing_or_bad_field_says_what_to_do(
    app, client, admin_id, agency_id, field, value, message
):
    users = count(app, User)

    response = client.post(client.url("access.create_user"), data=user_form(agency_id) | {field: value})

    assert response.status_code == 200
    assert message in page_text(response)
    assert count(app, User) == users


def test_an_empty_user_form_lists_every_missing_field(app, client, admin_id, agency_id):
    response = client.post(
        client.url("access.create_user"), data={"name": "", "email": "", "agency_id": "", "role": ""}
    )

    text = page_text(response)
    for message in (
        "Enter the person's full name",
        "Enter the person's work email address",
        "Choose the person's agency",
        "Choose the person's role",
    ):
        assert message in text


# Changing users


@pytest.mark.parametrize(
    "change",
    [{"role": Role.PRACTITIONER}, {"active": False}, {"role": Role.CHAIR, "active": False}],
    ids=["own role", "own account disabled", "both"],
)
def test_an_administrator_cannot_remove_their_own_access(app, client, admin_id, load_user, live_sessions, change):
    before = last_audit_id(app)

    response = client.post(
        client.url("access.edit_user", user_id=admin_id), data=edit_form_for(load_user(admin_id), **change)
    )

    assert response.status_code == 200
    assert "cannot remove your own administrator access" in page_text(response)
    admin = load_user(admin_id)
    assert (admin.role, admin.active) == (Role.ADMIN, True)
    assert live_sessions(admin_id) == 1
    assert audit_since(app, before) == []


def test_an_administrator_can_still_change_their_own_name(app, client, admin_id, load_user):
    response = client.post(
        client.url("access.edit_user", user_id=admin_id), data=edit_form_for(load_user(admin_id), name="Ada Admin")
    )

    assert response.location == client.url("access.list_users")
    assert load_user(admin_id).name == "Ada Admin"


def test_an_email_change_to_one_already_used_is_refused(app, client, admin_id, make_user, load_user):
    make_user(email="taken@example.org")
    user_id, _ = make_user(email="someone@example.org")

    response = client.post(
        client.url("access.edit_user", user_id=user_id),
        data=edit_form_for(load_user(user_id), email="TAKEN@example.org"),
    )

    assert "another account already uses this one" in page_text(response)
    assert load_user(user_id).email == "someone@example.org"


def test_a_password_reset_signs_the_user_out_and_keeps_their_security_code_app(
    app, client, admin_id, make_user, load_user, live_sessions, frozen_clock
):
    user_id, secret = make_user()
    before = load_user(user_id)
    phone = app.test_client()
    post_password(phone, "worker@example.org", TEST_PASSWORD)
    phone.post(phone.url("access.verify_second_factor"), data={"code": totp_code(secret, START)})
    assert phone.get(phone.url("meetings.home")).status_code == 200

    reset = client.post(client.url("access.reset_user_password", user_id=user_id))

    assert reset.status_code == 200
    assert "Password reset for Sam Worker" in page_text(reset)
    one_time_password = one_time_password_in(reset)
    assert live_sessions(user_id) == 0
    assert phone.get(phone.url("meetings.home")).location.startswith(phone.url("access.sign_in"))
    assert post_password(phone, "worker@example.org", TEST_PASSWORD).status_code == 200  # old password gone

    frozen_clock.shift(timedelta(minutes=1))
    assert post_password(phone, "worker@example.org", one_time_password).location == phone.url(
        "access.set_new_password"
    )
    post_new_password(phone, NEW_PASSWORD)
    assert phone.get(phone.url("access.continue_sign_in")).location == phone.url("access.verify_second_factor")
    response = phone.post(
        phone.url("access.verify_second_factor"), data={"code": totp_code(secret, START + timedelta(minutes=1))}
    )
    assert response.location == phone.url("meetings.home")
    after = load_user(user_id)
    assert (after.totp_secret, after.totp_enrolled_at) == (before.totp_secret, before.totp_enrolled_at)
    assert after.must_change_password is False


def test_unlocking_lets_a_locked_user_sign_in_at_once(app, client, admin_id, make_user, load_user):
    user_id, _ = make_user(locked_until=START + timedelta(minutes=25), failed_attempts=3)
    person = app.test_client()
    assert post_password(person, "worker@example.org", TEST_PASSWORD).status_code == 200
    assert "This account is locked" in page_text(client.get(client.url("access.edit_user", user_id=user_id)))

    response = client.post(client.url("access.unlock_user", user_id=user_id))

    assert response.location == client.url("access.edit_user", user_id=user_id)
    assert (load_user(user_id).locked_until, load_user(user_id).failed_attempts) == (None, 0)
    assert post_password(person, "worker@example.org", TEST_PASSWORD).location == person.url(
        "access.verify_second_factor"
    )


# Agencies


def test_an_administrator_adds_an_agency(app, client, admin_id):
    response = client.post(client.url("access.create_agency"), data={"name": "  Eastshire Housing ", "kind": "housing"})

    assert response.location == client.url("access.list_agencies")
    listing = page_text(client.get(client.url("access.list_agencies")))
    assert "Eastshire Housing" in listing
    with app.app_context():
        agency = store.get_agency_by_name("Eastshire Housing")
        assert (agency.name, agency.kind) == ("Eastshire Housing", "housing")


@pytest.mark.parametrize("duplicate", ["Northshire Police", "NORTHSHIRE police", " northshire Police "])
def test_an_agency_name_already_used_is_refused_whatever_its_case(app, client, admin_id, agency_id, duplicate):
    agencies = count(app, Agency)

    response = client.post(client.url("access.create_agency"), data={"name": duplicate, "kind": "police"})

    assert response.status_code == 200
    assert "an agency with this name already exists" in page_text(response)
    assert count(app, Agency) == agencies


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("", "police", "Enter the agency's name"),
        ("   ", "police", "Enter the agency's name"),
        ("Eastshire Housing", "", "Choose the kind of agency"),
    ],
    ids=["name blank", "name only spaces", "kind not chosen"],
)
def test_an_agency_form_with_a_missing_field_says_what_to_do(app, client, admin_id, name, kind, message):
    agencies = count(app, Agency)

    response = client.post(client.url("access.create_agency"), data={"name": name, "kind": kind})

    assert response.status_code == 200
    assert message in page_text(response)
    assert count(app, Agency) == agencies


# The audit trail


def do_create_user(client, app, agency_id, target_id):
    create_user(client, agency_id, email="new@example.org")
    return [(AuditAction.USER_CREATED, "user", user_id_for(app, "new@example.org"))]


def do_change_role(client, app, agency_id, target_id):
    client.post(
        client.url("access.edit_user", user_id=target_id),
        data=user_form(agency_id, email="target@example.org", role=Role.CHAIR),
    )
    return [(AuditAction.USER_CHANGED, "user", target_id)]


def do_disable(client, app, agency_id, target_id):
    client.post(
        client.url("access.edit_user", user_id=target_id),
        data=user_form(agency_id, email="target@example.org", active=False),
    )
    return [(AuditAction.USER_CHANGED, "user", target_id), (AuditAction.USER_DISABLED, "user", target_id)]


def do_reset_password(client, app, agency_id, target_id):
    client.post(client.url("access.reset_user_password", user_id=target_id))
    return [(AuditAction.USER_PASSWORD_RESET, "user", target_id)]


def do_unlock(client, app, agency_id, target_id):
    client.post(client.url("access.unlock_user", user_id=target_id))
    return [(AuditAction.USER_CHANGED, "user", target_id)]


def do_create_agency(client, app, agency_id, target_id):
    client.post(client.url("access.create_agency"), data={"name": "Eastshire Housing", "kind": "housing"})
    with app.app_context():
        return [(AuditAction.AGENCY_CREATED, "agency", store.get_agency_by_name("Eastshire Housing").id)]


@pytest.mark.parametrize(
    "action",
    [do_create_user, do_change_role, do_disable, do_reset_password, do_unlock, do_create_agency],
    ids=lambda action: action.__name__.removeprefix("do_"),
)
def test_every_administration_change_is_audited_against_the_acting_admin(
    app, client, admin_id, agency_id, make_user, action
):
    target_id, _ = make_user(email="target@example.org")
    before = last_audit_id(app)

    expected = action(client, app, agency_id, target_id)

    assert audit_since(app, before) == [
        (str(name), admin_id, object_type, str(object_id)) for name, object_type, object_id in expected
    ]
