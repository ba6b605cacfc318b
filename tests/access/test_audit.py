"""The audit trail: hash-chained, append-only in the database, and checked by `flask --app app audit verify`."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from access.audit import (
    GENESIS_HASH,
    AuditAction,
    find_first_break,
    hash_event,
    record_event,
    verify_chain,
)
from access.models import AuditEvent, User
from config import TEST_AUDIT_KEY
from extensions import db, utcnow
from tests.access.conftest import totp_code
from tests.conftest import ON_POSTGRES, TEST_PASSWORD

APPEND_ONLY_MESSAGE = "audit_event is append-only"
KEY = TEST_AUDIT_KEY.encode()
ACTIONS = (
    AuditAction.SIGN_IN,
    AuditAction.SIGN_IN_FAILED,
    AuditAction.USER_CREATED,
    AuditAction.PASSWORD_CHANGED,
    AuditAction.SIGN_OUT,
)


# --- helpers -------------------------------------------------------------------------------------


def record_events(app, count, user_id=None):
    """Record `count` events through the real record_event, committed in one transaction."""
    with app.test_request_context():
        user = db.session.get(User, user_id) if user_id else None
        for n in range(count):
            record_event(ACTIONS[n % len(ACTIONS)], user=user, object_type="user", object_id=1000 + n)
        db.session.commit()


def audit_rows(app) -> list[dict]:
    """Every column of every audit row, as stored, in id order."""
    with app.app_context():
        return [
            dict(row) for row in db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.id)).mappings()
        ]


def run_verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def remove_append_only_protection(app):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        else:
            db.session.execute(text("DROP TRIGGER audit_event_no_update"))
            db.session.execute(text("DROP TRIGGER audit_event_no_delete"))
        db.session.commit()


@pytest.fixture
def five_events(app, make_user):
    user_id, _ = make_user()
    record_events(app, 5, user_id=user_id)
    return user_id


# --- an intact chain ---------------------------------------------------------------------------


def test_an_untouched_chain_verifies_in_code_and_on_the_command_line(app, five_events):
    with app.app_context():
        assert verify_chain() == (5, None)

    result = run_verify(app)

    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    assert "5 events" in result.output


def test_an_empty_trail_is_intact(app):
    with app.app_context():
        assert verify_chain() == (0, None)
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_each_row_links_to_the_one_before_and_ids_count_up_from_one(app, five_events):
    rows = audit_rows(app)

    assert [row["id"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == GENESIS_HASH
    for previous, row in zip(rows, rows[1:]):
        assert row["prev_hash"] == previous["row_hash"]
    assert len({row["row_hash"] for row in rows}) == 5
    assert all(len(row["row_hash"]) == 64 and row["row_hash"] != GENESIS_HASH for row in rows)


def test_each_row_hash_covers_the_row_as_stored(app, five_events):
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [hash_event(event, KEY) for event in events] == [event.row_hash for event in events]
        assert {event.user_id for event in events} == {five_events}
        assert [event.action for event in events] == [str(action) for action in ACTIONS]


def test_events_recorded_in_later_transactions_continue_the_chain(app, five_events):
    record_events(app, 2)
    record_events(app, 1)

    rows = audit_rows(app)
    assert [row["id"] for row in rows] == list(range(1, 9))
    with app.app_context():
        assert verify_chain() == (8, None)


def test_an_event_rolled_back_with_its_transaction_leaves_no_gap(app, five_events):
    with app.test_request_context():
        record_event(AuditAction.USER_CHANGED, object_type="user", object_id=1)
        db.session.rollback()
    record_events(app, 1)

    assert [row["id"] for row in audit_rows(app)] == [1, 2, 3, 4, 5, 6]
    assert run_verify(app).exit_code == 0


# --- append-only in the database ---------------------------------------------------------------


def update_one_row():
    return update(AuditEvent).where(AuditEvent.id == 2).values(action="forged")


def delete_one_row():
    return delete(AuditEvent).where(AuditEvent.id == 2)


def delete_every_row():
    return delete(AuditEvent)


def upsert_over_a_row(dialect_name, values):
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return (
        dialect_insert(AuditEvent)
        .values(**values | {"action": "forged"})
        .on_conflict_do_update(index_elements=["id"], set_={"action": "forged"})
    )


def replace_a_row(values):
    # SQLite's INSERT OR REPLACE deletes the clashing row and inserts a new one.
    return insert(AuditEvent).values(**values | {"action": "forged"}).prefix_with("OR REPLACE")


def truncate_the_table():
    return text("TRUNCATE audit_event")


FORBIDDEN_CHANGES = [
    pytest.param(lambda dialect, values: update_one_row(), id="update"),
    pytest.param(lambda dialect, values: delete_one_row(), id="delete"),
    pytest.param(lambda dialect, values: delete_every_row(), id="delete-every-row"),
    pytest.param(upsert_over_a_row, id="insert-on-conflict-update"),
] + (
    [pytest.param(lambda dialect, values: truncate_the_table(), id="postgres-truncate")]
    if ON_POSTGRES
    else [pytest.param(lambda dialect, values: replace_a_row(values), id="sqlite-insert-or-replace")]
)


@pytest.mark.parametrize("make_statement", FORBIDDEN_CHANGES)
def test_the_database_refuses_to_change_or_remove_audit_rows(app, five_events, make_statement):
    before = audit_rows(app)
    with app.app_context():
        statement = make_statement(db.engine.dialect.name, before[1])
        with pytest.raises(DBAPIError, match=APPEND_ONLY_MESSAGE):
            db.session.execute(statement.execution_options(synchronize_session=False))
            db.session.commit()
        db.session.rollback()

    assert audit_rows(app) == before
    assert run_verify(app).exit_code == 0


def test_new_rows_can_still_be_added_after_a_refused_change(app, five_events):
    with app.app_context():
        with pytest.raises(DBAPIError, match=APPEND_ONLY_MESSAGE):
            db.session.execute(update_one_row().execution_options(synchronize_session=False))
        db.session.rollback()
    record_events(app, 1)

    assert [row["id"] for row in audit_rows(app)] == [1, 2, 3, 4, 5, 6]


# --- tamper detection --------------------------------------------------------------------------


def edit_action_of_row_3():
    db.session.execute(update(AuditEvent).where(AuditEvent.id == 3).values(action=str(AuditAction.USER_ENABLED)))


def edit_object_id_of_row_3():
    db.session.execute(update(AuditEvent).where(AuditEvent.id == 3).values(object_id="9999"))


def edit_time_of_row_3():
    event = db.session.get(AuditEvent, 3)
    event.occurred_at = event.occurred_at - timedelta(days=1)


def delete_row_2():
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == 2))


def delete_row_1():
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == 1))


def edit_row_3_and_recompute_its_hash():
    event = db.session.get(AuditEvent, 3)
    event.object_id = "9999"
    event.row_hash = hash_event(event, KEY)


@pytest.mark.parametrize(
    ("tamper", "broken_row", "reason"),
    [
        (edit_action_of_row_3, 3, "its contents do not match its hash"),
        (edit_object_id_of_row_3, 3, "its contents do not match its hash"),
        (edit_time_of_row_3, 3, "its contents do not match its hash"),
        (delete_row_2, 2, "row 2 is missing (found row 3 next)"),
        (delete_row_1, 1, "row 1 is missing (found row 2 next)"),
        (edit_row_3_and_recompute_its_hash, 4, "its link to the previous row does not match"),
    ],
    ids=[
        "action changed",
        "object_id changed",
        "time changed",
        "row 2 deleted",
        "row 1 deleted",
        "row 3 changed and rehashed",
    ],
)
def test_verify_names_the_first_broken_row(app, five_events, tamper, broken_row, reason):
    remove_append_only_protection(app)
    with app.app_context():
        tamper()
        db.session.commit()

    with app.app_context():
        count, broken = verify_chain()
    result = run_verify(app)

    assert broken is not None
    assert (broken.row_id, broken.reason) == (broken_row, reason)
    assert result.exit_code == 1
    # Click 8.2+ puts stderr (where the message goes) into result.output as well.
    assert f"Audit trail broken at row {broken_row}: {reason}." in result.output
    assert "intact" not in result.output


def test_a_rehashed_row_passes_its_own_check_so_the_break_shows_at_the_next_link(app, five_events):
    remove_append_only_protection(app)
    with app.app_context():
        edit_row_3_and_recompute_its_hash()
        db.session.commit()

    rows = audit_rows(app)
    assert rows[2]["object_id"] == "9999"
    with app.app_context():
        # Rows 1-3 alone form a valid chain: only row 4's link gives the edit away.
        assert (
            find_first_break(
                db.session.scalars(select(AuditEvent).where(AuditEvent.id <= 3).order_by(AuditEvent.id)), KEY
            )
            is None
        )
    assert rows[3]["prev_hash"] != rows[2]["row_hash"]


# --- find_first_break on its own ---------------------------------------------------------------

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def chain(length=5) -> list[AuditEvent]:
    events, previous = [], GENESIS_HASH
    for n in range(1, length + 1):
        event = AuditEvent(
            id=n,
            occurred_at=START + timedelta(seconds=n),
            user_id=7 if n % 2 else None,
            agency_id=3 if n % 2 else None,
            action=str(ACTIONS[n % len(ACTIONS)]),
            object_type="user",
            object_id=str(n),
            ip="192.0.2.1",
            prev_hash=previous,
        )
        event.row_hash = hash_event(event, KEY)
        events.append(event)
        previous = event.row_hash
    return events


def edited(events, index, **fields):
    for name, value in fields.items():
        setattr(events[index], name, value)
    return events


def rehashed(events, index, **fields):
    edited(events, index, **fields)
    events[index].row_hash = hash_event(events[index], KEY)
    return events


def appended(events, **fields):
    extra = AuditEvent(
        id=len(events) + 1, occurred_at=START + timedelta(hours=1), action="sign-in", prev_hash=GENESIS_HASH
    )
    for name, value in fields.items():
        setattr(extra, name, value)
    extra.row_hash = hash_event(extra, KEY)
    return events + [extra]


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        pytest.param(lambda events: events, None, id="intact"),
        pytest.param(lambda events: [], None, id="empty"),
        pytest.param(lambda events: events[:1], None, id="one row"),
        pytest.param(lambda events: edited(events, 2, action="user-enabled"), (3, "contents"), id="action changed"),
        pytest.param(lambda events: edited(events, 2, user_id=8), (3, "contents"), id="user changed"),
        pytest.param(lambda events: edited(events, 2, ip=None), (3, "contents"), id="ip removed"),
        pytest.param(
            lambda events: edited(events, 2, occurred_at=START + timedelta(seconds=3, microseconds=1)),
            (3, "contents"),
            id="time moved by a microsecond",
        ),
        pytest.param(lambda events: edited(events, 4, object_id="x"), (5, "contents"), id="last row changed"),
        pytest.param(lambda events: edited(events, 2, row_hash="f" * 64), (3, "contents"), id="hash replaced"),
        pytest.param(lambda events: events[:1] + events[2:], (2, "row 2 is missing"), id="row 2 deleted"),
        pytest.param(lambda events: events[1:], (1, "row 1 is missing"), id="row 1 deleted"),
        pytest.param(
            lambda events: [events[0], events[2], events[1], *events[3:]], (2, "row 2 is missing"), id="rows swapped"
        ),
        pytest.param(
            lambda events: rehashed(events, 2, object_id="x"), (4, "link to the previous row"), id="row 3 rehashed"
        ),
        pytest.param(
            lambda events: rehashed(events, 0, prev_hash="1" * 64),
            (1, "link to the previous row"),
            id="first row not from genesis",
        ),
        pytest.param(
            lambda events: rehashed(events, 2, prev_hash=events[0].row_hash),
            (3, "link to the previous row"),
            id="row 3 relinked past row 2",
        ),
        pytest.param(
            lambda events: appended(events, prev_hash=events[3].row_hash),
            (6, "link to the previous row"),
            id="forged row appended with a stale link",
        ),
        pytest.param(lambda events: appended(events, prev_hash=events[4].row_hash), None, id="row appended properly"),
    ],
)
def test_find_first_break(tamper, expected):
    broken = find_first_break(tamper(chain()), KEY)

    if expected is None:
        assert broken is None
    else:
        row_id, reason = expected
        assert broken is not None
        assert broken.row_id == row_id
        assert reason in broken.reason


def test_hash_event_depends_on_every_field():
    base = chain(1)[0]
    changes = {
        "id": 2,
        "occurred_at": START,
        "user_id": 99,
        "agency_id": 99,
        "action": "sign-out",
        "object_type": "meeting",
        "object_id": "99",
        "ip": "192.0.2.2",
        "prev_hash": "1" * 64,
    }
    for name, value in changes.items():
        event = chain(1)[0]
        setattr(event, name, value)
        assert hash_event(event, KEY) != base.row_hash, name


# --- events written by the real pages -----------------------------------------------------------


def post_password(client, email, password):
    return client.post(client.url("access.sign_in"), data={"email": email, "password": password})


def assert_nothing_typed_is_stored(rows, *typed):
    for row in rows:
        stored = " ".join(str(value) for value in row.values()).lower()
        for value in typed:
            assert value.lower() not in stored, (value, row)


def test_a_wrong_password_records_one_failed_sign_in_and_nothing_typed(app, client, make_user):
    user_id, _ = make_user(email="worker@example.org")
    typed_password = "Wrong-Guess-Tr0ub4dor&3"

    response = post_password(client, "Worker@Example.org", typed_password)

    assert response.status_code == 200
    rows = audit_rows(app)
    assert [row["action"] for row in rows] == ["sign-in-failed"]
    assert rows[0]["user_id"] == user_id
    assert rows[0]["object_id"] == str(user_id)
    assert rows[0]["ip"] == "127.0.0.1"
    assert_nothing_typed_is_stored(rows, "worker@example.org", "worker@", typed_password)
    assert run_verify(app).exit_code == 0


def test_an_unknown_email_records_one_failed_sign_in_and_nothing_typed(app, client, make_user):
    make_user(email="worker@example.org")
    typed_email, typed_password = "nobody.here@elsewhere.example", "some-password-nobody-has"

    response = post_password(client, typed_email, typed_password)

    assert response.status_code == 200
    rows = audit_rows(app)
    assert [row["action"] for row in rows] == ["sign-in-failed"]
    assert rows[0]["user_id"] is None
    assert_nothing_typed_is_stored(rows, typed_email, "nobody.here", typed_password)


def test_a_full_sign_in_records_the_sign_in_and_never_the_password(app, client, make_user):
    user_id, secret = make_user(email="worker@example.org")

    assert post_password(client, "worker@example.org", TEST_PASSWORD).status_code == 302
    code = totp_code(secret, utcnow())
    response = client.post(client.url("access.verify_second_factor"), data={"code": code})

    assert response.status_code == 302
    rows = audit_rows(app)
    assert [(row["action"], row["user_id"]) for row in rows] == [("sign-in", user_id)]
    assert_nothing_typed_is_stored(rows, "worker@example.org", TEST_PASSWORD, secret)
