"""Bulk import: the batches and saved mappings, who may see a batch, people who may already be known,
and the one transaction that writes every imported row. The web confirm and the CLI share it."""

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas
from flask import current_app
from sqlalchemy import select

from access import policy
from access import store as access_store
from access.audit import AuditAction, record_event, record_events
from access.models import Agency, Role, User
from access.policy import ImportBatchScope
from cases import journey
from cases import store as cases_store
from cases.bulk_insert import TableRows, insert_tables, next_ids, room_to_write, store_values
from cases.models import (
    Case,
    CaseStatus,
    Person,
    PersonMatchKey,
    Referral,
    ReferralState,
    VictimLinkProposal,
    keys_of_columns,
)
from extensions import db, utcnow
from risk import store as risk_store
from risk.criteria import ASSESSMENTS, AssessmentFacts, CaseFacts, Victim, evaluate
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
from transactions import all_or_nothing, long_reading, reading_only, transaction

log = logging.getLogger("marac")
ROWS_PER_INSERT = 1000
IDS_PER_ROW = 3  # person, case and assessment
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
    suggestions: dict[int, list[journey.PossibleMatch]]  # shown as the referral form shows them
    suggested_people: dict[str, Person]  # for the confirm step only, never for the page
    cases_shown: list[str]  # the cases of the people suggested, each of which records the look (record_review)

    def suggested_person(self, row_number: int, person_id: str) -> Person | None:
        """The known person chosen for a row, if she was one of the row's suggestions."""
        suggested = any(match.person_id == person_id for match in self.suggestions.get(row_number, []))
        return self.suggested_people[person_id] if suggested else None


def review(batch: ImportBatch, frame: pandas.DataFrame, *, today: date, user: User) -> Review:
    """A dry run of the import: every row checked and scored, and people who may be known found. It only
    reads, so a large file can be checked apart from other users' saves (transactions.long_reading);
    record_review then audits it."""
    pack, mapping = get_pack(batch.tool_id), mapping_of(batch)
    report = validate(frame, pack, mapping, today=today)
    shown = suggestions_shown_to(user, report.rows)
    found = {row.row: people for row in report.rows if (people := shown.people[row_key(row)])}
    suggestions = {row: [journey.possible_match(person) for person in people] for row, people in found.items()}
    people = {person.id: person for row_people in found.values() for person in row_people}
    return Review(
        batch,
        pack,
        list(frame.columns),
        mapping,
        mapping_problems(pack, mapping),
        report,
        suggestions,
        people,
        shown.case_ids,
    )


def check(batch: ImportBatch, frame: pandas.DataFrame, *, today: date, user: User) -> Review:
    """The check page's review of a staged file, for a request: read for seconds (a 20,000-row file), so read
    apart from other users' saves (transactions.long_reading), then audited."""
    with long_reading():
        found = review(batch, frame, today=today, user=user)
    record_review(found, user)
    return found


def record_review(review: Review, user: User) -> None:
    """The check itself, and each look at a suggested person's cases (as the referral form records it)."""
    journey.record_matches_shown(user, review.cases_shown)
    record_event(AuditAction.IMPORT_VALIDATED, user=user, object_type="import", object_id=review.batch.id)


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
    """For each row, the known people who may be the same person, best first, whoever they are kept from:
    the command line's, which names only the rows it leaves out (the check page uses suggestions_shown_to)."""
    found = known_people_like(rows)
    return {row.row: matches[:SUGGESTIONS_PER_ROW] for row in rows if (matches := found[row_key(row)])}


def suggestions_shown_to(user: User, rows) -> journey.ShownMatches:
    """For each row (by row_key), the known people the check page may offer this user, best first: as the
    referral form would offer them (journey.matches_for: less anyone an exclusion list keeps from the user)."""
    found = {key: [person for person, _ in matches] for key, matches in known_people_like(rows).items()}
    return journey.matches_for(user, found, most=SUGGESTIONS_PER_ROW)


def known_people_like(rows) -> dict[str, list[tuple[Person, Match]]]:
    """Every row's blocking keys looked up together (a query per thousand keys, not one per row)."""
    return journey.suggestions_for_each(
        [
            journey.candidate_record(row_key(row), row.given_name, row.family_name, row.date_of_birth, row.postcode)
            for row in rows
        ]
    )


def row_key(row: ImportRow) -> str:
    return f"row-{row.row}"


# The import itself


@dataclass(frozen=True)
class ImportOutcome:
    imported: int
    eligible: int
    referred: int
    links_proposed: int  # rows the uploader thinks are people already known: the coordinator confirms each


@dataclass
class RowRecords:
    person: dict
    case: dict
    assessment: dict
    decision: dict
    referral: dict | None
    match_keys: tuple[str, ...]  # the person's blocking keys; their rows are made as each chunk is written
    link_proposal: dict | None


@dataclass(frozen=True)
class ImportContext:
    agency_id: int
    tool_id: str
    user_id: int
    area: str
    ruleset: object
    tool_version: str
    refer_eligible: bool
    today: date
    now: object
    new_id: Callable[[], str] = new_id
    # Stored forms many rows share, made once (prepare_import then converts each shared object once):
    # a decision's columns by the decision, and the assessment's empty comments.
    decision_columns: dict = field(default_factory=dict, compare=False)
    no_comments: dict = field(default_factory=dict, compare=False)


def import_context(
    *, agency_id: int, tool_id: str, user_id: int, refer_eligible: bool, today: date, rows: int = 0
) -> ImportContext:
    """What every row's records share. Reads no database, so the records can be made before the
    transaction that writes them (on SQLite every transaction holds the write lock)."""
    return ImportContext(
        agency_id=agency_id,
        tool_id=tool_id,
        user_id=user_id,
        area=current_app.config.get("MARAC_AREA") or "Not set",
        ruleset=current_ruleset(),
        tool_version=get_pack(tool_id).version,
        refer_eligible=refer_eligible,
        today=today,
        now=utcnow(),
        new_id=ascending_ids(IDS_PER_ROW * rows),
    )


def batch_context(batch: ImportBatch, user: User, refer_eligible: bool, today: date, rows: int) -> ImportContext:
    return import_context(
        agency_id=batch.agency_id,
        tool_id=batch.tool_id,
        user_id=user.id,
        refer_eligible=refer_eligible,
        today=today,
        rows=rows,
    )


def ascending_ids(count: int) -> Callable[[], str]:
    """Random ids as ever, handed out in sorted order, so each table's index takes the file's rows in
    order rather than scattered; after `count` of them, plain new ids."""
    ids = iter(sorted(new_id() for _ in range(count)))
    return lambda: next(ids, None) or new_id()


def records_for(row: ImportRow, proposed: Person | None, context: ImportContext, reference: str | None) -> RowRecords:
    """The same records the web journey makes for one completed assessment: the victim as the file has
    her, case, assessment, eligibility decision and, if asked and eligible, a referral. A known person
    chosen for the row is only proposed, as the referral form proposes her (journey.start_case_for_new_person):
    her record stays closed until the coordinator confirms. A reference of None is filled in when the rows
    are written."""
    now = context.now
    person = new_person(row, context.agency_id, now, context.new_id())
    facts = CaseFacts(
        today=context.today,
        victim=Victim(date_of_birth=row.date_of_birth, area=context.area),
        assessments=(AssessmentFacts(context.tool_id, row.assessed_on, row.result),),
    )
    decision = evaluate(facts, context.ruleset)
    referred = context.refer_eligible and decision.eligible
    case_id = context.new_id()
    case = {
        "id": case_id,
        "reference": reference,
        "victim_id": person["id"],
        "marac_area": context.area,
        "status": CaseStatus.OPEN,
        "repeat_watch_ends": decision.repeat_watch_ends if referred else None,
        "created_by_agency_id": context.agency_id,
        "created_at": now,
        "version_id": 1,
    }
    assessment = {
        "id": context.new_id(),
        "case_id": case_id,
        "tool_id": context.tool_id,
        "tool_version": context.tool_version,
        "answers": row.answers,
        "comments": context.no_comments,
        "result": row.result,
        "status": AssessmentStatus.COMPLETE,
        "assessed_on": row.assessed_on,
        "source_if_not_victim": None,
        "assessor_id": context.user_id,
        "agency_id": context.agency_id,
        "created_at": now,
        "updated_at": now,
        "version_id": 1,
    }
    # The decision's id, and the referral's pointer to it, are given when the rows are written.
    decision_row = {"id": None, "case_id": case_id, "created_at": now} | decision_columns(decision, context)
    decision_row["evidence"] = evidence_naming(decision_row["evidence"], assessment["id"])
    criteria = decision_row["criteria"]
    referral = None
    if referred:
        referral_id = new_id()
        referral = {
            "id": referral_id,
            "case_id": case_id,
            "decision_id": None,
            "criteria": criteria,
            "referrer_id": context.user_id,
            "agency_id": context.agency_id,
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
    proposal = link_proposal(case_id, proposed, context) if proposed else None
    return RowRecords(person, case, assessment, decision_row, referral, match_keys_of(person), proposal)


def decision_columns(decision, context: ImportContext) -> dict:
    """The decision's stored columns, made once for each distinct decision and shared by every row with
    that decision (an import of thousands of rows has a few hundred): equal decisions store the same."""
    columns = context.decision_columns.get(decision)
    if columns is None:
        columns = risk_store.decision_values(decision, evaluated_by_id=context.user_id, today=context.today)
        context.decision_columns[decision] = columns
    return columns


def evidence_naming(evidence: dict, assessment_id: str) -> dict:
    """A shared decision's evidence (made before the row's assessment had an id) naming the row's assessment,
    as the journey's does, so the referral page links to it: the only assessment a row's decision rests on is
    its own. Evidence with no assessment in it stays the shared object."""
    if not any(item["kind"] == ASSESSMENTS for items in evidence.values() for item in items):
        return evidence
    return {
        code: [item | {"ref": assessment_id} if item["kind"] == ASSESSMENTS else item for item in items]
        for code, items in evidence.items()
    }


def link_proposal(case_id: str, proposed: Person, context: ImportContext) -> dict:
    """The row VictimLinkProposal keeps: the case's victim may be this known person, for the coordinator to confirm."""
    return {"case_id": case_id, "person_id": proposed.id, "proposed_by_id": context.user_id, "proposed_at": context.now}


def match_keys_of(person: dict) -> tuple[str, ...]:
    """A new person's blocking keys (cases.models.keys_of_columns): a bulk insert passes by the listener
    that keeps them for people saved one at a time, and without them she could not be found."""
    return tuple(sorted(keys_of_columns(person)))


def new_person(row: ImportRow, agency_id: int, now, person_id: str) -> dict:
    return {
        "id": person_id,
        "given_name": row.given_name.strip(),
        "family_name": row.family_name.strip(),
        "aliases": (),  # stored as an empty list; one shared empty tuple, converted once for every row
        "date_of_birth": row.date_of_birth,
        "date_of_birth_variants": (),
        "postcode": row.postcode,
        "interpreter_needed": False,
        "created_by_agency_id": agency_id,
        "created_at": now,
    }


@dataclass(frozen=True)
class PreparedImport:
    """Every row's records, made before the writing starts, and the known people proposed for rows."""

    records: list[RowRecords]
    proposed_people: list[str]


def prepare_in_a_request(
    batch: ImportBatch,
    rows: list[ImportRow],
    proposed: dict[int, Person],
    *,
    user: User,
    refer_eligible: bool,
    today: date,
) -> PreparedImport:
    """prepare_import for the confirm step, read apart from other users' saves (transactions.long_reading), so
    that on SQLite only the writing (commit_import) holds the write lock. A failure is recorded as
    commit_import records one, and raised as ImportFailed."""
    try:
        with long_reading():
            return prepare_import(rows, proposed, batch_context(batch, user, refer_eligible, today, len(rows)))
    except Exception as error:
        raise failed(batch, user, error) from error


def still_staged(batch: ImportBatch) -> bool:
    """Read again, and locked, before the writing: the file was checked and prepared outside this
    transaction, so a second click of Confirm may have imported it meanwhile."""
    db.session.refresh(batch, with_for_update=True)
    return batch.status is ImportStatus.STAGED


def prepare_import(rows: list[ImportRow], proposed: dict[int, Person], context: ImportContext) -> PreparedImport:
    """The records of every row, in the file's order, with their values already as the database
    driver takes them (the slow part of writing). Reads and writes no database. `proposed` is the
    known person the uploader chose for a row, by row number."""
    records = [records_for(row, proposed.get(row.row), context, None) for row in rows]
    for table, table_rows in tables_to_convert(records):
        store_values(table, table_rows)
    people = [proposed[row.row].id for row in rows if row.row in proposed]
    return PreparedImport(records=records, proposed_people=people)


def tables_for(records: list[RowRecords]) -> list[TableRows]:
    """Every table an import writes, parents first."""
    return [*tables_to_convert(records), (PersonMatchKey.__table__, match_key_rows(records))]


def tables_to_convert(records: list[RowRecords]) -> list[TableRows]:
    """The tables whose rows are dicts of values to convert: one more kind of row is one more entry here
    (and a field of RowRecords that records_for fills). The rows must be the records' own dicts, the same
    on every call: prepare_import turns their values into stored ones in place, and insert_records
    writes them chunk by chunk."""
    return [
        (Person.__table__, [record.person for record in records]),
        (Case.__table__, [record.case for record in records]),
        (VictimLinkProposal.__table__, [record.link_proposal for record in records if record.link_proposal]),
        (Assessment.__table__, [record.assessment for record in records]),
        (Decision.__table__, [record.decision for record in records]),
        (Referral.__table__, [record.referral for record in records if record.referral]),
    ]


def match_key_rows(records: list[RowRecords]) -> list[tuple[str, str]]:
    """The people's blocking keys as (key, person id) rows, in the table's column order: plain strings,
    which need no converting. Made for each chunk as it is written, so the thirty or so a person has are
    never all held as rows at once (at 100,000 people that is millions)."""
    return [(key, record.person["id"]) for record in records for key in record.match_keys]


def insert_records(records: list[RowRecords]) -> None:
    """One chunk of rows, in the open transaction (cases.bulk_insert: COPY on PostgreSQL). The
    decisions' ids are taken first, for the referrals that point at them."""
    for record, decision_id in zip(records, next_ids(Decision.__table__, len(records))):
        record.decision["id"] = decision_id
        if record.referral:
            record.referral["decision_id"] = decision_id
    insert_tables(tables_for(records))


def write_prepared(prepared: PreparedImport, progress: Callable[[int, int], None] | None = None) -> ImportOutcome:
    """Adds every prepared row to the open transaction, with its case reference."""
    records, total = prepared.records, len(prepared.records)
    # Every row's case reference at once: one turn of the counter, under one lock, for the whole file.
    references = cases_store.new_case_references(utcnow().year, total)
    for record, reference in zip(records, references):
        record.case["reference"] = reference
    with room_to_write():
        for start in range(0, total, ROWS_PER_INSERT):
            insert_records(records[start : start + ROWS_PER_INSERT])
            if progress:
                progress(min(start + ROWS_PER_INSERT, total), total)
    return ImportOutcome(
        imported=total,
        eligible=sum(record.decision["eligible"] for record in records),
        referred=sum(record.referral is not None for record in records),
        links_proposed=len(prepared.proposed_people),
    )


def audit_proposals(prepared: PreparedImport, user: User) -> None:
    """As the referral form audits a proposed link: under the new case and under each of her cases."""
    new_cases = [record.case["id"] for record in prepared.records if record.link_proposal]
    her_cases = cases_store.cases_with_victim(sorted(set(prepared.proposed_people))) if new_cases else []
    record_events(AuditAction.PERSON_LINK_PROPOSED, user=user, object_type="case", object_ids=new_cases + her_cases)


def commit_import(
    batch: ImportBatch,
    rows: list[ImportRow],
    proposed: dict[int, Person],
    *,
    user: User,
    refer_eligible: bool,
    today: date,
    progress: Callable[[int, int], None] | None = None,
    prepared: PreparedImport | None = None,
) -> ImportOutcome:
    """All or nothing: every row is written in one savepoint. On any error the savepoint is undone,
    the batch is marked failed and audited, and ImportFailed is raised; the caller's commit keeps
    either the import or the record of its failure. `proposed` is the known person chosen for a row,
    only proposed for the coordinator to confirm. `prepared` is prepare_import(rows, ...) made
    earlier, outside the transaction; without it the records are made here."""
    batch_id = batch.id
    db.session.flush()  # the batch itself is kept whatever happens to its rows
    try:
        with all_or_nothing():
            if prepared is None:
                prepared = prepare_import(rows, proposed, batch_context(batch, user, refer_eligible, today, len(rows)))
            outcome = write_prepared(prepared, progress)
            audit_proposals(prepared, user)
            batch.status, batch.rows_imported = ImportStatus.IMPORTED, outcome.imported
            record_event(AuditAction.IMPORT_COMMITTED, user=user, object_type="import", object_id=batch_id)
    except Exception as error:
        raise failed(batch, user, error) from error
    return outcome


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """For a command's import, from checking to writing: Python's cycle collector otherwise walks the
    import's hundreds of thousands of new objects (rows, results, records) again and again as they pile
    up, a third of the time at 20,000 rows, and finds next to nothing to free. Resumed after, however
    it ends. Not for the web app: it pauses the whole process, every request in it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_outside_a_request(
    *,
    agency_id: int,
    user_id: int,
    tool_id: str,
    filename: str,
    mapping: ColumnMapping,
    rows: list[ImportRow],
    today: date,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[str, ImportOutcome | ImportFailed]:
    """The command line's import (the benchmark's too): the records are made between the reading and
    the one transaction that writes them, so on SQLite other users wait only for the writing. Returns
    the batch's id with what was imported, or with the failure (the batch is then kept, marked failed)."""
    prepared, problem = None, None
    with reading_only():
        context = import_context(
            agency_id=agency_id, tool_id=tool_id, user_id=user_id, refer_eligible=False, today=today, rows=len(rows)
        )
        try:
            prepared = prepare_import(rows, {}, context)
        except Exception as error:
            problem = error
    with transaction():
        user = db.session.get(User, user_id)
        batch = create_batch(
            token=None, agency_id=agency_id, tool_id=tool_id, filename_shown=filename, mapping=mapping, user=user
        )
        try:
            if problem:
                raise problem
            return batch.id, commit_import(
                batch, rows, {}, user=user, refer_eligible=False, today=today, progress=progress, prepared=prepared
            )
        except ImportFailed as failure:
            return batch.id, failure
        except Exception as error:
            return batch.id, failed(batch, user, error)


def failed(batch: ImportBatch, user: User, error: Exception) -> ImportFailed:
    db.session.flush()  # the batch itself is kept
    # The message can quote a row's data: log only the kind of error.
    log.error({"event": "import-failed", "import": batch.id, "error": type(error).__name__})
    record_failure(batch, user)
    return ImportFailed(FAILED_MESSAGE)


def record_failure(batch: ImportBatch, user: User) -> None:
    batch.status, batch.rows_imported = ImportStatus.FAILED, 0
    record_event(AuditAction.IMPORT_FAILED, user=user, object_type="import", object_id=batch.id)


def mark_discarded(batch: ImportBatch, *, user: User) -> None:
    batch.status = ImportStatus.DISCARDED
    record_event(AuditAction.IMPORT_DISCARDED, user=user, object_type="import", object_id=batch.id)
