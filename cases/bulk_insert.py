"""Writing many rows at once inside the session's open transaction, for a bulk import.

Each table's rows are turned into stored values by the columns' own types (the ones the ORM would
use), then handed to the database driver in one go: PostgreSQL's COPY (psycopg 3) or SQLite's
executemany. Both run on the session's connection, in its transaction and savepoint, so an import
stays all or nothing. Tables are written in the order given, parents first.
"""

from collections.abc import Sequence

from psycopg import sql
from sqlalchemy import Connection, Table, func, select, text

from extensions import db

TableRows = tuple[Table, Sequence[dict]]


def insert_tables(tables: Sequence[TableRows]) -> None:
    """Every table's rows, in the order given. Each row gives every column it sets, the same for all
    rows of a table; columns it leaves out take their database default."""
    connection = db.session.connection()
    for table, rows in tables:
        if rows:
            insert_rows(connection, table, rows)


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict]) -> None:
    rows = with_defaults(table, rows)
    columns = [column for column in table.columns if column.key in rows[0]]
    values = stored_values(connection, columns, rows)
    if connection.dialect.name == "postgresql":
        copy_rows(connection, table, columns, values)
    else:
        connection.connection.driver_connection.executemany(insert_statement(connection, table, columns), values)


def insert_statement(connection: Connection, table: Table, columns) -> str:
    quote = connection.dialect.identifier_preparer
    names = ", ".join(quote.quote(column.name) for column in columns)
    places = ", ".join("?" for _ in columns)
    return f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({places})"  # noqa: S608 (names from the schema)


def with_defaults(table: Table, rows: Sequence[dict]) -> Sequence[dict]:
    """The rows with the Python-side defaults of the columns they leave out, as an ORM insert adds them."""
    defaults = [column for column in table.columns if column.key not in rows[0] and column.default is not None]
    if not defaults:
        return rows
    return [row | {column.key: default_value(column) for column in defaults} for row in rows]


def default_value(column):
    # SQLAlchemy wraps a column's default callable to take an execution context, which these defaults ignore.
    return column.default.arg if column.default.is_scalar else column.default.arg(None)


def stored_values(connection: Connection, columns, rows: Sequence[dict]) -> list[tuple]:
    """The rows as the driver receives them, column by column through each type's bind processor."""
    converted = []
    for column in columns:
        process = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        values = [row[column.key] for row in rows]
        converted.append([process(value) for value in values] if process else values)
    return list(zip(*converted))


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
