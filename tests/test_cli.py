"""The command-line tools: `flask --app app access create-admin` and the `demo` commands."""

import os
import re
import stat

import pytest
from sqlalchemy import func, select

from access.audit import verify_chain
from access.models import Agency, AgencyKind, AuditEvent, Role, User
from demo import DEMO_ACCOUNTS, DEMO_AGENCIES
from extensions import db, utcnow
from meetings.models import Meeting
from tests.conftest import build_test_app

ONE_TIME_PASSWORD = re.compile(r"One-time password: (\S+)")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def create_admin(app, email="Ada.Admin@Example.org", name="Ada Admin", agency="Northshire Council", *extra):
    return app.test_cli_runner().invoke(
        args=["access", "create-admin", "--email", email, "--name", name, "--agency", agency, *extra]
    )


def printed_password(result) -> str:
    match = ONE_TIME_PASSWORD.search(result.output)
    assert match, result.output
    return match.group(1)


def post_password(client, email, password):
    return client.post(client.url("access.sign_in"), data={"email": email, "password": password})


# --- access create-admin -----------------------------------------------------------------------


def test_create_admin_makes_an_active_admin_who_must_change_the_printed_password(app, client):
    result = create_admin(app)

    assert result.exit_code == 0, result.output
    password = printed_password(result)
    assert len(password) >= 16
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "ada.admin@example.org"
        assert user.name == "Ada Admin"
        assert user.role is Role.ADMIN
        assert user.active is True
        assert user.must_change_password is True
        assert user.is_demo is False
        assert user.has_second_factor is False
        assert password not in user.password_hash
        assert user.agency.name == "Northshire Council"
        assert user.agency.kind is AgencyKind.OTHER
        events = db.session.scalars(select(AuditEvent)).all()
        assert [(event.action, event.object_id) for event in events] == [("user-created", str(user.id))]
        assert verify_chain() == (1, None)
    assert "ada.admin@example.org" in result.output

    response = post_password(client, "ada.admin@example.org", password)

    assert response.status_code == 302
    assert response.location == client.url("access.set_new_password")


def test_the_one_time_password_is_the_only_one_that_works(app, client):
    create_admin(app)

    response = post_password(client, "ada.admin@example.org", "not-the-printed-password")

    assert response.status_code == 200
    assert "The email address or password is not right" in response.get_data(as_text=True)


def test_each_admin_gets_a_different_one_time_password(app):
    first = printed_password(create_admin(app, "one@example.org"))
    second = printed_password(create_admin(app, "two@example.org"))

    assert first != second
    assert count(app, User) == 2
    assert count(app, Agency) == 1


def test_create_admin_joins_an_existing_agency_whatever_its_case(app, make_agency):
    agency_id = make_agency("Northshire Police", AgencyKind.POLICE)

    result = create_admin(app, "ada@example.org", "Ada Admin", "northshire police", "--agency-kind", "housing")

    assert result.exit_code == 0, result.output
    assert count(app, Agency) == 1
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.agency_id == agency_id
        assert user.agency.kind is AgencyKind.POLICE


def test_create_admin_uses_the_agency_kind_for_a_new_agency(app):
    result = create_admin(app, "ada@example.org", "Ada Admin", "Northshire Police", "--agency-kind", "police")

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Agency.kind)) is AgencyKind.POLICE


@pytest.mark.parametrize("second_email", ["Ada.Admin@Example.org", "ada.admin@example.org", "ADA.ADMIN@EXAMPLE.ORG"])
def test_create_admin_refuses_an_email_already_in_use_and_creates_nothing(app, second_email):
    create_admin(app)
    before = (count(app, User), count(app, Agency), count(app, AuditEvent))

    result = create_admin(app, second_email, "Someone Else", "A Brand New Agency")

    assert result.exit_code != 0
    assert "already uses" in result.output
    assert "One-time password" not in result.output
    assert (count(app, User), count(app, Agency), count(app, AuditEvent)) == before
    with app.app_context():
        assert db.session.scalar(select(User.name)) == "Ada Admin"


# --- demo seed and demo accounts ---------------------------------------------------------------


@pytest.fixture
def demo_app(database_url, tmp_path):
    with build_test_app(database_url, DEMO_MODE=True) as app:
        app.instance_path = str(tmp_path / "instance")
        yield app


@pytest.fixture
def seeded(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result


def demo_password(app) -> str:
    with open(f"{app.instance_path}/demo_password") as file:
        return file.read().strip()


@pytest.mark.parametrize("command", ["seed", "accounts", "meeting-day"])
def test_demo_commands_refuse_outside_demo_mode(app, tmp_path, command):
    app.instance_path = str(tmp_path / "instance")

    result = app.test_cli_runner().invoke(args=["demo", command])

    assert result.exit_code != 0
    assert "demo mode" in result.output
    assert count(app, User) == 0
    assert count(app, Agency) == 0
    assert count(app, Meeting) == 0
    assert not (tmp_path / "instance" / "demo_password").exists()


def test_demo_seed_creates_one_account_per_role_across_agencies_and_future_meetings(demo_app, seeded):
    assert "Demo data loaded" in seeded.output
    with demo_app.app_context():
        users = db.session.scalars(select(User).order_by(User.id)).all()
        assert sorted(user.role for user in users) == sorted(Role)
        assert {user.email for user in users} == {account.email for account in DEMO_ACCOUNTS}
        assert all(user.is_demo and user.active and not user.must_change_password for user in users)
        assert len({user.agency_id for user in users}) > 1
        by_email = {account.email: account for account in DEMO_ACCOUNTS}
        assert all(user.agency.name == by_email[user.email].agency for user in users)
        assert {agency.name for agency in db.session.scalars(select(Agency))} == {name for name, _ in DEMO_AGENCIES}

        meetings = db.session.scalars(select(Meeting)).all()
        assert sum(meeting.starts_at > utcnow() for meeting in meetings) == 2
        assert all(meeting.chair.role is Role.CHAIR for meeting in meetings)

    path = f"{demo_app.instance_path}/demo_password"
    password = demo_password(demo_app)
    assert len(password) >= 12
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_demo_accounts_lists_every_demo_email_and_the_password(demo_app, seeded):
    result = demo_app.test_cli_runner().invoke(args=["demo", "accounts"])

    assert result.exit_code == 0, result.output
    for account in DEMO_ACCOUNTS:
        assert account.email in result.output
    assert demo_password(demo_app) in result.output


def test_demo_seed_again_changes_nothing(demo_app, seeded):
    password = demo_password(demo_app)
    before = (count(demo_app, User), count(demo_app, Agency), count(demo_app, Meeting), count(demo_app, AuditEvent))

    result = demo_app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    assert "already has accounts" in result.output
    after = (count(demo_app, User), count(demo_app, Agency), count(demo_app, Meeting), count(demo_app, AuditEvent))
    assert after == before
    assert demo_password(demo_app) == password


def test_demo_seed_leaves_a_database_with_real_accounts_alone(demo_app, app):
    create_admin(app)

    result = demo_app.test_cli_runner().invoke(args=["demo", "seed"])

    assert "already has accounts" in result.output
    assert count(demo_app, User) == 1
    assert count(demo_app, Meeting) == 0


# --- signing in with a demo account ------------------------------------------------------------


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[account.role.value for account in DEMO_ACCOUNTS])
def test_in_demo_mode_a_demo_account_signs_in_with_the_password_alone(demo_app, seeded, account):
    client = demo_app.test_client()

    response = post_password(client, account.email, demo_password(demo_app))

    assert response.status_code == 302
    assert response.location == client.url("meetings.home")
    assert client.get(client.url("meetings.home")).status_code == 200


def test_in_demo_mode_a_demo_account_still_needs_the_right_password(demo_app, seeded):
    client = demo_app.test_client()

    response = post_password(client, DEMO_ACCOUNTS[0].email, "not-the-demo-password")

    assert response.status_code == 200
    assert client.get(client.url("meetings.home")).status_code == 302


def test_in_demo_mode_a_real_account_still_needs_its_security_code(demo_app, seeded, make_user):
    make_user(email="worker@example.org")
    client = demo_app.test_client()

    response = post_password(client, "worker@example.org", "correct horse battery staple")

    assert response.status_code == 302
    assert response.location == client.url("access.verify_second_factor")
    assert client.get(client.url("meetings.home")).status_code == 302


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[account.role.value for account in DEMO_ACCOUNTS])
def test_outside_demo_mode_a_demo_account_is_sent_to_a_second_factor_step(demo_app, seeded, app, client, account):
    response = post_password(client, account.email, demo_password(demo_app))

    assert response.status_code == 302
    assert response.location in {client.url("access.set_up_second_factor"), client.url("access.verify_second_factor")}
    home = client.get(client.url("meetings.home"))
    assert home.status_code == 302
    assert home.location.startswith(client.url("access.continue_sign_in"))
