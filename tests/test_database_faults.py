"""Faults: the database going away, several writers at once, and two people saving the same thing at once.

Each test runs on SQLite and on PostgreSQL (TEST_DATABASE_URL); only the way the fault is made differs.
"""

import logging
import multiprocessing
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

import config
from access.audit import AuditAction, record_event, verify_chain
from access.models import AuditEvent, Role
from access.permissions import public
from app import create_app
from cases import store
from cases.models import Referral
from extensions import db
from tests.cases.test_journey import complete_ric, refer, start_case
from tests.conftest import ON_POSTGRES, give_session, run_postgres_admin

OUTAGE_TEXT = (
    "The service is not available at the moment. Nothing you saved before has been lost; try again in a few minutes."
)
WRITERS = 4
WRITES_EACH = 50


def database_name(database_url: str) -> str:
    return database_url.rpartition("/")[2]


def end_backend(pid: int) -> None:
    # With a timeout, pg_terminate_backend waits until the backend has gone.
    run_postgres_admin(f"SELECT pg_terminate_backend({int(pid)}, 10000)")


def end_app_backends(database_url: str) -> None:
    run_postgres_admin(
        f"SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = '{database_name(database_url)}'"
    )


def cut_connection(dbapi_connection) -> None:
    """The connection dies behind the app's back, as when the server restarts."""
    if ON_POSTGRES:
        end_backend(dbapi_connection.info.backend_pid)
    else:
        dbapi_connection.close()


@contextmanager
def database_away(app, database_url):
    """No new connection can be made, and the open ones are gone, until the block ends."""
    with app.app_context():
        db.engine.dispose()
    if ON_POSTGRES:
        run_postgres_admin(f"ALTER DATABASE {database_name(database_url)} WITH ALLOW_CONNECTIONS false")
        end_app_backends(database_url)
        try:
            yield
        finally:
            run_postgres_admin(f"ALTER DATABASE {database_name(database_url)} WITH ALLOW_CONNECTIONS true")
    else:
        path = Path(database_url.removeprefix("sqlite:///"))
        aside = path.with_name(path.name + ".away")
        shutil.move(path, aside)
        path.mkdir()  # a directory where the file was: SQLite cannot open it
        try:
            yield
        finally:
            path.rmdir()
            shutil.move(aside, path)


@pytest.fixture
def signed_in(client, sign_in_as):
    sign_in_as(Role.COORDINATOR)
    return client


@pytest.fixture
def opened_connections(app):
    """Every connection the app opens, so a test can cut them."""
    connections = []
    with app.app_context():
        db.engine.dispose()
        event.listen(db.engine, "connect", lambda dbapi_connection, record: connections.append(dbapi_connection))
    return connections


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_while_the_database_is_away_a_request_gets_the_503_page_and_the_next_request_recovers(
    app, database_url, signed_in, caplog
):
    home = signed_in.url("meetings.home")
    assert signed_in.get(home).status_code == 200
    events_before = audit_count(app)

    with database_away(app, database_url), caplog.at_level(logging.INFO, logger="marac"):
        during = signed_in.get(home)
        also_during = signed_in.post(
            signed_in.url("cases.find_victim"), data={"given_name": "Jane", "family_name": "Doe", "action": "add"}
        )

    body = during.get_data(as_text=True)
    assert during.status_code == also_during.status_code == 503
    assert OUTAGE_TEXT in body
    assert OUTAGE_TEXT in also_during.get_data(as_text=True)
    assert during.headers["Retry-After"] == "120"
    assert "Traceback" not in body
    assert "Content-Security-Policy" in during.headers
    errors = [record.msg for record in caplog.records if record.levelno == logging.ERROR]
    assert [(error["error"], error["status"], sorted(error)) for error in errors] == [
        ("OperationalError", 503, ["error", "request_id", "status"])
    ] * 2
    assert "SELECT" not in caplog.text and "Doe" not in caplog.text
    after = signed_in.get(home)
    assert after.status_code == 200
    assert "Signed in as" in after.get_data(as_text=True)
    assert audit_count(app) == events_before


def test_connections_cut_between_requests_are_replaced_before_use(app, opened_connections, signed_in):
    home = signed_in.url("meetings.home")
    assert signed_in.get(home).status_code == 200
    assert opened_connections

    for dbapi_connection in opened_connections:
        cut_connection(dbapi_connection)

    assert signed_in.get(home).status_code == 200  # pool_pre_ping found the dead connection and replaced it


@pytest.fixture
def app_cut_mid_request(app):
    @public
    def cut_mid_request():
        db.session.execute(text("SELECT 1"))
        cut_connection(db.session.connection().connection.dbapi_connection)
        db.session.execute(text("SELECT 1"))
        return "not reached"

    app.add_url_rule("/test-cut-mid-request", "cut_mid_request", cut_mid_request)
    return app


def test_a_connection_lost_mid_request_gives_the_503_page_and_the_next_request_recovers(app_cut_mid_request, client):
    during = client.get("/test-cut-mid-request")

    assert during.status_code == 503
    assert OUTAGE_TEXT in during.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200


def test_a_database_error_that_is_not_an_outage_still_gives_the_500_page(app, client, caplog):
    @public
    def insert_twice():
        db.session.execute(text("CREATE TEMPORARY TABLE fault_test (id INTEGER PRIMARY KEY)"))
        db.session.execute(text("INSERT INTO fault_test (id) VALUES (1)"))
        db.session.execute(text("INSERT INTO fault_test (id) VALUES (1)"))

    app.add_url_rule("/test-insert-twice", "insert_twice", insert_twice)

    with caplog.at_level(logging.INFO, logger="marac"):
        response = client.get("/test-insert-twice")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert [record.msg["error"] for record in caplog.records if record.levelno == logging.ERROR] == ["IntegrityError"]


def write_audit_events(database_url: str, writer: int, start, results) -> None:
    """One of several processes, each with its own app, recording events through the audit trail."""
    app = create_app(config.test_settings(database_url))
    acknowledged, errors = [], []
    with app.app_context():
        start.wait()
        for number in range(WRITES_EACH):
            object_id = f"writer-{writer}-{number}"
            try:
                record_event(AuditAction.CASE_VIEWED, object_type="fault-test", object_id=object_id)
                db.session.commit()
                acknowledged.append(object_id)
            except Exception as error:  # reported to the test, which fails on any
                db.session.rollback()
                errors.append(f"{type(error).__name__}: {error}")
        db.engine.dispose()
    results.put((acknowledged, errors))


def test_four_processes_writing_at_once_lose_nothing_and_are_never_locked_out(app, database_url):
    events_before = audit_count(app)
    with app.app_context():
        db.engine.dispose()
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(WRITERS), context.Queue()
    writers = [
        context.Process(target=write_audit_events, args=(database_url, writer, start, results))
        for writer in range(WRITERS)
    ]
    for process in writers:
        process.start()
    reports = [results.get(timeout=300) for _ in writers]
    for process in writers:
        process.join(timeout=60)

    assert [process.exitcode for process in writers] == [0] * WRITERS
    assert [errors for _, errors in reports] == [[]] * WRITERS
    acknowledged = {object_id for written, _ in reports for object_id in written}
    assert len(acknowledged) == WRITERS * WRITES_EACH == 200
    with app.app_context():
        stored = set(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.object_type == "fault-test")))
        count, chain_break = verify_chain()
        if not ON_POSTGRES:
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert stored == acknowledged
    assert count == events_before + 200
    assert chain_break is None


@pytest.fixture
def referable_case(app, client, make_user):
    """A case ready to refer, and two practitioners of its agency, each signed in on their own client."""
    agency = "Riverside IDVA Service"
    first_id, _ = make_user(email="first@example.org", agency=agency)
    second_id, _ = make_user(email="second@example.org", agency=agency)
    give_session(app, client, first_id)
    second = app.test_client()
    give_session(app, second, second_id)
    case_id = start_case(client)
    assert complete_ric(client, case_id, 14).status_code == 302
    return case_id, client, second


@pytest.fixture
def both_see_no_referral_yet(monkeypatch):
    """On PostgreSQL, hold both requests until each has found no referral with the key, so both
    go on to insert it and the unique constraint decides. SQLite serialises writers, so the
    second request simply finds the first one's referral."""
    calls = []
    if not ON_POSTGRES:
        return calls
    both_looked = threading.Barrier(2, timeout=60)
    real_lookup = store.get_referral_by_key

    def lookup_then_wait(key):
        found = real_lookup(key)
        calls.append(key)
        if len(calls) <= 2:
            both_looked.wait()
        return found

    monkeypatch.setattr(store, "get_referral_by_key", lookup_then_wait)
    return calls


def test_two_people_sending_the_same_referral_at_once_make_one_referral(app, referable_case, both_see_no_referral_yet):
    case_id, first, second = referable_case
    key = "22222222-2222-4222-8222-222222222222"
    responses = {}

    def send(name, client):
        responses[name] = refer(client, case_id, key=key)

    threads = [
        threading.Thread(target=send, args=(name, client)) for name, client in (("first", first), ("second", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [responses[name].status_code for name in ("first", "second")] == [302, 302]
    assert responses["first"].location == responses["second"].location
    with app.app_context():
        referrals = db.session.scalars(select(Referral).where(Referral.idempotency_key == key)).all()
        assert verify_chain()[1] is None
        made = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "referral-made")
        )
    assert len(referrals) == 1
    assert responses["first"].location.endswith(referrals[0].id)
    assert made == 1
    if ON_POSTGRES:  # both inserted; the one the constraint refused looked the key up again and got the first's
        assert len(both_see_no_referral_yet) == 3
