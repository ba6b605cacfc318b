"""SECURITY A12: `flask --app app access disable-unused`, run daily, disables accounts with no sign-in for
INACTIVE_ACCOUNT_DAYS (90), ends their sessions, tells them by e-mail and every administrator in the service
and by e-mail, and audits each one; signing in to a disabled account then says to contact the administrator."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from access import unused_accounts
from access.audit import AuditAction
from access.models import AuditEvent, Notification, Role, User
from extensions import db
from tests.access.conftest import START
from tests.conftest import TEST_PASSWORD, give_session
from tests.meetings.conftest import inbox  # noqa: F401  (the loopback SMTP server)
from tests.sql_statements import statements_run

DISABLED = "Your account has been disabled. Contact your administrator."


@pytest.fixture
def app_settings(request):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": request.getfixturevalue("inbox").port}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def run_command(app):
    return app.test_cli_runner().invoke(args=["access", "disable-unused"])


def is_active(app, user_id) -> bool:
    with app.app_context():
        return db.session.get(User, user_id).active


def last_signed_in(days_ago: float):
    return START - timedelta(days=days_ago)


@pytest.fixture
def admin_id(make_user):
    user_id, _ = make_user(email="admin@example.org", role=Role.ADMIN, last_sign_in_at=last_signed_in(1))
    return user_id


def test_a12_an_account_unused_for_91_days_is_disabled_and_one_for_89_is_not(app, make_user, admin_id):
    stale_id, _ = make_user(email="stale@example.org", last_sign_in_at=last_signed_in(91))
    recent_id, _ = make_user(email="recent@example.org", last_sign_in_at=last_signed_in(89))

    result = run_command(app)

    assert result.exit_code == 0, result.output
    assert not is_active(app, stale_id)
    assert is_active(app, recent_id)
    assert is_active(app, admin_id)
    assert "Disabled 1 account" in result.output
    assert f"account {stale_id}" in result.output
    assert "stale@example.org" not in result.output and "Sam Worker" not in result.output


def statements_to_disable_unused(app) -> tuple[int, int]:
    with app.app_context(), statements_run(app) as statements:
        disabled = unused_accounts.disable_unused_accounts()
        db.session.commit()
    return len(disabled.user_ids), len(statements)


def stale_accounts(make_user, count: int, start: int) -> None:
    for number in range(start, start + count):
        make_user(email=f"stale{number}@example.org", last_sign_in_at=last_signed_in(91))


def test_a12_disabling_six_accounts_costs_no_more_statements_than_two(app, make_user, admin_id):
    stale_accounts(make_user, 1, start=0)
    statements_to_disable_unused(app)  # the first audit event of a fresh database reads more
    stale_accounts(make_user, 2, start=1)
    two = statements_to_disable_unused(app)
    stale_accounts(make_user, 6, start=3)
    six = statements_to_disable_unused(app)

    assert (two[0], six[0]) == (2, 6)
    assert six[1] == two[1]


def test_a12_an_account_never_signed_in_counts_from_when_it_was_made(app, make_user, admin_id):
    old_id, _ = make_user(email="old@example.org", created_at=last_signed_in(91))
    new_id, _ = make_user(email="new@example.org", created_at=last_signed_in(89))
    run_command(app)
    assert (is_active(app, old_id), is_active(app, new_id)) == (False, True)


def test_a12_disabling_ends_the_accounts_sessions(app, client, make_user, admin_id, live_sessions):
    stale_id, _ = make_user(email="stale@example.org", last_sign_in_at=last_signed_in(91))
    give_session(app, client, stale_id)  # a browser left signed in (made now, so not yet timed out)
    assert client.get(client.url("meetings.home")).status_code == 200

    run_command(app)

    assert live_sessions(stale_id) == 0
    assert client.get(client.url("meetings.home")).status_code == 302


def test_a12_the_person_and_every_administrator_are_told(app, make_user, admin_id, inbox):  # noqa: F811
    stale_id, _ = make_user(email="stale@example.org", last_sign_in_at=last_signed_in(91))

    run_command(app)

    by_recipient = {tuple(recipients): message for recipients, message in inbox.messages}
    to_person = by_recipient[("stale@example.org",)]
    assert "has been disabled" in to_person.get_content()
    assert "90 days" in to_person.get_content()
    to_admin = by_recipient[("admin@example.org",)]
    assert f"/users/{stale_id}" in to_admin.get_content()
    for message in (to_person, to_admin):
        assert "Sam Worker" not in message["Subject"] + message.get_content()
    with app.app_context():
        notices = list(db.session.scalars(select(Notification).where(Notification.user_id == admin_id)))
    assert len(notices) == 1
    assert "1 account was disabled" in notices[0].message


def test_a12_each_disabling_is_audited_by_account(app, make_user, admin_id):
    stale_id, _ = make_user(email="stale@example.org", last_sign_in_at=last_signed_in(91))
    run_command(app)
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.user_id, AuditEvent.object_type, AuditEvent.object_id).where(
                AuditEvent.action == str(AuditAction.USER_DISABLED_UNUSED)
            )
        )
        assert [tuple(row) for row in rows] == [(None, "user", str(stale_id))]


def test_a12_a_disabled_account_is_told_to_contact_the_administrator(app, client, make_user, admin_id):
    make_user(email="stale@example.org", last_sign_in_at=last_signed_in(91))
    run_command(app)

    response = client.post(client.url("access.sign_in"), data={"email": "stale@example.org", "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert DISABLED in response.get_data(as_text=True)


def test_a12_a_wrong_password_on_a_disabled_account_says_nothing_about_it(app, client, make_user, admin_id):
    make_user(email="stale@example.org", last_sign_in_at=last_signed_in(91))
    run_command(app)
    response = client.post(client.url("access.sign_in"), data={"email": "stale@example.org", "password": "wrong one"})
    assert DISABLED not in response.get_data(as_text=True)


def test_a12_nothing_unused_changes_nothing_and_says_so(app, make_user, admin_id, inbox):  # noqa: F811
    result = run_command(app)
    assert result.exit_code == 0
    assert "No account has gone 90 days without signing in" in result.output
    assert inbox.messages == []


def test_a12_the_administrators_link_is_well_formed_whatever_the_public_address_ends_with(
    app,
    make_user,
    admin_id,
    inbox,  # noqa: F811
):
    """PUBLIC_URL set with a trailing slash (as a person types it) still gives one slash before the path,
    the same link the action reminders build."""
    stale_id, _ = make_user(email="stale@example.org", last_sign_in_at=last_signed_in(91))
    app.config["PUBLIC_URL"] = "https://marac.example.org/"

    run_command(app)

    to_admin = {tuple(recipients): message for recipients, message in inbox.messages}[("admin@example.org",)]
    assert f"https://marac.example.org/users/{stale_id}" in to_admin.get_content()
