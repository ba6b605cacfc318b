"""The audit trail: append-only, hash-chained events written in the same transaction as the change.

Each row's hash covers its own fields and the previous row's hash, so editing, deleting or
reordering any row breaks the chain from that row on; `flask --app app audit verify` finds it.
"""

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from flask import has_request_context, request
from sqlalchemy import func, select

from access.models import AuditEvent
from extensions import db, utcnow

GENESIS_HASH = "0" * 64
POSTGRES_AUDIT_LOCK = 4_242_001


class AuditAction(StrEnum):
    SIGN_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    SECOND_FACTOR_FAILED = "second-factor-failed"
    SECOND_FACTOR_ENROLLED = "second-factor-enrolled"
    RECOVERY_CODE_USED = "recovery-code-used"
    ACCOUNT_LOCKED = "account-locked"
    SIGN_OUT = "sign-out"
    SESSION_EXPIRED = "session-expired"
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
    CASE_LISTED = "case-listed"
    SAFE_CONTACT_VIEWED = "safe-contact-viewed"
    SAFE_CONTACT_CHANGED = "safe-contact-changed"
    ASSESSMENT_SAVED = "assessment-saved"
    ASSESSMENT_COMPLETED = "assessment-completed"
    JUDGEMENT_RECORDED = "judgement-recorded"
    INCIDENT_RECORDED = "incident-recorded"
    DECISION_MADE = "decision-made"
    REFERRAL_MADE = "referral-made"
    REFERRAL_ACCEPTED = "referral-accepted"
    REFERRAL_DECLINED = "referral-declined"
    REFERRAL_LINKED = "referral-linked"
    REFERRAL_RETURNED_AS_REPEAT = "referral-returned-as-repeat"
    MEETING_CREATED = "meeting-created"
    MEETING_CHANGED = "meeting-changed"
    MEETING_STATUS_CHANGED = "meeting-status-changed"
    AGENDA_PLANNED = "agenda-planned"
    AGENDA_CHANGED = "agenda-changed"
    MARAC_LIST_ISSUED = "marac-list-issued"
    RESEARCH_RETURNED = "research-returned"
    ATTENDANCE_RECORDED = "attendance-recorded"
    MINUTES_SAVED = "minutes-saved"
    MINUTES_CONFLICT = "minutes-conflict"
    ACTION_CREATED = "action-created"
    ACTION_UPDATED = "action-updated"
    ACTION_REVIEWED = "action-reviewed"
    ACTION_REMINDERS_SENT = "action-reminders-sent"
    TRANSFER_RECORDED = "transfer-recorded"
    CALENDAR_DOWNLOADED = "calendar-downloaded"
    DOCUMENT_DOWNLOADED = "document-downloaded"
    PDF_FAILED = "pdf-failed"
    DOCUMENT_WITHHELD = "document-withheld"
    DATA_RETURN_DOWNLOADED = "data-return-downloaded"
    DASHBOARD_VIEWED = "dashboard-viewed"
    EXCLUSION_RECORDED = "exclusion-recorded"
    EXCLUSION_MATCH_CLEARED = "exclusion-match-cleared"
    EXCLUSION_MATCH_WITHHELD = "exclusion-match-withheld"
    IMPORT_VALIDATED = "import-validated"
    IMPORT_COMMITTED = "import-committed"
    IMPORT_FAILED = "import-failed"
    IMPORT_DISCARDED = "import-discarded"
    IMPORT_MAPPING_SAVED = "import-mapping-saved"
    FIELD_KEYS_ROTATED = "field-keys-rotated"


def record_event(action: AuditAction, *, user=None, agency_id=None, object_type=None, object_id=None) -> AuditEvent:
    """Add an event to the current transaction; the caller's commit makes it permanent."""
    previous_id, previous_hash = _lock_and_read_chain_end()
    event = AuditEvent(
        id=previous_id + 1,
        occurred_at=utcnow(),
        user_id=user.id if user else None,
        agency_id=user.agency_id if user else agency_id,
        action=str(action),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=request.remote_addr if has_request_context() else None,
        prev_hash=previous_hash,
    )
    event.row_hash = hash_event(event)
    db.session.add(event)
    db.session.flush()
    return event


def _lock_and_read_chain_end() -> tuple[int, str]:
    # SQLite write transactions already begin IMMEDIATE, which serialises writers.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(POSTGRES_AUDIT_LOCK)))
    last = db.session.execute(
        select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (last.id, last.row_hash) if last else (0, GENESIS_HASH)


def hash_event(event: AuditEvent) -> str:
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
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    row_id: int
    reason: str


def find_first_break(events) -> ChainBreak | None:
    """Walk events in id order; return the first row whose place in the chain does not hold."""
    expected_id, expected_prev = 1, GENESIS_HASH
    for event in events:
        if event.id != expected_id:
            return ChainBreak(expected_id, f"row {expected_id} is missing (found row {event.id} next)")
        if event.prev_hash != expected_prev:
            return ChainBreak(event.id, "its link to the previous row does not match")
        if hash_event(event) != event.row_hash:
            return ChainBreak(event.id, "its contents do not match its hash")
        expected_id, expected_prev = event.id + 1, event.row_hash
    return None


def verify_chain() -> tuple[int, ChainBreak | None]:
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    return count, find_first_break(events)
