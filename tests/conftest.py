"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
cloned from a template that the real migration chain built once per run."""

import os
import secrets
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
import pytest
from flask import session, url_for
from flask.testing import FlaskClient
from flask_migrate import upgrade

from access import sessions, signin, store
from access.models import Agency, AgencyKind, Role, SessionStage, User
from access.second_factor import new_totp_secret
from app import create_app
from config import normalise_database_url, test_settings
from extensions import db, limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# A licensed table installed on this machine must not change what the tests expect; those that need one set their own.
os.environ["MARAC_LICENSED_TABLES"] = os.path.join(os.path.dirname(__file__), "no-licensed-tables")
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql"))
TEST_PASSWORD = "correct horse battery staple"


def postgres_admin_url() -> str:
    return TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")


def postgres_url_for(database: str) -> str:
    base, _, _ = postgres_admin_url().rpartition("/")
    return f"{base}/{database}"


def run_postgres_admin(statement: str, admin_url: str | None = None) -> None:
    with psycopg.connect(admin_url or postgres_admin_url(), autocommit=True) as connection:
        connection.execute(statement)


def drop_postgres_database(name: str, attempts: int = 50, admin_url: str | None = None) -> None:
    """An autovacuum worker (a superuser process our test role may not end) can briefly hold a
    database that was just used; it finishes within moments, so try again rather than fail. The
    benches give their own server's `admin_url`."""
    for attempt in range(attempts):
        try:
            run_postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin_url)
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


# Each test's database is copied from the template on background threads before the test needs it, and dropped
# there after it, so no test waits for either. A copy takes about 25 ms on a quiet server but 200-400 ms while a
# test is running (in the copy itself, not its checkpoints), longer than many tests: so two threads keep two
# copies ahead of the test in hand. Every drop is waited for, and any failure raised, before the run's template
# is dropped.
BACKGROUND = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-databases")
COPIES_AHEAD = 2
NEXT_COPIES: dict[str, list[Future]] = {}
DROPS_PENDING: list[Future] = []


def clone_template(template: str) -> str:
    name = f"marac_test_{secrets.token_hex(6)}"
    # FILE_COPY copies the small template's files at once, faster here than logging every block (WAL_LOG).
    run_postgres_admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    return name


def fresh_copy(template: str) -> str:
    """The oldest copy of the template made ahead; copies for the tests after this one are started to keep
    COPIES_AHEAD in hand."""
    copies = NEXT_COPIES.setdefault(template, [])
    while len(copies) < COPIES_AHEAD + 1:
        copies.append(BACKGROUND.submit(clone_template, template))
    return copies.pop(0).result()


def drop_later(name: str) -> None:
    DROPS_PENDING.append(BACKGROUND.submit(drop_postgres_database, name))


def finish_drops(template: str) -> None:
    for copy in NEXT_COPIES.pop(template, []):
        drop_later(copy.result())
    while DROPS_PENDING:
        DROPS_PENDING.pop().result()


def migrate_to_head(database_url: str) -> None:
    app = create_app(test_settings(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    if ON_POSTGRES:
        name = f"marac_template_{secrets.token_hex(4)}"
        run_postgres_admin(f"CREATE DATABASE {name}")
        migrate_to_head(postgres_url_for(name))
        yield name
        finish_drops(name)
        drop_postgres_database(name)
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite"
        migrate_to_head(f"sqlite:///{path}")
        yield path


@contextmanager
def copy_of_template(database_template, folder):
    """A fresh database copied from the migrated template; dropped afterwards on PostgreSQL."""
    if ON_POSTGRES:
        name = fresh_copy(database_template)
        yield normalise_database_url(postgres_url_for(name))
        drop_later(name)
    else:
        path = folder / "test.sqlite"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def database_url(database_template, tmp_path):
    with copy_of_template(database_template, tmp_path) as url:
        yield url


@pytest.fixture
def app_settings():
    """Override in a test module to change settings for its app."""
    return {}


class UrlClient(FlaskClient):
    def url(self, endpoint: str, **values) -> str:
        with self.application.test_request_context():
            return url_for(endpoint, **values)


@contextmanager
def build_test_app(database_url: str, **settings):
    app = create_app(test_settings(database_url, **settings))
    app.test_client_class = UrlClient
    limiter.reset()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(database_url, app_settings, tmp_path):
    settings = {"AUDIT_CHECKPOINTS": str(tmp_path / "audit-checkpoints.jsonl")} | app_settings
    with build_test_app(database_url, **settings) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_agency(app):
    def make(name="Northshire Police", kind=AgencyKind.POLICE) -> int:
        with app.app_context():
            agency = store.get_agency_by_name(name) or store.create_agency(name=name, kind=kind)
            db.session.commit()
            return agency.id

    return make


@pytest.fixture
def make_user(app, make_agency):
    """A user who has finished first sign-in: own password set and TOTP enrolled. Returns (id, secret)."""

    def make(email="worker@example.org", role=Role.PRACTITIONER, agency="Northshire Police", **fields):
        agency_id = make_agency(agency)
        secret = new_totp_secret()
        with app.app_context():
            user = store.create_user(
                name=fields.pop("name", "Sam Worker"),
                email=email,
                agency=db.session.get(Agency, agency_id),
                role=role,
                password_hash=signin.make_password_hash(fields.pop("password", TEST_PASSWORD)),
            )
            user.must_change_password = False
            user.totp_secret = secret
            user.totp_enrolled_at = user.created_at
            for name, value in fields.items():
                setattr(user, name, value)
            db.session.commit()
            return user.id, secret

    return make


def give_session(app, client, user_id: int) -> None:
    """A signed-in session for this client, made directly rather than through the sign-in pages."""
    with app.test_request_context():
        sessions.begin_session(db.session.get(User, user_id), SessionStage.COMPLETE)
        db.session.commit()
        token = session[sessions.TOKEN_KEY]
    with client.session_transaction() as client_session:
        client_session[sessions.TOKEN_KEY] = token


@pytest.fixture
def sign_in_as(app, client, make_user):
    """Sign the test client in as a new user of the given role."""

    def sign_in(role=Role.PRACTITIONER, email=None, agency="Northshire Police") -> int:
        user_id, _ = make_user(email=email or f"{role.value}@example.org", role=role, agency=agency)
        give_session(app, client, user_id)
        return user_id

    return sign_in


@pytest.fixture
def url(app):
    """url_for outside any request, so that test requests never share an app context (and its g)."""

    def build(endpoint: str, **values) -> str:
        with app.test_request_context():
            return url_for(endpoint, **values)

    return build
