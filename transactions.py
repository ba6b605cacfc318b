"""Where a transaction ends. Services and stores only add and flush; each request commits once, when
its response is ready, and each CLI command once, when it finishes. Anything that goes wrong first
rolls the whole unit back, so a crash part-way leaves the data as it was."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response, g

from extensions import READING_ONLY, db

# A refused request (4xx) keeps what it recorded, which is only ever the audit of the refusal; a
# failed one (5xx) keeps nothing, unless it undid its failed part and recorded the failure.
FAILED = 500
KEEP_RECORD_OF_FAILURE = "keep_record_of_failure"
# The session's list of writes kept back until its commit: the audit trail's events (access.audit).
WAITING_WRITES = "writes_waiting_for_the_commit"


def end_request(response: Response) -> Response:
    """The one commit of a request, after its response is made (registered in app.py)."""
    keep_record = g.pop(KEEP_RECORD_OF_FAILURE, False)
    if response.status_code >= FAILED and not keep_record:
        db.session.rollback()
    else:
        db.session.commit()
    return response


def keep_record_of_failure() -> None:
    """For a request whose failed part was undone (all_or_nothing) and whose failure was then recorded:
    its 5xx response says it failed, but the record of the failure is kept."""
    setattr(g, KEEP_RECORD_OF_FAILURE, True)


@contextmanager
def transaction() -> Iterator[None]:
    """One unit of work outside a request (a CLI command, a daily job): all of it is kept or none."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """A part of a request that must not half-happen, such as a bulk import: on any error its
    changes are undone (a savepoint) while the rest of the request, such as the audit, goes on."""
    with db.session.begin_nested():
        yield


def end_reading() -> None:
    """Ends a unit of work that has only read so far, before long work that needs no database. On SQLite
    every transaction holds the write lock from its start (BEGIN IMMEDIATE), so a command that reads,
    then computes for a while, would otherwise keep every other writer waiting. Objects read are
    expired and load again when next used, in a new transaction."""
    if db.session.new or db.session.dirty or db.session.deleted or db.session.info.get(WAITING_WRITES):
        raise RuntimeError("end_reading() called with changes waiting to be written")
    db.session.rollback()


@contextmanager
def reading_only() -> Iterator[None]:
    """Long work that reads but writes nothing, such as an import's look for known people. What came before
    must have written nothing (end_reading ends it). The work reads in transactions that may only read: on
    SQLite they take no lock, so other users' saves go on meanwhile; a write in one is refused on either
    database. Objects read load again when next used, in the next unit of work."""
    end_reading()
    token = READING_ONLY.set(True)
    try:
        yield
    finally:
        db.session.rollback()
        READING_ONLY.reset(token)


@contextmanager
def long_reading() -> Iterator[None]:
    """reading_only for a request, such as checking or confirming a large import: what the request has done
    so far (its session's last-seen time) is committed first. The one exception to a request's single commit,
    kept to work that reads for seconds; on SQLite it would otherwise keep every other writer waiting."""
    db.session.commit()
    with reading_only():
        yield
