"""The migration chain builds, tears down and rebuilds the schema, and matches the models exactly."""

import base64
import secrets
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from access.audit import AuditAction, record_event
from access.field_crypto import seal, sealed_with
from access.models import AuditEvent, Role, User
from access.second_factor import new_totp_secret
from app import create_app
from cases import store as cases_store
from cases.models import Person, SafeContact, match_keys
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
    "agency",
    "user_account",
    "recovery_code",
    "user_session",
    "audit_event",
    "meeting",
    "meeting_figures",
    "api_token",
    "person",
    "person_match_key",
    "case_safe_contact",
    "marac_case",
    "case_party",
    "incident",
    "assessment",
    "professional_judgement",
    "eligibility_decision",
    "referral",
    "agenda_item",
    "invitation",
    "research_return",
    "research_chase",
    "attendance",
    "case_minutes",
    "marac_action",
    "action_update",
    "action_escalation",
    "transfer",
    "excluded_person",
    "distribution_clearance",
    "clearance_review",
    "saved_import_mapping",
    "import_batch",
    "victim_link_proposal",
    "break_glass_grant",
    "security_alert",
    "referral_draft",
    "case_reference_counter",
    "notification",
    "legal_hold",
    "subject_access_request",
    "subject_access_item",
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
            db.session.execute(update(AuditEvent).values(action="forged").execution_options(synchronize_session=False))
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
            User(
                name="Nobody",
                email="nobody@example.org",
                agency_id=agency_id + 100,
                role=Role.PRACTITIONER,
                password_hash="x",
            )
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


# --- 0009 gives safe contact to the first case; D4: 0010 encrypts what earlier revisions stored ---------------------

OLD_SECRET_KEY = "kY3v8Qp1Zr7mW2xN5tB9cL4dF6gH0jS3aE8uI1oP2yT"
PLAIN_ADDRESS = "Canary Refuge, 1 Hidden Lane"
PLAIN_PHONE = "07700 900456"
BEFORE_FIELD_ENCRYPTION = "0008"
SAFE_CONTACT_PER_CASE = "0009"


def sealed_the_old_way(secret_key: str, plaintext: str) -> str:
    """How TOTP secrets were stored before 0010: AES-GCM under a key derived from SECRET_KEY."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"marac-totp-secret").derive(secret_key.encode())
    nonce = secrets.token_bytes(12)
    return base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), None)).decode()


def add_rows_as_stored_before_field_encryption(totp_token: str) -> None:
    now = {"now": datetime(2026, 12, 1, 9, 0)}
    db.session.execute(
        text("INSERT INTO agency (id, name, kind, created_at) VALUES (1, 'Police', 'police', :now)"), now
    )
    db.session.execute(
        text(
            "INSERT INTO user_account (id, name, email, agency_id, role, active, is_demo, password_hash, "
            "must_change_password, "
            "totp_secret_encrypted, totp_enrolled_at, failed_attempts, created_at) VALUES (1, 'Sam', "
            "'sam@example.org', 1, "
            "'practitioner', true, false, 'x', false, :token, :now, 0, :now)"
        ),
        now | {"token": totp_token},
    )
    db.session.execute(
        text(
            "INSERT INTO person (id, given_name, family_name, aliases, date_of_birth_variants, interpreter_needed, "
            "created_by_agency_id, created_at) VALUES ('p1', 'Test', 'Victim', '[]', '[]', false, 1, :now)"
        ),
        now,
    )
    db.session.execute(
        text(
            "INSERT INTO marac_case (id, victim_id, marac_area, status, created_by_agency_id, created_at, version_id) "
            "VALUES ('c1', 'p1', 'Riverside', 'open', 1, :now, 1)"
        ),
        now,
    )
    db.session.execute(
        text(
            "INSERT INTO safe_contact (person_id, phone, safe_to_call, safe_address, updated_at) "
            "VALUES ('p1', :phone, true, :address, :now)"
        ),
        now | {"phone": PLAIN_PHONE, "address": PLAIN_ADDRESS},
    )
    db.session.commit()


def raw_protected_values() -> list[str]:
    return [
        *db.session.execute(text("SELECT phone, safe_address FROM case_safe_contact")).one(),
        db.session.execute(text("SELECT totp_secret FROM user_account")).scalar_one(),
    ]


def test_D4_upgrading_gives_the_safe_contact_to_the_first_case_encrypts_it_and_reseals_an_old_totp_secret(
    empty_database_url,
):
    app = create_app(settings_for_tests(empty_database_url, SECRET_KEY=OLD_SECRET_KEY))
    totp_secret = new_totp_secret()
    with app.app_context():
        upgrade(revision=BEFORE_FIELD_ENCRYPTION)
        add_rows_as_stored_before_field_encryption(sealed_the_old_way(OLD_SECRET_KEY, totp_secret))

        upgrade()

        stored = raw_protected_values()
        assert [sealed_with(value) for value in stored] == ["test1"] * 3
        assert PLAIN_PHONE not in stored[0] and PLAIN_ADDRESS not in stored[1] and totp_secret not in stored[2]
        db.session.rollback()
        contact = db.session.scalars(select(SafeContact)).one()
        assert (contact.case_id, contact.agency_id, contact.phone, contact.safe_address) == (
            "c1",
            1,
            PLAIN_PHONE,
            PLAIN_ADDRESS,
        )
        assert db.session.get(User, 1).totp_secret == totp_secret
        db.session.rollback()

        downgrade(revision=BEFORE_FIELD_ENCRYPTION)

        assert db.session.execute(text("SELECT phone, safe_address FROM safe_contact")).one() == (
            PLAIN_PHONE,
            PLAIN_ADDRESS,
        )
        token = db.session.execute(text("SELECT totp_secret_encrypted FROM user_account")).scalar_one()
        db.session.rollback()
        db.engine.dispose()
    # The old code's own decryption, as it stood before 0010, reads the secret the downgrade put back.
    raw = base64.urlsafe_b64decode(token)
    old_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"marac-totp-secret").derive(
        OLD_SECRET_KEY.encode()
    )
    assert AESGCM(old_key).decrypt(raw[:12], raw[12:], None).decode() == totp_secret


def test_D4_upgrading_with_another_secret_key_stops_and_changes_nothing(empty_database_url, capsys):
    app = create_app(settings_for_tests(empty_database_url, SECRET_KEY=OLD_SECRET_KEY))
    with app.app_context():
        upgrade(revision=BEFORE_FIELD_ENCRYPTION)
        add_rows_as_stored_before_field_encryption(
            sealed_the_old_way("another key entirely, not the one in use", "SECRET")
        )
        upgrade(revision=SAFE_CONTACT_PER_CASE)

        with pytest.raises(SystemExit):
            upgrade()

        message = capsys.readouterr().err
        assert "do not decrypt with this SECRET_KEY for user account ids 1. Run the upgrade" in message
        assert "SECRET" not in message.replace("SECRET_KEY", "") and OLD_SECRET_KEY not in message

        db.session.rollback()
        assert stored_revisions(db.engine) == [SAFE_CONTACT_PER_CASE]
        assert db.session.execute(text("SELECT phone, safe_address FROM case_safe_contact")).one() == (
            PLAIN_PHONE,
            PLAIN_ADDRESS,
        )
        db.session.rollback()
        db.engine.dispose()


# --- 0015 numbers the cases already there -------------------------------------------------------------------------


def add_case_as_stored_before_references(connection, case_id: str, created_at: datetime) -> None:
    connection.execute(
        text(
            "INSERT INTO marac_case (id, victim_id, marac_area, status, created_by_agency_id, created_at, version_id) "
            "VALUES (:id, 'p1', 'Riverside', 'open', 1, :created_at, 1)"
        ),
        {"id": case_id, "created_at": created_at.replace(tzinfo=None)},
    )


def test_upgrading_numbers_existing_cases_in_the_order_opened_within_each_year(empty_database_url):
    app = create_app(settings_for_tests(empty_database_url, CASE_REFERENCE_PREFIX="RIV"))
    opened = {
        "c-2026-second": datetime(2026, 3, 1, 9, 0),
        "c-2025-only": datetime(2025, 11, 5, 9, 0),
        "c-2026-third": datetime(2026, 12, 31, 23, 0),
        "c-2026-first": datetime(2026, 1, 2, 9, 0),
    }
    with app.app_context():
        upgrade(revision="0014")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO agency (id, name, kind, created_at) VALUES (1, 'Police', 'police', :now)"),
                {"now": datetime(2025, 1, 1)},
            )
            connection.execute(
                text(
                    "INSERT INTO person (id, given_name, family_name, aliases, date_of_birth_variants, "
                    "interpreter_needed, created_by_agency_id, created_at) "
                    "VALUES ('p1', 'Test', 'Victim', '[]', '[]', false, 1, :now)"
                ),
                {"now": datetime(2025, 1, 1)},
            )
            # A case points at each of them, so the table copy SQLite needs must keep every id.
            for case_id, created_at in opened.items():
                add_case_as_stored_before_references(connection, case_id, created_at)
                connection.execute(
                    text("INSERT INTO case_party (case_id, person_id, role) VALUES (:case_id, 'p1', 'child')"),
                    {"case_id": case_id},
                )

        upgrade()

        with db.engine.connect() as connection:
            references = dict(connection.execute(text("SELECT id, reference FROM marac_case")).all())
            counters = set(connection.execute(text("SELECT prefix, year, last_number FROM case_reference_counter")))
        assert references == {
            "c-2025-only": "RIV-2025-0001",
            "c-2026-first": "RIV-2026-0001",
            "c-2026-second": "RIV-2026-0002",
            "c-2026-third": "RIV-2026-0003",
        }
        assert counters == {("RIV", 2025, 1), ("RIV", 2026, 3)}
        column = next(
            column for column in inspect(db.engine).get_columns("marac_case") if column["name"] == "reference"
        )
        assert column["nullable"] is False
        with app.test_request_context():
            assert cases_store.new_case_references(2026, 1) == ["RIV-2026-0004"]
            db.session.rollback()
        if not ON_POSTGRES:
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

        downgrade(revision="0014")

        assert "case_reference_counter" not in inspect(db.engine).get_table_names()
        assert "reference" not in {column["name"] for column in inspect(db.engine).get_columns("marac_case")}
        db.engine.dispose()
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM case_party")).scalar() == 4
    finally:
        engine.dispose()


# --- 0024 fills in the match keys of the people already held ------------------------------------------------------


def test_upgrading_fills_in_the_match_keys_of_everyone_held_but_the_anonymised(empty_database_url):
    app = create_app(settings_for_tests(empty_database_url))
    people = {
        "p-jane": ("Jane", "Smith", '["Jane Brown"]', date(1990, 5, 1), "SW1A 1AA", "1 Lane, Riverside RV1 2AB"),
        "p-gone": ("", "", "[]", None, None, None),
    }
    with app.app_context():
        upgrade(revision="0023")
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO agency (id, name, kind, created_at) VALUES (1, 'Police', 'police', :now)"),
                {"now": datetime(2025, 1, 1)},
            )
            for person_id, (given, family, aliases, born, postcode, address) in people.items():
                connection.execute(
                    text(
                        "INSERT INTO person (id, given_name, family_name, aliases, date_of_birth, "
                        "date_of_birth_variants, postcode, address, interpreter_needed, created_by_agency_id, "
                        "created_at) VALUES (:id, :given, :family, :aliases, :born, '[]', :postcode, :address, "
                        "false, 1, :now)"
                    ),
                    {
                        "id": person_id,
                        "given": given,
                        "family": family,
                        "aliases": aliases,
                        "born": born,
                        "postcode": postcode,
                        "address": address and seal(app.config["FIELD_KEYS"], "person.address", address),
                        "now": datetime(2025, 1, 1),
                    },
                )

        upgrade()

        with db.engine.connect() as connection:
            stored = set(connection.execute(text("SELECT person_id, key FROM person_match_key")))
        jane = db.session.get(Person, "p-jane")
        assert stored == {("p-jane", key) for key in match_keys(jane)}
        assert {"n|b65|j5", "d|1990-01-05", "p|SW1A", "p|RV1"} <= {key for _, key in stored}
        db.session.remove()

        downgrade(revision="0023")

        assert "person_match_key" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
