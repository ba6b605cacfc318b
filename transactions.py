"""Where a transaction ends. Services and stores only add and flush; each request commits once, when
its response is ready, and each CLI command once, when it finishes. Anything that goes wrong first
rolls the whole unit back, so a crash part-way leaves the data as it was."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response

from extensions import db

# A refused request (4xx) keeps what it recorded, which is only ever the audit of the refusal; a
# failed one (5xx) keeps nothing.
FAILED = 500


def end_request(response: Response) -> Response:
    """The one commit of a request, after its response is made (registered in app.py)."""
    if response.status_code >= FAILED:
        db.session.rollback()
    else:
        db.session.commit()
    return response


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
