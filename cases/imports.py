"""Bulk import: the batches and saved mappings, who may see a batch, people who may already be known,
and the one transaction that writes every imported row. The web confirm and the CLI share it."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas
from flask import current_app
from sqlalchemy import insert, select

from access import policy
from access import store as access_store
from access.audit import AuditAction, record_event
from access.models import Agency, Role, User
from access.policy import ImportBatchScope
from cases import journey
from cases import store as cases_store
from cases.models import Case, CaseStatus, Person, Referral, ReferralState, keys_of_columns
from extensions import db, utcnow
from risk import store as risk_store
from risk.criteria import AssessmentFacts, CaseFacts, Victim, evaluate
from risk.imports.checking import (
    ColumnMapping,
    ImportRow,
    ValidationReport,
    detect_mapping,
    mapping_problems,
    validate,
)
from risk.imports.files import ImportFileError, read_table, remove_staged, remove_stale, stage_upload, staged_path
from risk.imports.models import ImportBatch, ImportStatus, SavedImportMapping
from risk.in_force import current_ruleset
from risk.instruments import Pack, get_pack
from risk.matching import Match
from risk.models import Assessment, AssessmentStatus, Decision, new_id
from transactions import all_or_nothing

log = logging.getLogger("marac")
ROWS_PER_INSERT = 1000
SUGGESTIONS_PER_ROW = 3
IMPORTED_REFERRAL_NOTE = (
    "Imported from the agency's own records, which do not say whether the victim was told about the referral "
    "or agreed to it, so it is recorded as neither. Check with the referring agency before the meeting."
)
FAILED_MESSAGE = (
    "Something went wrong while saving, so nothing was imported. "
    "Try again; if it happens again, tell your administrator."
)


class ImportFailed(RuntimeError):
    """The import's writes were undone: nothing from the file is in the database. The batch is marked
    failed and the failure audited, for the caller's commit to keep."""


def import_folder() -> Path:
    """Private to the app: under the instance folder unless IMPORT_FOLDER says otherwise, never under static."""
    folder = Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def remove_stale_uploads() -> None:
    remove_stale(import_folder())


def stage(
    data: bytes, frame: pandas.DataFrame, *, pack: Pack, agency_id: int, filename: str, user: User
) -> ImportBatch:
    """Keeps the uploaded file in the private folder and opens its batch, with the agency's saved
    mapping for the tool or, failing that, the one its headings suggest."""
    mapping = get_saved_mapping(agency_id, pack.id) or detect_mapping(pack, list(frame.columns))
    token = stage_upload(data, import_folder())
    return create_batch(
        token=token, agency_id=agency_id, tool_id=pack.id, filename_shown=filename, mapping=mapping, user=user
    )


def read_staged(batch: ImportBatch) -> pandas.DataFrame | None:
    """The batch's file as a table; None when it is no longer there."""
    try:
        data = staged_path(import_folder(), batch.token).read_bytes()
    except (ImportFileError, OSError):
        return None
    return read_table(data, batch.filename_shown)


def remove_upload(batch: ImportBatch) -> None:
    remove_staged(import_folder(), batch.token)


def discard(batch: ImportBatch, *, user: User) -> None:
    remove_upload(batch)
    mark_discarded(batch, user=user)


@dataclass
class Review:
    """Everything the check page shows, worked out again from the staged file each time."""

    batch: ImportBatch
    pack: Pack
    headers: list[str]
    mapping: ColumnMapping
    mapping_problems: list[str]
    report: ValidationReport
    suggestions: dict


def review(batch: ImportBatch, frame: pandas.DataFrame, *, today: date, user: User) -> Review:
    """A dry run of the import: every row checked and scored, and people who may be known found; nothing written."""
    pack, mapping = get_pack(batch.tool_id), mapping_of(batch)
    report = validate(frame, pack, mapping, today=today)
    suggestions = suggest_matches(report.rows)
    record_event(AuditAction.IMPORT_VALIDATED, user=user, object_type="import", object_id=batch.id)
    return Review(batch, pack, list(frame.columns), mapping, mapping_problems(pack, mapping), report, suggestions)


def change_mapping(batch: ImportBatch, mapping: ColumnMapping, *, remember: bool, user: User) -> None:
    """The batch's columns as the person set them; remembered for the agency's next upload if they asked."""
    batch.mapping = mapping.to_dict()
    if remember:
        save_mapping(batch.agency_id, batch.tool_id, mapping, user=user)


# Batches and saved mappings


def create_batch(
    *, token: str | None, agency_id: int, tool_id: str, filename_shown: str, mapping: ColumnMapping, user: User
) -> ImportBatch:
    batch = ImportBatch(
        id=new_id(),
        token=token,
        agency_id=agency_id,
        tool_id=tool_id,
        filename_shown=filename_shown[:255],
        mapping=mapping.to_dict(),
        uploaded_by_id=user.id,
        uploaded_at=utcnow(),
        status=ImportStatus.STAGED,
        rows_imported=0,
    )
    db.session.add(batch)
    return batch


def get_batch_for(user: User, batch_id: str) -> ImportBatch | None:
    """Only the person who uploaded it, or a coordinator, may see a batch."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or not policy.may_view_import_batch(user, ImportBatchScope(uploaded_by_id=batch.uploaded_by_id)):
        return None
    return batch


def mapping_of(batch: ImportBatch) -> ColumnMapping:
    return ColumnMapping.from_dict(batch.mapping)


def get_saved_mapping(agency_id: int, tool_id: str) -> ColumnMapping | None:
    saved = db.session.scalar(
        select(SavedImportMapping).where(
            SavedImportMapping.agency_id == agency_id, SavedImportMapping.tool_id == tool_id
        )
    )
    return ColumnMapping.from_dict(saved.mapping) if saved else None


def save_mapping(agency_id: int, tool_id: str, mapping: ColumnMapping, *, user: User) -> None:
    saved = db.session.scalar(
        select(SavedImportMapping).where(
            SavedImportMapping.agency_id == agency_id, SavedImportMapping.tool_id == tool_id
        )
    )
    if saved is None:
        saved = SavedImportMapping(agency_id=agency_id, tool_id=tool_id)
        db.session.add(saved)
    saved.mapping, saved.saved_by_id, saved.saved_at = mapping.to_dict(), user.id, utcnow()
    record_event(AuditAction.IMPORT_MAPPING_SAVED, user=user, object_type="agency", object_id=agency_id)


def importing_agencies(user: User) -> list[Agency]:
    """A coordinator imports for any agency; an agency representative only for their own."""
    if user.role is Role.COORDINATOR:
        return access_store.list_agencies()
    return [user.agency]


def command_line_importer(agency: Agency) -> User | None:
    """Who the CLI records as importing: the agency's first active representative (who could import this
    file in the web app), otherwise the MARAC's first active coordinator (who may import for any agency)."""
    for condition in (
        (User.role == Role.AGENCY_REP) & (User.agency_id == agency.id),
        User.role == Role.COORDINATOR,
    ):
        user = db.session.scalar(select(User).where(condition, User.active.is_(True)).order_by(User.id).limit(1))
        if user is not None:
            return user
    return None


# People who may already be known


def suggest_matches(rows) -> dict[int, list[tuple[Person, Match]]]:
    """For each row, the known people who may be the same person, best first: every row's blocking keys
    looked up together (a query per thousand keys, not one per row)."""
    found = journey.suggestions_for_each(
        [
            journey.candidate_record(f"row-{row.row}", row.given_name, row.family_name, row.date_of_birth, row.postcode)
            for row in rows
        ]
    )
    return {row.row: matches[:SUGGESTIONS_PER_ROW] for row in rows if (matches := found[f"row-{row.row}"])}


# The import itself


@dataclass(frozen=True)
class ImportOutcome:
    imported: int
    eligible: int
    referred: int
    existing_people: int


@dataclass
class RowRecords:
    person: dict | None
    case: dict
    assessment: dict
    decision: dict
    referral: dict | None


@dataclass(frozen=True)
class ImportContext:
    batch: ImportBatch
    user: User
    area: str
    ruleset: object
    tool_version: str
    refer_eligible: bool
    today: date
    now: object


def records_for(row: ImportRow, existing: Person | None, context: ImportContext, reference: str) -> RowRecords:
    """The same records the web journey makes for one completed assessment: person (unless known),
    case, assessment, eligibility decision and, if asked and eligible, a referral."""
    batch, now = context.batch, context.now
    person = None if existing else new_person(row, batch.agency_id, now)
    person_id = existing.id if existing else person["id"]
    date_of_birth = existing.date_of_birth if existing else row.date_of_birth
    facts = CaseFacts(
        today=context.today,
        victim=Victim(date_of_birth=date_of_birth, area=context.area),
        assessments=(AssessmentFacts(batch.tool_id, row.assessed_on, row.result),),
    )
    decision = evaluate(facts, context.ruleset)
    referred = context.refer_eligible and decision.eligible
    case_id = new_id()
    case = {
        "id": case_id,
        "reference": reference,
        "victim_id": person_id,
        "marac_area": context.area,
        "status": CaseStatus.OPEN,
        "repeat_watch_ends": decision.repeat_watch_ends if referred else None,
        "created_by_agency_id": batch.agency_id,
        "created_at": now,
        "version_id": 1,
    }
    assessment = {
        "id": new_id(),
        "case_id": case_id,
        "tool_id": batch.tool_id,
        "tool_version": context.tool_version,
        "answers": row.answers,
        "comments": {},
        "result": row.result,
        "status": AssessmentStatus.COMPLETE,
        "assessed_on": row.assessed_on,
        "source_if_not_victim": None,
        "assessor_id": context.user.id,
        "agency_id": batch.agency_id,
        "created_at": now,
        "updated_at": now,
        "version_id": 1,
    }
    decision_row = {"case_id": case_id, "created_at": now} | risk_store.decision_values(
        decision, evaluated_by_id=context.user.id, today=context.today
    )
    criteria = decision_row["criteria"]
    referral = None
    if referred:
        referral_id = new_id()
        referral = {
            "id": referral_id,
            "case_id": case_id,
            "criteria": criteria,
            "referrer_id": context.user.id,
            "agency_id": batch.agency_id,
            "victim_informed": False,
            "consent_given": False,
            "no_consent_reason": IMPORTED_REFERRAL_NOTE,
            "state": ReferralState.RECEIVED,
            "state_reason": None,
            "idempotency_key": referral_id,
            "received_at": now,
            "updated_at": now,
            "version_id": 1,
        }
    return RowRecords(person, case, assessment, decision_row, referral)


def new_person(row: ImportRow, agency_id: int, now) -> dict:
    return {
        "id": new_id(),
        "given_name": row.given_name.strip(),
        "family_name": row.family_name.strip(),
        "aliases": [],
        "date_of_birth": row.date_of_birth,
        "date_of_birth_variants": [],
        "postcode": row.postcode,
        "interpreter_needed": False,
        "created_by_agency_id": agency_id,
        "created_at": now,
    }


def insert_records(records: list[RowRecords]) -> None:
    """Bulk inserts on the tables (every value is given, so the ORM's per-row work is not needed),
    parents first; decision ids come back in the order sent, for the referrals."""
    if people := [record.person for record in records if record.person]:
        db.session.execute(insert(Person.__table__), people)
        cases_store.add_match_keys([(person["id"], keys_of_columns(person)) for person in people])
    db.session.execute(insert(Case.__table__), [record.case for record in records])
    db.session.execute(insert(Assessment.__table__), [record.assessment for record in records])
    decisions = Decision.__table__
    decision_ids = db.session.scalars(
        insert(decisions).returning(decisions.c.id, sort_by_parameter_order=True),
        [record.decision for record in records],
    ).all()
    referrals = [
        record.referral | {"decision_id": decision_id}
        for record, decision_id in zip(records, decision_ids)
        if record.referral
    ]
    if referrals:
        db.session.execute(insert(Referral.__table__), referrals)


def write_rows(
    batch: ImportBatch,
    rows: list[ImportRow],
    existing: dict[int, Person],
    *,
    user: User,
    refer_eligible: bool,
    today: date,
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Adds every row to the open transaction."""
    context = ImportContext(
        batch=batch,
        user=user,
        area=current_app.config.get("MARAC_AREA") or "Not set",
        ruleset=current_ruleset(),
        tool_version=get_pack(batch.tool_id).version,
        refer_eligible=refer_eligible,
        today=today,
        now=utcnow(),
    )
    eligible = referred = 0
    # Every row's case reference at once: one turn of the counter, under one lock, for the whole file.
    references = cases_store.new_case_references(context.now.year, len(rows))
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = zip(rows[start : start + ROWS_PER_INSERT], references[start : start + ROWS_PER_INSERT])
        records = [records_for(row, existing.get(row.row), context, reference) for row, reference in chunk]
        insert_records(records)
        eligible += sum(record.decision["eligible"] for record in records)
        referred += sum(record.referral is not None for record in records)
        if progress:
            progress(min(start + ROWS_PER_INSERT, len(rows)), len(rows))
    return ImportOutcome(
        imported=len(rows),
        eligible=eligible,
        referred=referred,
        existing_people=sum(row.row in existing for row in rows),
    )


def commit_import(
    batch: ImportBatch,
    rows: list[ImportRow],
    existing: dict[int, Person],
    *,
    user: User,
    refer_eligible: bool,
    today: date,
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """All or nothing: every row is written in one savepoint. On any error the savepoint is undone,
    the batch is marked failed and audited, and ImportFailed is raised; the caller's commit keeps
    either the import or the record of its failure."""
    batch_id = batch.id
    db.session.flush()  # the batch itself is kept whatever happens to its rows
    try:
        with all_or_nothing():
            outcome = write_rows(
                batch, rows, existing, user=user, refer_eligible=refer_eligible, today=today, progress=progress
            )
            batch.status, batch.rows_imported = ImportStatus.IMPORTED, outcome.imported
            record_event(AuditAction.IMPORT_COMMITTED, user=user, object_type="import", object_id=batch_id)
    except Exception as error:
        # The message can quote a row's data: log only the kind of error.
        log.error({"event": "import-failed", "import": batch_id, "error": type(error).__name__})
        record_failure(batch, user)
        raise ImportFailed(FAILED_MESSAGE) from error
    return outcome


def record_failure(batch: ImportBatch, user: User) -> None:
    batch.status, batch.rows_imported = ImportStatus.FAILED, 0
    record_event(AuditAction.IMPORT_FAILED, user=user, object_type="import", object_id=batch.id)


def mark_discarded(batch: ImportBatch, *, user: User) -> None:
    batch.status = ImportStatus.DISCARDED
    record_event(AuditAction.IMPORT_DISCARDED, user=user, object_type="import", object_id=batch.id)
