"""Writing many rows at once inside the session's open transaction, for a bulk import.

Two steps, so the slow one can run before the transaction starts (on SQLite every transaction holds
the write lock): store_values turns each row's values into what the driver receives, by the columns'
own types (the ones the ORM would use) and with the defaults the ORM would add; insert_tables then
hands each table's rows to the driver in one go, PostgreSQL's COPY (psycopg 3) or SQLite's
executemany. Both run on the session's connection, in its transaction and savepoint, so an import
stays all or nothing. Tables are written in the order given, parents first.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter

from psycopg import sql
from sqlalchemy import Connection, Table, func, select, text

from extensions import db

# A table's rows: dicts by column key, or tuples holding every column's value in the table's order (values
# that need no converting: store_values leaves them as they are).
TableRows = tuple[Table, Sequence[dict] | Sequence[tuple]]
IMPORT_CACHE_KIB = 128 * 1024


def store_values(table: Table, rows: Sequence[dict]) -> None:
    """Each row's values, in place, as the driver receives them. Every row gives the same columns; the
    Python-side defaults of the columns they leave out are added. A value set after this must need no
    converting (an integer id, a plain string)."""
    if not rows:
        return
    dialect = db.engine.dialect
    for column in table.columns:
        if column.key not in rows[0]:
            if column.default is None:
                continue
            for row in rows:
                row[column.key] = default_value(column)
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if process:
            key, convert = column.key, once_per_object(process)
            for row in rows:
                row[key] = convert(row[key])


def once_per_object(process: Callable) -> Callable:
    """`process`, run once for each value object however many rows share it (an import's one timestamp, a
    decision's columns shared by the rows with that decision). Told apart by identity, never by equality
    (True == 1, yet JSON stores them differently), each object kept meanwhile so that its id is not reused."""
    done = {}

    def convert(value):
        found = done.get(id(value))
        if found is None:
            found = done[id(value)] = (value, process(value))
        return found[1]

    return convert


def default_value(column):
    # SQLAlchemy wraps a column's default callable to take an execution context, which these defaults ignore.
    return column.default.arg if column.default.is_scalar else column.default.arg(None)


@contextmanager
def room_to_write() -> Iterator[None]:
    """On SQLite, a page cache large enough for a whole import while it is written: the default (2 MB)
    spills pages to the log part-way through the transaction, and the write lock is held meanwhile."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    usual = driver.execute("PRAGMA cache_size").fetchone()[0]
    driver.execute(f"PRAGMA cache_size={-IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={usual}")


def insert_tables(tables: Sequence[TableRows]) -> None:
    """Every table's rows, already through store_values, in the order given."""
    connection = db.session.connection()
    for table, rows in tables:
        if rows:
            insert_rows(connection, table, rows)


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict] | Sequence[tuple]) -> None:
    if isinstance(rows[0], tuple):
        columns, values = list(table.columns), rows
    else:
        columns = [column for column in table.columns if column.key in rows[0]]
        values = list(map(itemgetter(*(column.key for column in columns)), rows))
    if connection.dialect.name == "postgresql":
        copy_rows(connection, table, columns, values)
    else:
        connection.connection.driver_connection.executemany(insert_statement(connection, table, columns), values)


def insert_statement(connection: Connection, table: Table, columns) -> str:
    quote = connection.dialect.identifier_preparer
    names = ", ".join(quote.quote(column.name) for column in columns)
    places = ", ".join("?" for _ in columns)
    # Names from the schema, quoted by the dialect; every value is bound.
    return f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({places})"  # noqa: S608  # nosec B608


def copy_rows(connection: Connection, table: Table, columns, values: list[tuple]) -> None:
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
        table=sql.Identifier(table.name), columns=sql.SQL(", ").join(sql.Identifier(column.name) for column in columns)
    )
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)


def next_ids(table: Table, count: int) -> list[int]:
    """`count` new values of the table's integer key, for rows that children point at before they are
    written. On PostgreSQL they come from the key's sequence; on SQLite, whose transactions hold the
    write lock from their start (BEGIN IMMEDIATE), from the largest key so far."""
    if count == 0:
        return []
    key = table.primary_key.columns.values()[0]
    if db.session.get_bind().dialect.name == "postgresql":
        numbers = text("SELECT nextval(pg_get_serial_sequence(:table, :column)) FROM generate_series(1, :count)")
        return list(db.session.scalars(numbers, {"table": table.name, "column": key.name, "count": count}))
    largest = db.session.scalar(select(func.coalesce(func.max(key), 0)))
    return list(range(largest + 1, largest + 1 + count))
