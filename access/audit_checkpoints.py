"""Signed checkpoints of the audit trail, kept outside the database.

The keyed hash chain shows any change to a row, but not rows cut off its end: what is left is still
a whole chain. So the app also writes down, outside the database, how long the chain was and the
hash of its last row, with a UTC time, signed with MARAC_AUDIT_KEY. Each checkpoint is one JSON line
appended to instance/audit-checkpoints.jsonl, or to the file or standard error (for a log shipper)
that MARAC_AUDIT_CHECKPOINTS names. One is written:

- at the commit of any event, once the last checkpoint is over an hour old (no timers: several
  processes may each write one, which does no harm);
- by `flask --app app audit checkpoint`, for cron;
- by every `flask --app app backup`.

`audit verify` then reports a trail shorter than any checkpoint, or whose row no longer has the
hash a checkpoint recorded, and any checkpoint line whose signature does not match.
"""

import hashlib
import hmac
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from access.audit import EVENTS_RECORDED, GENESIS_HASH, ChainBreak, audit_key
from access.models import AuditEvent
from extensions import db, utcnow

CHECKPOINT_EVENT = "audit-checkpoint"
CHECKPOINT_INTERVAL = timedelta(hours=1)
STANDARD_ERROR = "stderr"
DEFAULT_FILE_NAME = "audit-checkpoints.jsonl"
TAIL_BYTES = 4096  # a checkpoint line is about 250 bytes
LAST_CHECKPOINT_AT = "audit_last_checkpoint_at"
log = logging.getLogger("marac")


@dataclass(frozen=True)
class Checkpoint:
    """The chain had `rows` rows, ids 1 to last_id, and row last_id's hash was last_hash, at `at`."""

    rows: int
    last_id: int
    last_hash: str
    at: str


# --- signing and reading lines -------------------------------------------------------------------


def signature(checkpoint: Checkpoint, key: bytes) -> str:
    # The event name is signed too, so a checkpoint's signature can never pass for a row's hash.
    fields = {"event": CHECKPOINT_EVENT} | asdict(checkpoint)
    return hmac.new(key, json.dumps(fields, sort_keys=True, separators=(",", ":")).encode(), hashlib.sha256).hexdigest()


def checkpoint_line(checkpoint: Checkpoint, key: bytes) -> str:
    return json.dumps(
        {"event": CHECKPOINT_EVENT} | asdict(checkpoint) | {"signature": signature(checkpoint, key)},
        separators=(",", ":"),
    )


def parse_checkpoint(line: str, key: bytes) -> Checkpoint | None:
    """The checkpoint on this line if its signature matches, else None. A log shipper may have put
    a prefix before the JSON, so reading starts at the first brace."""
    try:
        document = json.loads(line[line.index("{") :])
        checkpoint = Checkpoint(
            rows=document["rows"], last_id=document["last_id"], last_hash=document["last_hash"], at=document["at"]
        )
        claimed = str(document["signature"])
    except (ValueError, KeyError, TypeError):
        return None
    if document.get("event") != CHECKPOINT_EVENT or not hmac.compare_digest(claimed, signature(checkpoint, key)):
        return None
    return checkpoint


@dataclass(frozen=True)
class CheckpointsRead:
    checkpoints: list[Checkpoint]
    forged_lines: list[int]


def read_checkpoints(lines, key: bytes) -> CheckpointsRead:
    """Every line naming a checkpoint, genuine or not; other lines (a log's) are passed over."""
    checkpoints, forged_lines = [], []
    for number, line in enumerate(lines, start=1):
        if CHECKPOINT_EVENT not in line:
            continue
        checkpoint = parse_checkpoint(line, key)
        if checkpoint is None:
            forged_lines.append(number)
        else:
            checkpoints.append(checkpoint)
    return CheckpointsRead(checkpoints, forged_lines)


def read_checkpoint_file(path: Path, key: bytes) -> CheckpointsRead:
    if not path.exists():
        return CheckpointsRead([], [])
    with path.open(encoding="utf-8", errors="replace") as file:
        return read_checkpoints(file, key)


# --- where they go -------------------------------------------------------------------------------


def checkpoint_destination() -> Path | str:
    """A file, or STANDARD_ERROR."""
    setting = current_app.config.get("AUDIT_CHECKPOINTS")
    if setting == STANDARD_ERROR:
        return STANDARD_ERROR
    return Path(setting) if setting else Path(current_app.instance_path) / DEFAULT_FILE_NAME


def append_line(destination: Path | str, line: str) -> None:
    if destination == STANDARD_ERROR:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    # One write of one short line in append mode: lines from several processes never interleave.
    descriptor = os.open(destination, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode())
    finally:
        os.close(descriptor)


def describe(destination: Path | str) -> str:
    return "standard error" if destination == STANDARD_ERROR else str(destination)


# --- writing one ---------------------------------------------------------------------------------


def read_committed_head() -> tuple[int, str]:
    """The last committed row, read on a connection of its own so that nothing uncommitted counts."""
    with db.engine.connect() as connection:
        last = connection.execute(
            select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
    return (last.id, last.row_hash) if last else (0, GENESIS_HASH)


def write_checkpoint() -> Checkpoint:
    """Sign the committed chain's length and last hash, and append the line to the destination."""
    last_id, last_hash = read_committed_head()
    now = utcnow()
    # Ids run from 1 with no gap (record_event gives each the next), so the length is the last id.
    checkpoint = Checkpoint(rows=last_id, last_id=last_id, last_hash=last_hash, at=now.isoformat(timespec="seconds"))
    append_line(checkpoint_destination(), checkpoint_line(checkpoint, audit_key()))
    current_app.extensions[LAST_CHECKPOINT_AT] = now
    return checkpoint


# --- hourly, at the commit of an event ------------------------------------------------------------


def latest_checkpoint_time() -> datetime | None:
    """The time of the newest genuine checkpoint at the end of the file; None for standard error."""
    destination = checkpoint_destination()
    if destination == STANDARD_ERROR or not destination.exists():
        return None
    with destination.open("rb") as file:
        file.seek(max(0, destination.stat().st_size - TAIL_BYTES))
        lines = file.read().decode("utf-8", errors="replace").splitlines()
    found = read_checkpoints(lines, audit_key()).checkpoints
    return datetime.fromisoformat(found[-1].at) if found else None


def checkpoint_is_due(now: datetime) -> bool:
    last = current_app.extensions.get(LAST_CHECKPOINT_AT)
    if last is None or now - last >= CHECKPOINT_INTERVAL:
        # Another process may have written one since: the file says.
        last = latest_checkpoint_time() or last
        current_app.extensions[LAST_CHECKPOINT_AT] = last
    return last is None or now - last >= CHECKPOINT_INTERVAL


def write_checkpoint_if_due(session: Session) -> None:
    """After a commit that recorded an event, write a checkpoint if the last is over an hour old.

    The events are committed by then, so the checkpoint never counts a row that is rolled back."""
    if session.in_nested_transaction():
        return  # a savepoint released (SQLAlchemy calls after_commit then too): nothing is committed yet
    if not session.info.pop(EVENTS_RECORDED, False):
        return
    try:
        if checkpoint_is_due(utcnow()):
            write_checkpoint()
    except (OSError, SQLAlchemyError) as error:
        # The event is saved; the checkpoint is tried again in an hour rather than at every event.
        current_app.extensions[LAST_CHECKPOINT_AT] = utcnow()
        log.error({"event": "audit-checkpoint-failed", "error": type(error).__name__})


def watch_commits_for_checkpoints() -> None:
    if not event.contains(Session, "after_commit", write_checkpoint_if_due):
        event.listen(Session, "after_commit", write_checkpoint_if_due)


# --- checking the trail against them --------------------------------------------------------------


def stored_hashes(ids: list[int]) -> dict[int, str]:
    hashes = {}
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        hashes.update(
            db.session.execute(select(AuditEvent.id, AuditEvent.row_hash).where(AuditEvent.id.in_(batch))).all()
        )
    return hashes


def check_against_checkpoints(chain_rows: int, checkpoints: list[Checkpoint]) -> ChainBreak | None:
    """For a chain found whole with chain_rows rows: the first row, in id order, where a checkpoint
    shows rows cut off the end or a row whose hash has changed since."""
    stored = stored_hashes(sorted({c.last_id for c in checkpoints if 0 < c.last_id <= chain_rows}))
    for checkpoint in sorted(checkpoints, key=lambda c: (c.last_id, c.rows)):
        recorded = max(checkpoint.rows, checkpoint.last_id)
        if recorded > chain_rows:
            first_missing = chain_rows + 1
            missing = (
                f"row {first_missing} is" if first_missing == recorded else f"rows {first_missing} to {recorded} are"
            )
            return ChainBreak(
                first_missing,
                f"{missing} missing: the trail has been cut short "
                f"(the checkpoint of {checkpoint.at} records {recorded} rows)",
            )
        if checkpoint.last_id and stored[checkpoint.last_id] != checkpoint.last_hash:
            return ChainBreak(
                checkpoint.last_id,
                f"its hash differs from the one the checkpoint of {checkpoint.at} "
                "recorded: the trail was rewritten at or before this row",
            )
    return None
