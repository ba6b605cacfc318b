"""L4: the audit trail cannot be cut or rewritten unseen. Rows are chained with a key kept outside the
database, and signed checkpoints of the chain's length and last hash are kept outside it too; `audit
verify` checks both. Each attack below is done as a database owner could: the append-only triggers
dropped first."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete, insert, select, update

from access.audit import (
    GENESIS_HASH,
    ORIGINAL_FIELDS,
    AuditAction,
    canonical_json,
    chained_fields,
    find_first_break,
    hash_event_without_key,
    record_event,
)
from access.audit_checkpoints import Checkpoint, checkpoint_line, parse_checkpoint
from access.models import AuditEvent
from config import TEST_AUDIT_KEY
from extensions import db
from tests.access.test_audit import audit_rows, chain, record_events, remove_append_only_protection, run_verify
from tests.conftest import build_test_app
from transactions import all_or_nothing

KEY = TEST_AUDIT_KEY.encode()
WRONG_KEY = b"a-key-the-attacker-made-up-for-themselves-000"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


# --- helpers -------------------------------------------------------------------------------------


def checkpoint_file(app):
    return app.config["AUDIT_CHECKPOINTS"]


def checkpoint_lines(app) -> list[str]:
    try:
        with open(checkpoint_file(app)) as file:
            return file.read().splitlines()
    except FileNotFoundError:
        return []


def written_checkpoints(app) -> list[dict]:
    return [json.loads(line) for line in checkpoint_lines(app)]


def run_checkpoint(app):
    return app.test_cli_runner().invoke(args=["audit", "checkpoint"])


def assert_reported(result, message):
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [message]


@pytest.fixture
def five_hundred_events(app):
    """500 events, and a checkpoint of them written as cron would, with `audit checkpoint`."""
    record_events(app, 500)
    assert run_checkpoint(app).exit_code == 0
    return 500


def rewrite_rows_from(app, first_id, hasher, **edit):
    """Edit row first_id, then recompute its hash and every later row's link and hash with hasher."""
    remove_append_only_protection(app)
    with app.app_context():
        previous_hash = None
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.id >= first_id).order_by(AuditEvent.id)):
            if event.id == first_id:
                for name, value in edit.items():
                    setattr(event, name, value)
            else:
                event.prev_hash = previous_hash
            event.row_hash = previous_hash = hasher(event)
            db.session.flush()
        db.session.commit()


def plain_sha256(event):
    return hashlib.sha256(canonical_json(event)).hexdigest()


def keyed_with(key):
    return lambda event: hmac.new(key, canonical_json(event), hashlib.sha256).hexdigest()


# --- an intact trail -------------------------------------------------------------------------------


def test_L4_an_intact_trail_verifies_against_its_checkpoints_and_exits_0(app):
    record_events(app, 5)
    run_checkpoint(app)
    record_events(app, 2)

    result = run_verify(app)

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Audit trail intact: 7 events checked against 2 checkpoints."


def test_L4_verify_says_when_there_are_no_checkpoints_to_check_against(app):
    result = run_verify(app)

    assert result.exit_code == 0, result.output
    assert "holds no checkpoints, so rows cut off the end would not show" in result.output


# --- the attacks -------------------------------------------------------------------------------------


def test_L4_deleting_the_last_200_rows_is_reported_as_truncation_naming_the_first_missing_row(app, five_hundred_events):
    remove_append_only_protection(app)
    with app.app_context():
        db.session.execute(delete(AuditEvent).where(AuditEvent.id > 300))
        db.session.commit()

    result = run_verify(app)

    checkpoint_time = written_checkpoints(app)[0]["at"]  # the first of those that record 500 rows
    assert_reported(
        result,
        "Audit trail broken at row 301: rows 301 to 500 are missing: the trail has been cut "
        f"short (the checkpoint of {checkpoint_time} records 500 rows).",
    )


def test_L4_deleting_only_the_last_row_is_reported(app, five_hundred_events):
    remove_append_only_protection(app)
    with app.app_context():
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == 500))
        db.session.commit()

    result = run_verify(app)

    assert result.exit_code == 1
    assert "Audit trail broken at row 500: row 500 is missing: the trail has been cut short" in result.output


def test_L4_cutting_rows_off_and_letting_new_events_refill_the_trail_is_reported(app, five_hundred_events):
    remove_append_only_protection(app)
    with app.app_context():
        db.session.execute(delete(AuditEvent).where(AuditEvent.id > 300))
        db.session.commit()
    record_events(app, 250)  # genuine, keyed events: the chain itself is whole again

    result = run_verify(app)

    assert result.exit_code == 1
    assert "Audit trail broken at row 500: its hash differs from the one the checkpoint of" in result.output


def test_L4_deleting_a_middle_row_is_reported(app, five_hundred_events):
    remove_append_only_protection(app)
    with app.app_context():
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == 250))
        db.session.commit()

    assert_reported(run_verify(app), "Audit trail broken at row 250: row 250 is missing (found row 251 next).")


def test_L4_editing_a_row_and_recomputing_every_later_hash_with_plain_sha256_is_reported_at_that_row(
    app, five_hundred_events
):
    rewrite_rows_from(app, 250, plain_sha256, object_id="forged")

    assert_reported(run_verify(app), "Audit trail broken at row 250: its hash was made without MARAC_AUDIT_KEY.")


def test_L4_editing_a_row_and_recomputing_every_later_hash_with_a_wrong_key_is_reported_at_that_row(
    app, five_hundred_events
):
    rewrite_rows_from(app, 250, keyed_with(WRONG_KEY), object_id="forged")

    assert_reported(run_verify(app), "Audit trail broken at row 250: its contents do not match its hash.")


def test_L4_rewriting_even_with_the_key_is_reported_where_a_checkpoint_holds_the_old_hash(app, five_hundred_events):
    rewrite_rows_from(app, 250, keyed_with(KEY), object_id="forged")

    result = run_verify(app)

    assert result.exit_code == 1
    assert "Audit trail broken at row 500: its hash differs from the one the checkpoint of" in result.output
    assert "the trail was rewritten at or before this row" in result.output


def test_L4_the_first_checkpoint_that_no_longer_matches_is_the_one_reported(app):
    record_events(app, 100)
    run_checkpoint(app)
    record_events(app, 100)
    run_checkpoint(app)
    rewrite_rows_from(app, 150, keyed_with(KEY), object_id="forged")

    result = run_verify(app)

    assert "Audit trail broken at row 200: its hash differs" in result.output


# --- the checkpoints themselves ------------------------------------------------------------------


def changed_count(line: str) -> str:
    document = json.loads(line)
    return json.dumps(document | {"rows": 1, "last_id": 1})


def changed_signature(line: str) -> str:
    document = json.loads(line)
    return json.dumps(document | {"signature": "0" * 64})


def signed_with_wrong_key(line: str) -> str:
    document = json.loads(line)
    checkpoint = Checkpoint(
        rows=document["rows"], last_id=document["last_id"], last_hash=document["last_hash"], at=document["at"]
    )
    return checkpoint_line(checkpoint, WRONG_KEY)


def cut_short(line: str) -> str:
    return line[: len(line) // 2]


@pytest.mark.parametrize(
    "tamper",
    [changed_count, changed_signature, signed_with_wrong_key, cut_short],
    ids=["count changed", "signature replaced", "signed with another key", "line cut short"],
)
def test_L4_a_tampered_checkpoint_line_is_reported(app, tamper):
    record_events(app, 5)
    run_checkpoint(app)
    lines = checkpoint_lines(app)
    lines[1] = tamper(lines[1])
    with open(checkpoint_file(app), "w") as file:
        file.write("\n".join(lines) + "\n")

    assert_reported(
        run_verify(app),
        f"Audit checkpoint on line 2 of {checkpoint_file(app)} is not genuine: "
        "its signature does not match MARAC_AUDIT_KEY.",
    )


def test_L4_a_checkpoint_line_holds_the_length_last_row_hash_and_time_signed_with_the_key(app):
    record_events(app, 3)

    result = run_checkpoint(app)

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Audit checkpoint written to {checkpoint_file(app)}: 3 rows, last row 3."
    line = checkpoint_lines(app)[-1]
    document = json.loads(line)
    assert document["event"] == "audit-checkpoint"
    assert (document["rows"], document["last_id"], document["last_hash"]) == (3, 3, audit_rows(app)[-1]["row_hash"])
    assert datetime.fromisoformat(document["at"]).utcoffset() == timedelta(0)
    assert parse_checkpoint(line, KEY) == Checkpoint(3, 3, document["last_hash"], document["at"])
    assert parse_checkpoint(line, WRONG_KEY) is None


def test_L4_a_checkpoint_is_written_on_every_backup(app, tmp_path):
    app.config["BACKUP_PASSPHRASE"] = "correct horse battery staple, kept apart"
    record_events(app, 4)
    before = len(checkpoint_lines(app))

    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "marac.backup")])

    assert result.exit_code == 0, result.output
    assert "Audit checkpoint written: 4 rows, last row 4." in result.output
    assert len(checkpoint_lines(app)) == before + 1
    assert written_checkpoints(app)[-1]["last_id"] == 4


def test_L4_a_checkpoint_is_written_when_an_event_is_recorded_over_an_hour_after_the_last(app):
    with time_machine.travel(START, tick=False) as clock:
        record_events(app, 1)
        assert [c["rows"] for c in written_checkpoints(app)] == [1]

        clock.shift(timedelta(minutes=59))
        record_events(app, 1)
        assert [c["rows"] for c in written_checkpoints(app)] == [1]

        clock.shift(timedelta(minutes=2))
        record_events(app, 1)
        assert [(c["rows"], c["at"]) for c in written_checkpoints(app)] == [
            (1, START.isoformat()),
            (3, (START + timedelta(minutes=61)).isoformat()),
        ]
    assert run_verify(app).exit_code == 0


def test_L4_a_second_process_reads_the_last_checkpoints_time_from_the_file(app, database_url):
    with time_machine.travel(START, tick=False) as clock:
        record_events(app, 1)
        with build_test_app(database_url, AUDIT_CHECKPOINTS=checkpoint_file(app)) as other_process:
            clock.shift(timedelta(minutes=30))
            record_events(other_process, 1)
            assert len(checkpoint_lines(app)) == 1

            clock.shift(timedelta(minutes=31))
            record_events(other_process, 1)
    assert [c["rows"] for c in written_checkpoints(app)] == [1, 3]


def test_L4_a_rolled_back_event_is_never_counted_by_a_checkpoint(app):
    with app.test_request_context():
        record_event(AuditAction.SIGN_IN)
        db.session.rollback()
        db.session.commit()

    record_events(app, 2)  # the first checkpoint comes due here, and counts only what is committed
    assert [c["rows"] for c in written_checkpoints(app)] == [2]
    assert run_verify(app).exit_code == 0


def test_L4_a_savepoint_released_inside_a_transaction_writes_no_checkpoint_until_the_transaction_commits(app):
    # SQLAlchemy calls after_commit when a savepoint is released too. The events are not committed
    # then, and on SQLite reading the head on another connection would wait on this transaction's lock.
    with app.test_request_context(), time_machine.travel(START, tick=False):
        record_event(AuditAction.SIGN_IN)
        with all_or_nothing():
            record_event(AuditAction.SIGN_IN)
        assert written_checkpoints(app) == []

        db.session.commit()

    assert [c["rows"] for c in written_checkpoints(app)] == [2]
    assert run_verify(app).exit_code == 0


class TestCheckpointsToStandardError:
    @pytest.fixture
    def app_settings(self):
        return {"AUDIT_CHECKPOINTS": "stderr"}

    def test_L4_checkpoints_can_go_to_standard_error_for_a_log_shipper(self, app, tmp_path, capsys):
        record_events(app, 3)
        from_commit = capsys.readouterr().err
        result = run_checkpoint(app)

        assert result.exit_code == 0, result.output
        assert "Audit checkpoint written to standard error: 3 rows, last row 3." in result.stdout
        lines = [line for line in (from_commit + result.stderr).splitlines() if "audit-checkpoint" in line]
        assert [json.loads(line)["rows"] for line in lines] == [3, 3]
        assert not (tmp_path / "instance").exists()

        without_file = run_verify(app)
        assert without_file.exit_code == 0
        assert "Checkpoints go to standard error; pass --checkpoints FILE" in without_file.output

        # As a log shipper keeps them: among other log lines, each after its own prefix.
        gathered = tmp_path / "shipped.log"
        gathered.write_text(
            '{"level": "INFO", "endpoint": "meetings.home"}\n'
            + "".join(f"2026-11-23T09:00:00Z web-1 marac: {line}\n" for line in lines)
        )
        result = app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", str(gathered)])
        assert result.exit_code == 0, result.output
        assert "Audit trail intact: 3 events checked against 2 checkpoints." in result.output

        remove_append_only_protection(app)
        with app.app_context():
            db.session.execute(delete(AuditEvent).where(AuditEvent.id == 3))
            db.session.commit()
        result = app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", str(gathered)])
        assert result.exit_code == 1
        assert "Audit trail broken at row 3: row 3 is missing: the trail has been cut short" in result.output


# --- rows written before the key --------------------------------------------------------------------


def insert_unkeyed_rows(app, count):
    """Rows as the app wrote them before issue 15: hashed with plain SHA-256."""
    with app.app_context():
        previous = GENESIS_HASH
        for n in range(1, count + 1):
            event = AuditEvent(
                id=n,
                occurred_at=START + timedelta(seconds=n),
                action="sign-in",
                object_type="user",
                object_id=str(n),
                prev_hash=previous,
            )
            event.row_hash = previous = hash_event_without_key(event)
            db.session.execute(
                insert(AuditEvent).values(**{c.name: getattr(event, c.name) for c in AuditEvent.__table__.columns})
            )
        db.session.commit()


def test_L4_rows_written_before_the_key_are_reported_until_the_key_is_introduced(app):
    insert_unkeyed_rows(app, 4)

    assert_reported(run_verify(app), "Audit trail broken at row 1: its hash was made without MARAC_AUDIT_KEY.")


def test_L4_the_first_event_after_the_upgrade_records_where_the_key_begins(app):
    insert_unkeyed_rows(app, 4)

    record_events(app, 2)

    rows = audit_rows(app)
    assert [(row["id"], row["action"], row["object_id"]) for row in rows[3:6]] == [
        (4, "sign-in", "4"),
        (5, "audit-key-introduced", "4"),
        (6, "sign-in", "1000"),
    ]
    assert rows[4]["prev_hash"] == rows[3]["row_hash"]
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "Audit trail intact: 7 events checked against 1 checkpoint." in result.output


def test_L4_an_unkeyed_row_before_the_key_cannot_be_changed_unseen(app):
    insert_unkeyed_rows(app, 4)
    record_events(app, 2)

    rewrite_rows_from(app, 2, plain_sha256, object_id="forged")

    # Rows 2 to 4 are unkeyed and consistent again; the keyed row that introduced the key is not.
    assert_reported(run_verify(app), "Audit trail broken at row 5: its hash was made without MARAC_AUDIT_KEY.")


def test_L4_an_unkeyed_row_after_the_key_was_introduced_is_reported(app):
    insert_unkeyed_rows(app, 4)
    record_events(app, 3)

    rewrite_rows_from(app, 7, plain_sha256)

    assert_reported(run_verify(app), "Audit trail broken at row 7: its hash was made without MARAC_AUDIT_KEY.")


def test_L4_removing_every_keyed_row_to_pass_as_a_trail_from_before_the_key_is_shown_by_the_checkpoints(app):
    insert_unkeyed_rows(app, 4)
    record_events(app, 3)  # the key is introduced at row 5; the commit writes a checkpoint of 8 rows
    remove_append_only_protection(app)
    with app.app_context():
        db.session.execute(delete(AuditEvent).where(AuditEvent.id >= 5))
        db.session.commit()
    record_events(app, 5)  # the key is introduced again, and the trail grows past its old length

    result = run_verify(app)

    assert result.exit_code == 1
    assert "Audit trail broken at row 8: its hash differs from the one the checkpoint of" in result.output


def test_L4_the_key_is_introduced_once(app):
    insert_unkeyed_rows(app, 2)
    record_events(app, 1)
    remove_append_only_protection(app)
    with app.app_context():
        last = db.session.get(AuditEvent, 4)
        unkeyed = AuditEvent(id=5, occurred_at=START, action="sign-in", prev_hash=last.row_hash)
        unkeyed.row_hash = hash_event_without_key(unkeyed)
        db.session.add(unkeyed)
        db.session.commit()

    record_events(app, 1)

    assert [row["action"] for row in audit_rows(app)].count("audit-key-introduced") == 1
    assert_reported(run_verify(app), "Audit trail broken at row 5: its hash was made without MARAC_AUDIT_KEY.")


# --- the hash on its own ----------------------------------------------------------------------------


def test_L4_rows_are_hashed_with_hmac_sha256_under_the_key(app):
    record_events(app, 2)

    with app.app_context():
        for event in db.session.scalars(select(AuditEvent)):
            assert event.row_hash == hmac.new(KEY, canonical_json(event), hashlib.sha256).hexdigest()
            assert event.row_hash != hashlib.sha256(canonical_json(event)).hexdigest()


def test_L4_the_unkeyed_hash_is_exactly_the_one_rows_were_written_with_before_the_key():
    event = chain(1)[0]
    before_issue_15 = {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "user_id": event.user_id,
        "agency_id": event.agency_id,
        "action": event.action,
        "object_type": None,
        "object_id": event.object_id,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }
    event.object_type = None

    expected = hashlib.sha256(json.dumps(before_issue_15, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert hash_event_without_key(event) == expected


def test_L4_the_original_fields_are_always_hashed_even_when_empty():
    event = AuditEvent(id=1, occurred_at=START, action="sign-in", prev_hash=GENESIS_HASH)

    assert set(chained_fields(event)) == ORIGINAL_FIELDS
    assert chained_fields(event)["user_id"] is None


def rehashed_with(events, index, hasher):
    events[index].object_id = "x"
    events[index].row_hash = hasher(events[index])
    return events


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        pytest.param(lambda events: events, None, id="intact"),
        pytest.param(
            lambda events: rehashed_with(events, 2, keyed_with(WRONG_KEY)),
            (3, "its contents do not match its hash"),
            id="rehashed with a wrong key",
        ),
        pytest.param(
            lambda events: rehashed_with(events, 2, plain_sha256),
            (3, "its hash was made without MARAC_AUDIT_KEY"),
            id="rehashed without a key",
        ),
    ],
)
def test_L4_find_first_break_needs_the_key(tamper, expected):
    broken = find_first_break(tamper(chain()), KEY)

    assert (None if broken is None else (broken.row_id, broken.reason)) == expected


def test_L4_verifying_with_another_key_reports_the_first_row(database_url, app):
    record_events(app, 3)
    with build_test_app(database_url, AUDIT_KEY="another-key-entirely-another-key-entirely-00") as other:
        result = run_verify(other)

    assert result.exit_code == 1
    assert "Audit trail broken at row 1: its contents do not match its hash." in result.output


def test_L4_editing_a_row_without_recomputing_is_still_reported(app, five_hundred_events):
    remove_append_only_protection(app)
    with app.app_context():
        db.session.execute(update(AuditEvent).where(AuditEvent.id == 42).values(action="forged"))
        db.session.commit()

    assert_reported(run_verify(app), "Audit trail broken at row 42: its contents do not match its hash.")


class TestCheckpointsThatCannotBeWritten:
    @pytest.fixture
    def app_settings(self, tmp_path):
        (tmp_path / "not-a-folder").write_text("")
        return {"AUDIT_CHECKPOINTS": str(tmp_path / "not-a-folder" / "audit-checkpoints.jsonl")}

    def test_L4_the_event_is_still_saved_and_the_failure_logged_without_data(self, app, caplog):
        record_events(app, 2)

        assert len(audit_rows(app)) == 2
        failures = [
            record.msg
            for record in caplog.records
            if isinstance(record.msg, dict) and record.msg.get("event") == "audit-checkpoint-failed"
        ]
        assert failures == [{"event": "audit-checkpoint-failed", "error": "FileExistsError"}]

    def test_L4_the_checkpoint_command_says_so_in_one_line_and_exits_1(self, app):
        result = run_checkpoint(app)

        assert result.exit_code == 1
        assert result.output.strip().splitlines() == [
            f"Error: The audit checkpoint could not be written to {checkpoint_file(app)} (File exists)."
        ]
