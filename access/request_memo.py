"""Facts the policy's rules need, read once per request and reused within it (issue 20).

A page asks the same question of its meeting or action more than once (loading it, then drawing its buttons),
and each asking read the database again. A store function may keep its answer here instead. The rules stay in
access.policy and are asked every time; only the facts they are given are kept, and never for long:

- only inside a request, in flask.g, emptied when each request starts and ends, so nothing passes to another
  request or another user (every key names the user as well);
- forgotten as soon as the request writes anything but the audit trail or its own session's last-seen time,
  and when its transaction ends, so a page never judges by facts it has just changed.
"""

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
MEMO = "request_memo"
# Written on every page (the audit record of what was viewed, the session's last-seen time), and read by no
# scope: a write to these alone leaves every kept fact true.
TABLES_NO_SCOPE_READS = frozenset({"audit_event", "user_session"})


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """read()'s answer, read at most once in this request while nothing is written. Outside a request
    (commands, jobs) it is read every time."""
    if not has_request_context():
        return read()
    memo = g.setdefault(MEMO, {})
    if key not in memo:
        memo[key] = read()
    return memo[key]


def forget_all(*_) -> None:
    if has_request_context():
        g.pop(MEMO, None)


def _forget_after_flush(session: Session, _context) -> None:
    written = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(row, "__tablename__", None) not in TABLES_NO_SCOPE_READS for row in written):
        forget_all()


def _forget_after_statement(state) -> None:
    """A statement run past the ORM's unit of work (a bulk insert, update or delete) may change a fact too."""
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in TABLES_NO_SCOPE_READS:
        forget_all()


def watch_writes() -> None:
    """Called once at start-up: every session forgets the request's facts when it writes or ends."""
    if event.contains(Session, "after_flush", _forget_after_flush):
        return
    event.listen(Session, "after_flush", _forget_after_flush)
    event.listen(Session, "do_orm_execute", _forget_after_statement)
    event.listen(Session, "after_commit", forget_all)
    event.listen(Session, "after_soft_rollback", forget_all)
