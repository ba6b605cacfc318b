"""Watching the SQL the app runs, for tests that hold a page or a command to its statements (no N+1)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from extensions import db


@contextmanager
def statements_run(app) -> Iterator[list[str]]:
    """The text of every SQL statement the app's engine runs inside the block, in order."""
    statements = []

    def keep(_connection, _cursor, statement, *_):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)
