"""SECURITY L4: the audit chain stays whole when several servers write to one database at once.

Each writer is a thread with its own connection; half go through a second app built on the same database, as a
second gunicorn server would. A writer that read the chain's end and then inserted, without the chain being
locked in between, would fork it (two rows naming the same previous row) or collide on the next id."""

import threading

from access.audit import AuditAction, record_event, record_events, verify_chain
from extensions import db
from tests.conftest import build_test_app

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
