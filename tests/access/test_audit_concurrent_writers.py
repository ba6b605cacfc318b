"""SECURITY L4: the audit chain stays whole when several servers write to one database at once.

Each writer is a thread with its own connection; half go through a second app built on the same database, as a
second gunicorn server would. A writer that read the chain's end and then inserted, without the chain being
locked in between, would fork it (two rows naming the same previous row) or collide on the next id."""

import threading

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from access.audit import POSTGRES_AUDIT_LOCK, AuditAction, record_event, record_events, verify_chain
from access.models import Agency, AuditEvent, Role, User
from cases import journey
from extensions import db
from tests.conftest import build_test_app
from tests.sql_statements import statements_run

WRITERS = 6
TRANSACTIONS_EACH = 8
EVENTS_EACH_TRANSACTION = 3  # one event, then one about each of two cases listed


def write_events(app, start: threading.Barrier, failures: list) -> None:
    try:
        start.wait()
        for number in range(TRANSACTIONS_EACH):
            with app.test_request_context():
                record_event(AuditAction.CASE_VIEWED, object_type="case", object_id=number)
                record_events(AuditAction.CASE_LISTED, user=None, object_type="case", object_ids=[number, number + 1])
                db.session.commit()
    except Exception as error:  # reported by the test, with its type, rather than lost in the thread
        failures.append(repr(error))


def test_l4_the_chain_holds_with_two_servers_writing_at_once(app, database_url):
    with build_test_app(database_url, AUDIT_KEY=app.config["AUDIT_KEY"]) as second_server:
        start, failures = threading.Barrier(WRITERS, timeout=60), []
        writers = [
            threading.Thread(target=write_events, args=(server, start, failures))
            for server in [app, second_server] * (WRITERS // 2)
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=120)

    assert not any(writer.is_alive() for writer in writers)
    assert failures == []
    with app.app_context():
        assert verify_chain() == (WRITERS * TRANSACTIONS_EACH * EVENTS_EACH_TRANSACTION, None)


# --- the chain is taken only as a request commits (issue 20) ------------------------------------------------------
# A page records that it was viewed when it has loaded its case, then goes on for tens of milliseconds making the
# page. On PostgreSQL the chain's lock was taken at that first event and held until the commit, so every other
# request's audit waited for the page: under the bench's load, about 100 ms of each page's 125 ms.


def other_connection_takes_the_chain(database_url) -> bool:
    """Whether another connection could begin writing to the chain now."""
    engine = create_engine(database_url, connect_args={"timeout": 0.1} if database_url.startswith("sqlite") else {})
    try:
        with engine.connect() as other:
            if other.dialect.name == "postgresql":
                return other.scalar(select(func.pg_try_advisory_xact_lock(POSTGRES_AUDIT_LOCK)))
            # SQLite: every write transaction takes the write lock as it begins (extensions.begin_sqlite, on every
            # engine), so the chain is only ever written by one transaction at a time, as PostgreSQL's lock makes it.
            try:
                other.exec_driver_sql("SELECT 1")
                return True
            except OperationalError:
                return False
    finally:
        engine.dispose()


def test_l4_recording_an_event_runs_no_statement_and_it_joins_the_chain_when_the_request_commits(app):
    with app.test_request_context():
        db.session.scalar(select(func.count()).select_from(Agency))  # the request's transaction has begun
        with statements_run(app) as statements:
            record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="first")
            record_events(AuditAction.CASE_LISTED, user=None, object_type="case", object_ids=["second", "third"])
        assert statements == []
        db.session.commit()

    with app.app_context():
        assert verify_chain() == (3, None)
        assert list(db.session.scalars(select(AuditEvent.object_id).order_by(AuditEvent.id))) == [
            "first",
            "second",
            "third",
        ]


def test_l4_a_request_that_has_recorded_an_event_leaves_the_chain_free_to_others_until_it_commits(app, database_url):
    with app.test_request_context():
        record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="viewed")
        db.session.scalar(select(func.count()).select_from(Agency))  # the page goes on reading
        on_postgres = db.session.get_bind().dialect.name == "postgresql"
        assert other_connection_takes_the_chain(database_url) is on_postgres
        db.session.commit()

    assert other_connection_takes_the_chain(database_url)


def test_l4_a_page_that_opens_a_case_leaves_the_chain_free_to_others_until_it_commits(app, database_url, make_user):
    """Opening a case also counts the cases its reader opened in the last hour (SECURITY Z8), the one just opened
    included, without writing the view to the chain before the page is made."""
    user_id, _ = make_user(role=Role.COORDINATOR)
    with app.test_request_context(method="GET"):
        journey.record_case_view(db.session.get(User, user_id), "a-case")
        on_postgres = db.session.get_bind().dialect.name == "postgresql"
        assert other_connection_takes_the_chain(database_url) is on_postgres
        db.session.commit()
