"""SECURITY L2 and L4 (every case listed is logged; the trail is a hash chain): the events about every case a list
shows are chained like any other, in as many SQL statements for thirty cases as for three (issue 20: no N+1), and
the chain verifies."""

from contextlib import contextmanager

from sqlalchemy import event, select

from access.audit import AuditAction, record_event, record_events, verify_chain
from access.models import AuditEvent, User
from extensions import db


@contextmanager
def counting_statements():
    counted = []
    listener = lambda *_: counted.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield counted
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def list_cases(user, count: int, first: int) -> int:
    """Record a listing of `count` cases; the statements it took."""
    with counting_statements() as counted:
        record_events(
            AuditAction.CASE_LISTED,
            user=user,
            object_type="case",
            object_ids=[f"case-{n}" for n in range(first, first + count)],
        )
    return len(counted)


def test_L2_L4_a_long_list_is_recorded_in_as_many_statements_as_a_short_one_and_chains(app, make_user):
    user_id, _ = make_user()
    with app.test_request_context():
        user = db.session.get(User, user_id)
        record_event(AuditAction.USER_CHANGED, user=user, object_type="user", object_id=user_id)
        short, long = list_cases(user, 3, 0), list_cases(user, 30, 3)
        record_event(AuditAction.USER_CHANGED, user=user, object_type="user", object_id=user_id)
        db.session.commit()
        rows = db.session.execute(select(AuditEvent.id, AuditEvent.object_id).order_by(AuditEvent.id)).all()

        assert short == long
        assert [object_id for _, object_id in rows] == [str(user_id), *(f"case-{n}" for n in range(33)), str(user_id)]
        assert [row_id for row_id, _ in rows] == list(range(1, 36))
        assert verify_chain() == (35, None)
