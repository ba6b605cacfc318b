"""The facts a request keeps for the policy (access.request_memo): read once while nothing is written, forgotten
at any write but the audit trail's, at the end of the transaction and of the request, and never kept outside one."""

from datetime import UTC, datetime

from access.audit import AuditAction, record_event
from access.models import Role, User
from access.request_memo import remembered
from cases import store as cases_store
from cases.models import ExcludedPerson
from extensions import db
from tests.meetings.factories import seed_meeting


class Reader:
    """Counts how often the fact is read."""

    def __init__(self):
        self.reads = 0

    def __call__(self) -> int:
        self.reads += 1
        return self.reads


def test_a_fact_is_read_once_in_a_request(app):
    read = Reader()
    with app.test_request_context():
        answers = [remembered("fact", read), remembered("fact", read)]

    assert (answers, read.reads) == ([1, 1], 1)


def test_outside_a_request_a_fact_is_read_every_time(app):
    read = Reader()
    with app.app_context():
        answers = [remembered("fact", read), remembered("fact", read)]

    assert answers == [1, 2]


def test_the_next_request_reads_again_even_in_the_same_application_context(app):
    read = Reader()
    with app.app_context():
        with app.test_request_context():
            remembered("fact", read)
        with app.test_request_context():
            remembered("fact", read)

    assert read.reads == 2


def test_a_write_forgets_what_the_request_read(app, make_user):
    user_id, _ = make_user(email="writer@example.org", role=Role.COORDINATOR)
    read = Reader()
    with app.test_request_context():
        remembered("fact", read)
        db.session.get(User, user_id).name = "Renamed Writer"
        db.session.flush()
        remembered("fact", read)
        db.session.rollback()

    assert read.reads == 2


def test_writing_the_audit_trail_alone_forgets_nothing(app, make_user):
    """Every page records what it showed between its questions; the record changes no fact a rule reads."""
    user_id, _ = make_user(email="viewer@example.org", role=Role.COORDINATOR)
    read = Reader()
    with app.test_request_context():
        remembered("fact", read)
        record_event(AuditAction.CASE_VIEWED, user=db.session.get(User, user_id), object_type="case", object_id="x")
        remembered("fact", read)
        db.session.commit()
        remembered("fact", read)

    assert read.reads == 2, "read once before the commit, and again after it"


def test_a_name_added_to_an_exclusion_list_counts_at_once_in_the_same_request(app, make_user):
    """The safety that matters: a page that adds a name, then asks, is answered from the list as it now is."""
    seeded = seed_meeting(app, cases=1)
    user_id, _ = make_user(email="pat.named@example.org", role=Role.PRACTITIONER)
    case_id = seeded.case_ids[0]
    with app.test_request_context():
        user = db.session.get(User, user_id)
        before = cases_store.cases_excluding(user, [case_id])
        db.session.add(
            ExcludedPerson(
                case_id=case_id, name=user.name, recorded_by_id=seeded.referrer_id, recorded_at=datetime.now(UTC)
            )
        )
        db.session.flush()
        after = cases_store.cases_excluding(user, [case_id])
        db.session.rollback()

    assert (before, after) == (set(), {case_id})
