"""The migration chain builds, tears down and rebuilds the schema, and matches the models exactly."""

import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from access.audit import AuditAction, record_event
from access.models import AuditEvent, Role, User
from app import create_app
from config import normalise_database_url
from config import test_settings as settings_for_tests
from extensions import db
from tests.conftest import (
    ON_POSTGRES,
    drop_postgres_database,
    migrate_to_head,
    postgres_url_for,
    run_postgres_admin,
)

APP_TABLES = {
    "agency", "user_account", "recovery_code", "user_session", "audit_event", "meeting", "api_token", "person",
    "case_safe_contact", "marac_case", "case_party", "incident", "assessment", "professional_judgement",
    "eligibility_decision", "referral", "agenda_item", "invitation", "research_return", "attendance",
    "case_minutes", "marac_action", "transfer", "excluded_person", "distribution_clearance",
    "saved_import_mapping", "import_batch",
}
ALL_TABLES = APP_TABLES | {"alembic_version"}


def head_revision(app) -> str:
    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config).get_current_head()


def table_names(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def stored_revisions(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT version_num FROM alembic_version")))


def audit_triggers(engine) -> set[str]:
    if engine.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
    with engine.connect() as connection:
        return set(connection.scalars(text(query)))


EXPECTED_TRIGGERS = (
    {"audit_event_no_change", "audit_event_no_truncate"}
    if ON_POSTGRES
    else {"audit_event_no_update", "audit_event_no_delete", "audit_event_no_replace"}
)


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new database with nothing in it, not cloned from the test template."""
    if ON_POSTGRES:
        name = f"marac_empty_{secrets.token_hex(6)}"
        run_postgres_admin(f"CREATE DATABASE {name}")
        yield normalise_database_url(postgres_url_for(name))
        drop_postgres_database(name)
    else:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"


def test_the_migration_chain_builds_an_empty_database(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        assert table_names(engine) == set()

        migrate_to_head(empty_database_url)

        assert table_names(engine) == ALL_TABLES
        head = head_revision(create_app(settings_for_tests(empty_database_url)))
        assert head is not None
        assert stored_revisions(engine) == [head]
        assert audit_triggers(engine) == EXPECTED_TRIGGERS
    finally:
        engine.dispose()


def test_there_is_a_single_head(app):
    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_downgrade_to_base_then_upgrade_rebuilds_everything(app):
    head = head_revision(app)
    with app.app_context():
        downgrade(revision="base")
        assert table_names(db.engine) == {"alembic_version"}
        assert stored_revisions(db.engine) == []

        upgrade()
        assert table_names(db.engine) == ALL_TABLES
        assert stored_revisions(db.engine) == [head]
        assert audit_triggers(db.engine) == EXPECTED_TRIGGERS

    # The rebuilt audit table is append-only again.
    with app.test_request_context():
        record_event(AuditAction.SIGN_IN_FAILED, object_type="user")
        db.session.commit()
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(
                update(AuditEvent).values(action="forged").execution_options(synchronize_session=False)
            )
        db.session.rollback()
        assert db.session.scalar(select(AuditEvent.action)) == "sign-in-failed"


def test_downgrade_twice_and_upgrade_twice_is_repeatable(app):
    with app.app_context():
        for _ in range(2):
            downgrade(revision="base")
            upgrade()
        assert table_names(db.engine) == ALL_TABLES
        assert audit_triggers(db.engine) == EXPECTED_TRIGGERS


def test_the_models_match_the_migrations(app):
    with app.app_context():
        options = dict(current_app.extensions["migrate"].configure_args)
        options.update(compare_type=True, compare_server_default=True)
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection, opts=options), db.metadata)

    assert differences == []


def test_foreign_keys_are_enforced(app, make_agency):
    agency_id = make_agency()
    with app.app_context():
        db.session.add(
            User(name="Nobody", email="nobody@example.org", agency_id=agency_id + 100, role=Role.PRACTITIONER,
                 password_hash="x")
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_postgres_connections_use_psycopg_3_and_are_checked_before_use(app):
    with app.app_context():
        if not ON_POSTGRES:
            assert db.engine.dialect.name == "sqlite"
            return
        assert db.engine.dialect.driver == "psycopg"
        assert db.engine.pool._pre_ping is True


def test_every_sqlite_connection_gets_the_safe_settings(app):
    with app.app_context():
        if ON_POSTGRES:
            assert db.engine.dialect.name == "postgresql"
            return
        # Two DBAPI connections held at once, so each is a new connection set up by the connect hook
        # (raw connections: the "begin" hook's BEGIN IMMEDIATE would make the second wait on the first).
        connections = [db.engine.raw_connection(), db.engine.raw_connection()]
        try:
            for connection in connections:
                settings = {
                    name: connection.cursor().execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous", "recursive_triggers")
                }
                assert settings == {
                    "journal_mode": "wal",
                    "foreign_keys": 1,
                    "busy_timeout": 5000,
                    "synchronous": 2,  # FULL
                    "recursive_triggers": 1,
                }
        finally:
            for connection in connections:
                connection.close()
