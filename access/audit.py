"""The audit trail: append-only, hash-chained events written in the same transaction as the change.

Each row's hash is an HMAC-SHA256 of its own fields and the previous row's hash, keyed with
MARAC_AUDIT_KEY, which is never stored in the database. Editing, deleting or reordering a row
breaks the chain from that row on, and someone who can write to the database but has no key
cannot compute hashes that hide it. Rows cut off the end leave a shorter chain that is still
whole; the signed checkpoints kept outside the database (access/audit_checkpoints.py) show that.
`flask --app app audit verify` checks both.

Rows written before the key existed were hashed with plain SHA-256. They are kept, not rehashed:
the first event recorded after the upgrade is preceded by an `audit-key-introduced` row, keyed,
whose object_id is the last unkeyed row. Plain hashes are accepted only before that row; it links
to the last of them, so none can change unseen, and an unkeyed row anywhere after it is reported.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app, has_request_context, request
from sqlalchemy import func, insert, select
from sqlalchemy.event import contains, listen
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.util import find_tables

from access.models import AuditEvent
from extensions import READING_ONLY, db, utcnow
from transactions import WAITING_WRITES

GENESIS_HASH = "0" * 64
POSTGRES_AUDIT_LOCK = 4_242_001
# Set in the session when events are written to the chain; the commit then writes a checkpoint if one is due.
EVENTS_RECORDED = "audit_events_recorded"
# In the session: the events recorded in its transaction, waiting to join the chain; and those written inside a
# savepoint, as (savepoint, events), which are written again if the savepoint is undone.
WAITING_EVENTS = WAITING_WRITES
WRITTEN_IN_SAVEPOINTS = "audit_events_written_in_savepoints"
# Execution options for a read of the trail that leaves the transaction's waiting events unwritten: it adds
# waiting_object_ids itself, so the chain is not taken (and held to the commit) for it.
COMMITTED_ONLY_OPTION = "audit_committed_only"
COMMITTED_ONLY = {COMMITTED_ONLY_OPTION: True}


class AuditAction(StrEnum):
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    SECOND_FACTOR_FAILED = "second-factor-failed"
    SECOND_FACTOR_ENROLLED = "second-factor-enrolled"
    RECOVERY_CODE_USED = "recovery-code-used"
    ACCOUNT_LOCKED = "account-locked"
    SIGN_OUT = "sign-out"
    SESSION_EXPIRED = "session-expired"
    SESSION_ENDED = "session-ended"
    OTHER_SESSIONS_ENDED = "other-sessions-ended"
    USER_SESSIONS_ENDED = "user-sessions-ended"
    STEP_UP = "step-up"
    STEP_UP_FAILED = "step-up-failed"
    ONE_TIME_PASSWORD_EXPIRED = "one-time-password-expired"
    SIGN_IN_DISABLED = "sign-in-disabled"
    USER_DISABLED_UNUSED = "user-disabled-unused"
    PASSWORD_CHANGED = "password-changed"
    USER_CREATED = "user-created"
    USER_CHANGED = "user-changed"
    USER_DISABLED = "user-disabled"
    USER_ENABLED = "user-enabled"
    USER_PASSWORD_RESET = "user-password-reset"
    AGENCY_CREATED = "agency-created"
    ACCESS_DENIED = "access-denied"
    CSRF_FAILED = "csrf-failed"
    RATE_LIMITED = "rate-limited"
    API_TOKEN_CREATED = "api-token-created"
    API_TOKEN_REVOKED = "api-token-revoked"
    API_SCORE = "api-score"
    API_EVALUATE = "api-evaluate"
    CASE_CREATED = "case-created"
    CASE_VIEWED = "case-viewed"
    PARTY_ADDED = "party-added"
    PERSON_CHANGED = "person-changed"
    PERSON_MATCH_SHOWN = "person-match-shown"
    PERSON_LINK_PROPOSED = "person-link-proposed"
    PERSON_LINK_CONFIRMED = "person-link-confirmed"
    PERSON_LINK_REJECTED = "person-link-rejected"
    BREAK_GLASS_USED = "break-glass-used"
    BREAK_GLASS_REFUSED = "break-glass-refused"
    ALERT_RAISED = "alert-raised"
    ALERT_SEEN = "alert-seen"
    CASE_LISTED = "case-listed"
    SAFE_CONTACT_VIEWED = "safe-contact-viewed"
    SAFE_CONTACT_CHANGED = "safe-contact-changed"
    ASSESSMENT_SAVED = "assessment-saved"
    ASSESSMENT_COMPLETED = "assessment-completed"
    ASSESSMENT_CHANGED = "assessment-changed"
    JUDGEMENT_RECORDED = "judgement-recorded"
    INCIDENT_RECORDED = "incident-recorded"
    DECISION_MADE = "decision-made"
    REFERRAL_MADE = "referral-made"
    REFERRAL_ACCEPTED = "referral-accepted"
    REFERRAL_DECLINED = "referral-declined"
    REFERRAL_WITHDRAWN = "referral-withdrawn"
    REFERRAL_CORRECTED = "referral-corrected"
    REFERRAL_LINKED = "referral-linked"
    REFERRAL_RETURNED_AS_REPEAT = "referral-returned-as-repeat"
    MEETING_CREATED = "meeting-created"
    MEETING_CHANGED = "meeting-changed"
    MEETING_STATUS_CHANGED = "meeting-status-changed"
    MEETING_RESCHEDULED = "meeting-rescheduled"
    MEETING_CANCELLED = "meeting-cancelled"
    AGENDA_PLANNED = "agenda-planned"
    AGENDA_CHANGED = "agenda-changed"
    AGENDA_ITEM_TAKEN_OFF = "agenda-item-taken-off"
    AGENDA_ITEM_PUT_BACK = "agenda-item-put-back"
    MARAC_LIST_ISSUED = "marac-list-issued"
    RESEARCH_RETURNED = "research-returned"
    RESEARCH_DRAFT_SAVED = "research-draft-saved"
    RESEARCH_CHASED = "research-chased"
    ATTENDANCE_RECORDED = "attendance-recorded"
    MINUTES_SAVED = "minutes-saved"
    MINUTES_CONFLICT = "minutes-conflict"
    CASE_NOT_HEARD = "case-not-heard"
    ACTION_CREATED = "action-created"
    ACTION_UPDATED = "action-updated"
    ACTION_EDITED = "action-edited"
    ACTION_ESCALATED = "action-escalated"
    ACTION_REVIEWED = "action-reviewed"
    ACTION_REMINDERS_SENT = "action-reminders-sent"
    TRANSFER_RECORDED = "transfer-recorded"
    CALENDAR_DOWNLOADED = "calendar-downloaded"
    DOCUMENT_DOWNLOADED = "document-downloaded"
    PDF_FAILED = "pdf-failed"
    DOCUMENT_WITHHELD = "document-withheld"
    DATA_RETURN_DOWNLOADED = "data-return-downloaded"
    DATA_RETURN_COUNTED_AGAIN = "data-return-counted-again"
    DASHBOARD_VIEWED = "dashboard-viewed"
    EXCLUSION_RECORDED = "exclusion-recorded"
    EXCLUSION_MATCH_CLEARED = "exclusion-match-cleared"
    EXCLUSION_MATCH_WITHHELD = "exclusion-match-withheld"
    EXCLUSION_DECISION_CHANGED = "exclusion-decision-changed"
    IMPORT_VALIDATED = "import-validated"
    IMPORT_COMMITTED = "import-committed"
    IMPORT_FAILED = "import-failed"
    IMPORT_DISCARDED = "import-discarded"
    IMPORT_MAPPING_SAVED = "import-mapping-saved"
    FIELD_KEYS_ROTATED = "field-keys-rotated"
    AUDIT_KEY_INTRODUCED = "audit-key-introduced"
    AUDIT_REPORT_RUN = "audit-report-run"
    AUDIT_REPORT_DOWNLOADED = "audit-report-downloaded"
    # SECURITY D5: a case anonymised when its retention period ended (nothing of what was removed is
    # recorded), and the legal holds that stop it.
    ERASURE = "erasure"
    LEGAL_HOLD_SET = "legal-hold-set"
    LEGAL_HOLD_LIFTED = "legal-hold-lifted"
    # Subject access requests (SECURITY D6): identifiers only, never what was asked for or found.
    SUBJECT_ACCESS_RECORDED = "subject-access-recorded"
    SUBJECT_ACCESS_PEOPLE_CONFIRMED = "subject-access-people-confirmed"
    SUBJECT_ACCESS_ITEM_DECIDED = "subject-access-item-decided"
    SUBJECT_ACCESS_ITEM_RELEASED = "subject-access-item-released"
    SUBJECT_ACCESS_EXTENDED = "subject-access-extended"
    SUBJECT_ACCESS_DISCLOSED = "subject-access-disclosed"
    SUBJECT_ACCESS_CLOSED = "subject-access-closed"


def record_event(
    action: AuditAction, *, user=None, agency_id=None, object_type=None, object_id=None, severity=None
) -> None:
    """Add an event to the current transaction; the caller's commit makes it permanent.

    The event waits in the session and joins the chain when the transaction commits, or as soon as the
    transaction reads the trail (_write_waiting_events). A page records its view when it has loaded its case and
    then goes on making the page: on PostgreSQL the chain's lock, taken when the event joins the chain, was held
    all that while and every other request's audit waited for it (issue 20: about 100 ms of each page's 125 under
    load). Now it is held for the writing and the commit alone."""
    if READING_ONLY.get():
        raise RuntimeError("An audit event cannot be recorded in work that may only read.")
    fields = _event_fields(action, user, agency_id, object_type, object_id, severity)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before anything else is done ends the event's transaction too
    session.info.setdefault(WAITING_EVENTS, []).append(WaitingEvent(session.get_nested_transaction(), fields))


def record_events(action: AuditAction, *, user, object_type: str, object_ids: list) -> None:
    """The same event about each of many objects (the cases a list shows), written with the rest of the
    transaction's events: one read of the chain's end and one insert, however long the list."""
    for object_id in object_ids:
        record_event(action, user=user, object_type=object_type, object_id=object_id)


@dataclass(frozen=True)
class WaitingEvent:
    savepoint: SessionTransaction | None
    """The savepoint (all_or_nothing) it was recorded in, if any: if that is undone, so is the event."""
    fields: dict


def _events_waiting(session: Session) -> bool:
    return bool(session.info.get(WAITING_EVENTS))


def _write_waiting_events(session: Session) -> None:
    """Chain and insert the events the transaction has recorded, in the order recorded, after taking the chain's
    lock: the lock is then held only until the commit, which follows at once."""
    waiting = session.info.pop(WAITING_EVENTS)
    key = audit_key()
    previous = _lock_and_read_chain_end(session)
    rows = []
    if previous is not None and written_without_key(previous, key) and key_introduced_at(session) is None:
        previous = _chained(
            key,
            previous,
            action=str(AuditAction.AUDIT_KEY_INTRODUCED),
            object_type="audit_event",
            object_id=str(previous.id),
        )
        rows.append(previous)
    for event in waiting:
        previous = _chained(key, previous, **event.fields)
        rows.append(previous)
    session.execute(insert(AuditEvent), [_row_values(row) for row in rows])
    session.info[EVENTS_RECORDED] = True
    if session.in_nested_transaction():
        session.info.setdefault(WRITTEN_IN_SAVEPOINTS, []).append((session.get_nested_transaction(), waiting))


def waiting_object_ids(action: AuditAction, user) -> set[str]:
    """The objects of this kind of event that this user's transaction has recorded and not yet written: for a
    read of the committed trail (COMMITTED_ONLY) that must count them too."""
    waiting = db.session.info.get(WAITING_EVENTS, [])
    return {
        event.fields["object_id"]
        for event in waiting
        if event.fields["action"] == str(action) and event.fields["user_id"] == user.id
    }


def _write_before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its events wait for the real commit
        return
    if _events_waiting(session):
        session.flush()  # the transaction's other writes first, so the chain is held only for its own
        _write_waiting_events(session)


def _write_before_reading_the_trail(state: ORMExecuteState) -> None:
    """A transaction that reads the trail sees the events it has recorded, as it would rows it has added, unless
    the read counts them itself (COMMITTED_ONLY)."""
    if (
        _events_waiting(state.session)
        and state.is_select
        and not state.execution_options.get(COMMITTED_ONLY_OPTION)
        and AuditEvent.__table__ in _tables_read(state.statement)
    ):
        _write_waiting_events(state.session)


def _tables_read(statement) -> list:
    return find_tables(statement, include_joins=True, include_aliases=True, include_selects=True)


def _forget_undone_events(session: Session, undone: SessionTransaction) -> None:
    """A rolled-back transaction's events go with it. An undone savepoint's events go with it, and the events
    recorded before it that a read of the trail wrote inside it wait again, ahead of the rest."""
    undone = _rolled_back_to(undone)
    if not undone.nested:
        _forget_all(session)
        return
    written = session.info.get(WRITTEN_IN_SAVEPOINTS, [])
    unwritten = [events for savepoint, events in written if _inside(savepoint, undone)]
    written[:] = [(savepoint, events) for savepoint, events in written if not _inside(savepoint, undone)]
    waiting = [event for events in unwritten for event in events] + session.info.get(WAITING_EVENTS, [])
    session.info[WAITING_EVENTS] = [event for event in waiting if not _inside(event.savepoint, undone)]


def _rolled_back_to(undone: SessionTransaction) -> SessionTransaction:
    """A failed flush rolls back its own inner transaction, and with it the savepoint or whole transaction that
    holds it: the one whose events go."""
    while undone.parent is not None and not undone.nested:
        undone = undone.parent
    return undone


def _inside(savepoint: SessionTransaction | None, undone: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is undone:
            return True
        savepoint = savepoint.parent
    return False


def _forget_at_the_end(session: Session, ended: SessionTransaction) -> None:
    if ended.parent is None:  # the whole transaction, committed (its events written) or closed unfinished
        _forget_all(session)


def _forget_all(session: Session) -> None:
    session.info.pop(WAITING_EVENTS, None)
    session.info.pop(WRITTEN_IN_SAVEPOINTS, None)


def watch_transactions() -> None:
    """Called once at start-up: every session writes its waiting events when it commits or reads the trail."""
    if contains(Session, "before_commit", _write_before_commit):
        return
    listen(Session, "before_commit", _write_before_commit)
    listen(Session, "do_orm_execute", _write_before_reading_the_trail)
    listen(Session, "after_soft_rollback", _forget_undone_events)
    listen(Session, "after_transaction_end", _forget_at_the_end)


def _event_fields(action, user, agency_id, object_type, object_id, severity) -> dict:
    return {
        "user_id": user.id if user else None,
        "agency_id": user.agency_id if user else agency_id,
        "action": str(action),
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "ip": request.remote_addr if has_request_context() else None,
        "severity": severity,
    }


def audit_key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode()


def _row_values(event: AuditEvent) -> dict:
    return {column.key: getattr(event, column.key) for column in AuditEvent.__table__.columns}


def _chained(key: bytes, previous: AuditEvent | None, **fields) -> AuditEvent:
    """The next event of the chain, hashed, not in the session."""
    event = AuditEvent(
        id=previous.id + 1 if previous else 1,
        occurred_at=utcnow(),
        prev_hash=previous.row_hash if previous else GENESIS_HASH,
        **fields,
    )
    event.row_hash = hash_event(event, key)
    return event


def _lock_and_read_chain_end(session: Session) -> AuditEvent | None:
    # SQLite write transactions already begin IMMEDIATE, which serialises writers.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(POSTGRES_AUDIT_LOCK)))
    return session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()


# The fields a row's hash covers, and the rule for adding one. These nine are always hashed, None
# as null, as they have been since the first row. A field added later (a new nullable column) goes
# into the same dict in chained_fields and is hashed only when it is not None, so every row written
# before it existed keeps its hash and still verifies.
ORIGINAL_FIELDS = frozenset(
    {"id", "occurred_at", "user_id", "agency_id", "action", "object_type", "object_id", "ip", "prev_hash"}
)


def chained_fields(event: AuditEvent) -> dict:
    fields = {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "user_id": event.user_id,
        "agency_id": event.agency_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
        "severity": event.severity,
    }
    return {name: value for name, value in fields.items() if name in ORIGINAL_FIELDS or value is not None}


def canonical_json(event: AuditEvent) -> bytes:
    return json.dumps(chained_fields(event), sort_keys=True, separators=(",", ":")).encode()


def hash_event(event: AuditEvent, key: bytes) -> str:
    return hmac.new(key, canonical_json(event), hashlib.sha256).hexdigest()


def hash_event_without_key(event: AuditEvent) -> str:
    """How rows were hashed before MARAC_AUDIT_KEY; accepted only before the audit-key-introduced row."""
    return hashlib.sha256(canonical_json(event)).hexdigest()


def written_without_key(event: AuditEvent, key: bytes) -> bool:
    return event.row_hash != hash_event(event, key) and event.row_hash == hash_event_without_key(event)


@dataclass(frozen=True)
class ChainBreak:
    row_id: int
    reason: str


def find_first_break(events, key: bytes, key_introduced_at: int | None = None) -> ChainBreak | None:
    """Walk events in id order; return the first row whose place in the chain does not hold.

    Rows before key_introduced_at (the id of the audit-key-introduced row, if any) are checked with
    plain SHA-256, as they were written; every other row must carry the key."""
    expected_id, expected_prev = 1, GENESIS_HASH
    for event in events:
        if event.id != expected_id:
            return ChainBreak(expected_id, f"row {expected_id} is missing (found row {event.id} next)")
        if event.prev_hash != expected_prev:
            return ChainBreak(event.id, "its link to the previous row does not match")
        written_before_key = key_introduced_at is not None and event.id < key_introduced_at
        problem = _hash_problem(event, key, written_before_key)
        if problem:
            return ChainBreak(event.id, problem)
        expected_id, expected_prev = event.id + 1, event.row_hash
    return None


def _hash_problem(event: AuditEvent, key: bytes, written_before_key: bool) -> str | None:
    if written_before_key:
        return None if hash_event_without_key(event) == event.row_hash else "its contents do not match its hash"
    if hash_event(event, key) == event.row_hash:
        return None
    if hash_event_without_key(event) == event.row_hash:
        return "its hash was made without MARAC_AUDIT_KEY"
    return "its contents do not match its hash"


def key_introduced_at(session: Session | None = None) -> int | None:
    return (session or db.session).scalar(
        select(func.min(AuditEvent.id)).where(AuditEvent.action == str(AuditAction.AUDIT_KEY_INTRODUCED))
    )


def verify_chain() -> tuple[int, ChainBreak | None]:
    """How many rows there are, and the first that breaks the keyed chain (None if it holds)."""
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    return count, find_first_break(events, audit_key(), key_introduced_at())
