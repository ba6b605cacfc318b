"""Where a transaction ends (transactions.py), seen from outside: what a request or a command leaves in
the database, read afterwards in a fresh session, after the request's own session has gone."""

import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from access import store
from access.audit import AuditAction, record_event, verify_chain
from access.models import Agency, AgencyKind, AuditEvent, Role
from access.permissions import public
from extensions import db
from transactions import all_or_nothing, end_reading, keep_record_of_failure, reading_only, transaction

REASON = "She called the police from a neighbour's phone tonight and asked for us."


def agency_names(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Agency.name)))


def audit_events(app, action: AuditAction) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))))


def add_agency_and_its_audit(name: str) -> None:
    """Writes that reach the database at once (both flush), as a view's changes do."""
    agency = store.create_agency(name=name, kind=AgencyKind.OTHER)
    record_event(AuditAction.AGENCY_CREATED, object_type="agency", object_id=agency.id)


@pytest.fixture
def failing_routes(app):
    """Throwaway pages, added before the first request: one raises after writing, one answers 500
    after writing, one undoes its failed part and keeps the record of the failure."""

    @public
    def write_then_raise():
        add_agency_and_its_audit("Raised Agency")
        raise RuntimeError("after the write")

    @public
    def write_then_answer_500():
        add_agency_and_its_audit("Answered 500 Agency")
        return "failed", 500

    @public
    def fail_a_part_and_record_it():
        try:
            with all_or_nothing():
                add_agency_and_its_audit("Undone Agency")
                raise RuntimeError("part way")
        except RuntimeError:
            record_event(AuditAction.IMPORT_FAILED, object_type="import", object_id="test-part")
            keep_record_of_failure()
        return "failed", 500

    app.add_url_rule("/test-write-then-raise", "write_then_raise", write_then_raise)
    app.add_url_rule("/test-write-then-answer-500", "write_then_answer_500", write_then_answer_500)
    app.add_url_rule("/test-fail-a-part", "fail_a_part_and_record_it", fail_a_part_and_record_it)
    return app


def test_a_request_whose_view_raises_after_writing_keeps_nothing(app, client, failing_routes):
    events_before = len(audit_events(app, AuditAction.AGENCY_CREATED))

    response = client.get("/test-write-then-raise")

    assert response.status_code == 500
    assert "Raised Agency" not in agency_names(app)
    assert len(audit_events(app, AuditAction.AGENCY_CREATED)) == events_before


def test_a_request_that_answers_500_after_writing_keeps_nothing(app, client, failing_routes):
    response = client.get("/test-write-then-answer-500")

    assert response.status_code == 500
    assert "Answered 500 Agency" not in agency_names(app)
    assert audit_events(app, AuditAction.AGENCY_CREATED) == []


def test_a_failed_request_that_undid_its_part_keeps_only_the_record_of_the_failure(app, client, failing_routes):
    response = client.get("/test-fail-a-part")

    assert response.status_code == 500
    assert "Undone Agency" not in agency_names(app)
    assert audit_events(app, AuditAction.AGENCY_CREATED) == []
    assert [event.object_id for event in audit_events(app, AuditAction.IMPORT_FAILED)] == ["test-part"]
    # The flag lasts one request: the next failure keeps nothing again.
    assert client.get("/test-write-then-answer-500").status_code == 500
    assert "Answered 500 Agency" not in agency_names(app)


def test_a_page_refused_to_a_role_keeps_the_audit_record_of_the_refusal(app, client, sign_in_as):
    user_id = sign_in_as(Role.PRACTITIONER)

    response = client.get(client.url("access.list_users"))

    assert response.status_code == 403
    refusals = audit_events(app, AuditAction.ACCESS_DENIED)
    assert [(event.user_id, event.object_id) for event in refusals] == [(user_id, "access.list_users")]


def test_break_glass_refused_as_not_found_keeps_its_audit_record(app, client, sign_in_as):
    user_id = sign_in_as(Role.PRACTITIONER)
    no_such_case = str(uuid.uuid4())

    response = client.post(client.url("cases.break_glass", case_id=no_such_case), data={"reason": REASON})

    assert response.status_code == 404
    refusals = audit_events(app, AuditAction.BREAK_GLASS_REFUSED)
    assert [(event.user_id, event.object_id, event.severity) for event in refusals] == [(user_id, no_such_case, "high")]
    assert audit_events(app, AuditAction.BREAK_GLASS_USED) == []


def test_a_normal_post_is_committed_once_its_response_is_made(app, client, sign_in_as):
    admin_id = sign_in_as(Role.ADMIN)

    response = client.post(client.url("access.create_agency"), data={"name": "Riverside Housing", "kind": "housing"})

    assert response.status_code == 302
    assert "Riverside Housing" in agency_names(app)
    created = audit_events(app, AuditAction.AGENCY_CREATED)
    assert [event.user_id for event in created] == [admin_id]


def test_a_transaction_commits_when_its_block_ends(app):
    with app.app_context(), transaction():
        add_agency_and_its_audit("Kept Agency")

    assert "Kept Agency" in agency_names(app)
    assert len(audit_events(app, AuditAction.AGENCY_CREATED)) == 1


def test_a_transaction_rolls_everything_back_on_an_exception(app):
    with app.app_context(), pytest.raises(RuntimeError, match="half way"):
        with transaction():
            add_agency_and_its_audit("Lost Agency")
            raise RuntimeError("half way")

    assert "Lost Agency" not in agency_names(app)
    assert audit_events(app, AuditAction.AGENCY_CREATED) == []


def test_a_failed_all_or_nothing_part_is_undone_while_the_rest_of_the_transaction_is_kept(app):
    with app.app_context(), transaction():
        add_agency_and_its_audit("Before Agency")
        with pytest.raises(RuntimeError):
            with all_or_nothing():
                add_agency_and_its_audit("Inside Agency")
                raise RuntimeError("inside")
        add_agency_and_its_audit("After Agency")

    assert {"Before Agency", "After Agency"} <= agency_names(app)
    assert "Inside Agency" not in agency_names(app)
    assert len(audit_events(app, AuditAction.AGENCY_CREATED)) == 2
    with app.app_context():
        assert verify_chain()[1] is None  # the undone event left no gap in the chain


def test_a_write_in_reading_only_work_is_refused_and_keeps_nothing(app):
    with app.app_context(), pytest.raises(DBAPIError):
        with reading_only():
            add_agency_and_its_audit("Written While Reading Agency")

    assert "Written While Reading Agency" not in agency_names(app)


def test_the_next_unit_of_work_writes_as_ever_after_reading_only_work(app):
    with app.app_context():
        with reading_only():
            db.session.scalar(select(func.count()).select_from(Agency))
        with transaction():
            add_agency_and_its_audit("Written After Reading Agency")

    assert "Written After Reading Agency" in agency_names(app)


def test_another_users_save_goes_ahead_while_reading_only_work_reads(app):
    """On SQLite every other transaction takes the write lock at its start and holds it to its end: a
    long read (an import's look for known people) must not, or saves wait and then fail."""
    saved = {}

    def save_elsewhere():
        try:
            with app.app_context(), transaction():
                add_agency_and_its_audit("Saved Meanwhile Agency")
            saved["error"] = None
        except DBAPIError as error:  # "database is locked", once the busy timeout runs out
            saved["error"] = type(error.orig).__name__

    with app.app_context(), reading_only():
        db.session.scalar(select(func.count()).select_from(Agency))  # the read transaction is open
        saving = threading.Thread(target=save_elsewhere)
        saving.start()
        saving.join()

    assert saved == {"error": None}
    assert "Saved Meanwhile Agency" in agency_names(app)


# --- audit events wait in the transaction and join the chain at its commit (issue 20) -----------------------------


def test_a_unit_of_work_reads_the_audit_events_it_has_recorded_before_it_commits(app):
    """The alert on many cases viewed counts the view just recorded: events waiting for the commit are written
    as soon as the transaction reads the trail."""
    with app.app_context(), transaction():
        record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="seen")
        assert db.session.scalars(select(AuditEvent.object_id)).all() == ["seen"]
        record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="seen again")

    with app.app_context():
        assert verify_chain() == (2, None)


def test_audit_events_of_a_transaction_rolled_back_are_not_written_by_the_next(app):
    with app.app_context():
        record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="rolled back")
        db.session.rollback()
        with transaction():
            add_agency_and_its_audit("Committed Agency")

    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action)).all() == [str(AuditAction.AGENCY_CREATED)]


def test_an_event_recorded_in_an_all_or_nothing_part_that_succeeded_is_kept(app):
    with app.app_context(), transaction():
        with all_or_nothing():
            add_agency_and_its_audit("Inside Agency")

    assert len(audit_events(app, AuditAction.AGENCY_CREATED)) == 1


def test_ending_a_unit_of_work_as_only_read_is_refused_once_it_has_recorded_an_event(app):
    """end_reading throws away what the unit of work did: an audit event must not go with it unseen."""
    with app.app_context():
        record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="viewed")
        with pytest.raises(RuntimeError, match="changes waiting"):
            end_reading()


def test_an_event_written_by_a_read_of_the_trail_in_an_all_or_nothing_part_that_failed_is_written_again(app):
    """The read wrote the events waiting from before the part inside its savepoint; undoing the part undid that
    writing too, but the events were recorded outside it and must not be lost."""
    with app.app_context(), transaction():
        record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="before the part")
        with pytest.raises(RuntimeError):
            with all_or_nothing():
                record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="inside the part")
                db.session.scalar(select(func.count()).select_from(AuditEvent))
                raise RuntimeError("part way")
        record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="after the part")

    with app.app_context():
        assert db.session.scalars(select(AuditEvent.object_id).order_by(AuditEvent.id)).all() == [
            "before the part",
            "after the part",
        ]
        assert verify_chain() == (2, None)


def test_recording_an_audit_event_in_reading_only_work_is_refused_at_once(app):
    """Its rollback would otherwise drop the event unseen: work that may only read records nothing."""
    with app.app_context():
        with pytest.raises(RuntimeError, match="may only read"):
            with reading_only():
                record_event(AuditAction.CASE_VIEWED, object_type="case", object_id="read")
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
