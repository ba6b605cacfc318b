"""Watching the SQL the app runs, for tests that hold a page or a command to its statements (no N+1)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from extensions import db


@contextmanager
def statements_run(app) -> Iterator[list[str]]:
    """The text of every SQL statement the app's engine runs inside the block, in order."""
    statements = []
    with each_statement(app, lambda statement, _: statements.append(statement)):
        yield statements


@contextmanager
def statements_with_parameters_run(app) -> Iterator[list[tuple[str, object]]]:
    """(text, parameters) of every SQL statement the app's engine runs inside the block, in order: for asking
    the database afterwards how it ran one (query_plan)."""
    statements = []
    with each_statement(app, lambda statement, parameters: statements.append((statement, parameters))):
        yield statements


@contextmanager
def each_statement(app, keep) -> Iterator[None]:
    """keep(text, parameters) is called before each statement the app's engine runs inside the block."""

    def listen(_connection, _cursor, statement, parameters, *_):
        keep(statement, parameters)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def query_plan(app, statement: str, parameters) -> str:
    """How the database would run the statement: PostgreSQL's EXPLAIN or SQLite's EXPLAIN QUERY PLAN, as text."""
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        return "\n".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))


def plan_preferring_indexes(app, statement: str, parameters) -> str:
    """query_plan, with PostgreSQL not let read a table whole where an index would do: the tests' few rows are quicker
    to read whole, a force's are not."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return query_plan(app, statement, parameters)
        connection = db.session.connection()
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        db.session.rollback()
    return plan
