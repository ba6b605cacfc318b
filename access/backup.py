"""Backup and restore of every table, engine-neutral: `flask --app app backup FILE` and `restore FILE`.

The file is gzip'd JSON lines, encrypted with the MARAC_BACKUP_KEY passphrase (access/sealed_file.py). For
each table in foreign-key order: a header naming its columns and how each is encoded, then one JSON array per
row in primary-key order. The last line is the manifest: the alembic revision and, per table, the row count
and the SHA-256 of its rows' lines. The tables are read from the database itself, so this module knows no
table of the later layers.
"""

import gzip
import hashlib
import io
import json
import os
import zlib
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from access.sealed_file import OpeningReader, SealedFileError, SealingWriter, check_passphrase
from extensions import utcnow

FORMAT = 1
ALEMBIC_TABLE = "alembic_version"
INSERT_BATCH = 1000


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why and never quotes the data."""


@dataclass(frozen=True)
class TableSummary:
    name: str
    rows: int
    sha256: str


# --- encoding values ---------------------------------------------------------------------------


def column_kind(column: sa.Column) -> str:
    kinds = (
        (sa.JSON, "json"),
        (sa.Boolean, "boolean"),
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
        (sa.Integer, "integer"),
        (sa.String, "string"),
    )
    for type_class, kind in kinds:
        if isinstance(column.type, type_class):
            return kind
    raise BackupError(f"Column {column.table.name}.{column.name} has a type the backup cannot encode ({column.type}).")


def encode(kind: str, value):
    if value is None or kind in ("json", "boolean", "integer", "string"):
        return value  # JSON columns are read as their stored text, so they keep their exact form
    return value.isoformat()


def decode(kind: str, value):
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    return value


def row_line(values) -> str:
    return json.dumps(values, separators=(",", ":"))


# --- reading the database ----------------------------------------------------------------------


def app_tables(connection: Connection) -> list[sa.Table]:
    """Every table but alembic's, parents before children."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name != ALEMBIC_TABLE]


def alembic_revision(connection: Connection) -> str:
    if not sa.inspect(connection).has_table(ALEMBIC_TABLE):
        raise BackupError("The database has no migration history; run `flask --app app db upgrade` first.")
    revisions = connection.scalars(sa.select(sa.column("version_num")).select_from(sa.table(ALEMBIC_TABLE))).all()
    if len(revisions) != 1:
        raise BackupError(f"The database should be at one migration revision but is at {len(revisions)}.")
    return revisions[0]


def select_for_backup(table: sa.Table, kinds: list[str]) -> sa.Select:
    columns = [
        sa.cast(column, sa.Text).label(column.name) if kind == "json" else column
        for column, kind in zip(table.columns, kinds)
    ]
    order = list(table.primary_key.columns) or list(table.columns)
    return sa.select(*columns).order_by(*order)


def table_lines(connection: Connection, table: sa.Table, kinds: list[str]):
    rows = connection.execute(select_for_backup(table, kinds).execution_options(yield_per=INSERT_BATCH))
    for row in rows:
        yield row_line([encode(kind, value) for kind, value in zip(kinds, row)])


def summarise(connection: Connection, table: sa.Table, on_line=None) -> TableSummary:
    kinds = [column_kind(column) for column in table.columns]
    digest, count = hashlib.sha256(), 0
    for line in table_lines(connection, table, kinds):
        digest.update(line.encode() + b"\n")
        count += 1
        if on_line:
            on_line(line)
    return TableSummary(table.name, count, digest.hexdigest())


def table_header(table: sa.Table) -> str:
    return json.dumps(
        {"table": table.name, "columns": [[column.name, column_kind(column)] for column in table.columns]}
    )


def consistent_snapshot(engine: sa.Engine):
    """A connection whose reads all see one moment: SQLite's write lock, PostgreSQL's REPEATABLE READ."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


# --- backup ------------------------------------------------------------------------------------


def write_backup(engine: sa.Engine, path: str, passphrase: str) -> tuple[str, list[TableSummary]]:
    """Write the encrypted backup to PATH.tmp with mode 0600, then rename it to PATH; return the revision and counts."""
    passphrase = usable_passphrase(passphrase)
    temporary = f"{path}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    try:
        with (
            os.fdopen(descriptor, "wb") as raw,
            SealingWriter(raw, passphrase) as sealed,
            gzip.GzipFile(fileobj=sealed, mode="wb", mtime=0) as out,
        ):
            revision, summaries = write_tables(engine, out)
            out.close()
            sealed.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return revision, summaries


def write_tables(engine: sa.Engine, out) -> tuple[str, list[TableSummary]]:
    def write(line: str) -> None:
        out.write(line.encode() + b"\n")

    with consistent_snapshot(engine) as connection, connection.begin():
        revision = alembic_revision(connection)
        summaries = []
        for table in app_tables(connection):
            write(table_header(table))
            summaries.append(summarise(connection, table, on_line=write))
    write(json.dumps({"manifest": manifest(revision, summaries)}))
    return revision, summaries


def manifest(revision: str, summaries: list[TableSummary]) -> dict:
    return {
        "format": FORMAT,
        "alembic_revision": revision,
        "created_at": utcnow().isoformat(),
        "tables": [{"name": s.name, "rows": s.rows, "sha256": s.sha256} for s in summaries],
    }


# --- reading a backup file ---------------------------------------------------------------------


def usable_passphrase(passphrase: str | None) -> str:
    try:
        return check_passphrase(passphrase)
    except SealedFileError as error:
        raise BackupError(str(error)) from None


def read_lines(path: str, passphrase: str):
    passphrase = usable_passphrase(passphrase)
    try:
        with (
            open(path, "rb") as raw,
            io.BufferedReader(OpeningReader(raw, passphrase)) as opened,
            gzip.GzipFile(fileobj=opened, mode="rb") as source,
        ):
            for number, line in enumerate(source, start=1):
                yield number, line.decode()
    except SealedFileError as error:
        raise BackupError(f"{path}: {error} Nothing was restored.") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not a readable backup file ({type(error).__name__}).") from error


def parse_line(number: int, line: str):
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        raise BackupError(f"Line {number} of the backup is damaged (not valid JSON); nothing was restored.") from None


def read_manifest(path: str, passphrase: str) -> dict:
    last = None
    for number, line in read_lines(path, passphrase):
        last = (number, line)
    if last is None:
        raise BackupError(f"{path} is empty.")
    document = parse_line(*last)
    if not isinstance(document, dict) or "manifest" not in document:
        raise BackupError(f"{path} has no manifest at its end; it is incomplete or not a backup.")
    if document["manifest"].get("format") != FORMAT:
        raise BackupError(
            f"{path} is in backup format {document['manifest'].get('format')}; this version reads format {FORMAT}."
        )
    return document["manifest"]


def read_tables(path: str, passphrase: str):
    """Yield (table name, [(column, kind)], rows) for each table, reading the file once."""
    name, columns, rows = None, None, []
    for number, line in read_lines(path, passphrase):
        document = parse_line(number, line)
        if isinstance(document, list):
            if name is None or len(document) != len(columns):
                raise BackupError(f"Line {number} of the backup is damaged (a row out of place); nothing was restored.")
            rows.append(document)
            continue
        if name is not None:
            yield name, columns, rows
        if not isinstance(document, dict) or "manifest" in document:
            return
        name, columns, rows = document["table"], document["columns"], []


# --- restore -----------------------------------------------------------------------------------


def restore_backup(engine: sa.Engine, path: str, passphrase: str) -> list[TableSummary]:
    """Insert every row of the backup into an empty database at the same revision, in one transaction,
    and commit only if every table's row count and checksum then match the manifest."""
    expected = read_manifest(path, passphrase)
    with engine.connect() as connection, connection.begin() as transaction:
        check_target(connection, expected)
        tables = {table.name: table for table in app_tables(connection)}
        for name, columns, rows in read_tables(path, passphrase):
            if name not in tables:
                raise BackupError("The backup's tables differ from the database's; nothing was restored.")
            insert_rows(connection, tables[name], columns, rows)
        reset_sequences(connection, tables.values())
        restored = [summarise(connection, table) for table in tables.values()]
        mismatches = compare(expected, restored)
        if mismatches:
            transaction.rollback()
            raise BackupError(
                "The restored data does not match the backup's checksums ("
                + "; ".join(mismatches)
                + "); the backup is damaged. Nothing was restored."
            )
    return restored


def check_target(connection: Connection, expected: dict) -> None:
    revision = alembic_revision(connection)
    if revision != expected["alembic_revision"]:
        raise BackupError(
            f"The backup is from migration revision {expected['alembic_revision']} but the database is at "
            f"{revision}; restore into a database migrated to {expected['alembic_revision']}."
        )
    tables = app_tables(connection)
    names = {table.name for table in tables}
    if names != {entry["name"] for entry in expected["tables"]}:
        raise BackupError("The backup's tables differ from the database's; nothing was restored.")
    occupied = [table.name for table in tables if connection.scalar(sa.select(sa.func.count()).select_from(table))]
    if occupied:
        raise BackupError(
            "Restore only into an empty database: these tables already hold rows: "
            + ", ".join(occupied)
            + ". Nothing was restored."
        )


def insert_rows(connection: Connection, table: sa.Table, columns: list, rows: list) -> None:
    if [name for name, _ in columns] != [column.name for column in table.columns]:
        raise BackupError(f"The backup's columns for {table.name} differ from the database's; nothing was restored.")
    kinds = [kind for _, kind in columns]
    statement = sa.insert(table).values({name: bind_value(connection, table.c[name], kind) for name, kind in columns})
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start : start + INSERT_BATCH]
        try:
            parameters = [
                {name: decode(kind, value) for (name, _), kind, value in zip(columns, kinds, row)} for row in batch
            ]
            connection.execute(statement, parameters)
        except (ValueError, TypeError, sa.exc.StatementError) as error:
            raise BackupError(
                f"A row of {table.name} could not be restored ({type(error).__name__}); "
                "the backup is damaged. Nothing was restored."
            ) from None


def bind_value(connection: Connection, column: sa.Column, kind: str):
    """JSON arrives as its stored text; PostgreSQL needs it cast, SQLite stores the text as it is."""
    if kind != "json":
        return sa.bindparam(column.name, type_=column.type)
    text = sa.bindparam(column.name, type_=sa.Text)
    return sa.cast(text, column.type) if connection.dialect.name == "postgresql" else text


def reset_sequences(connection: Connection, tables) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.scalar(sa.select(sa.func.pg_get_serial_sequence(table.name, column.name)))
            highest = connection.scalar(sa.select(sa.func.max(column)))
            if sequence and highest is not None:
                connection.execute(sa.select(sa.func.setval(sequence, highest)))


def compare(expected: dict, restored: list[TableSummary]) -> list[str]:
    found = {summary.name: summary for summary in restored}
    mismatches = []
    for entry in expected["tables"]:
        summary = found[entry["name"]]
        if summary.rows != entry["rows"]:
            mismatches.append(f"{entry['name']}: {summary.rows} rows, expected {entry['rows']}")
        elif summary.sha256 != entry["sha256"]:
            mismatches.append(f"{entry['name']}: checksum differs")
    return mismatches
