"""Find a case by name at a force's size (issue 20): the few cases of the victims the name matched are found first
and then sorted, rather than every case walked newest first until a page of them turns up."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, text, true

from cases.models import Case, Person
from extensions import db
from meetings import store
from meetings.finding import start_of
from tests.sql_statements import query_plan, statements_with_parameters_run

CASES = 6000
NAMED = 200


@pytest.fixture
def many_cases(app, make_agency):
    """CASES cases opened one an hour, each with her own victim; returns the victims of the NAMED oldest."""
    agency_id = make_agency()
    first = datetime.now(UTC) - timedelta(hours=CASES)
    with app.app_context():
        db.session.execute(
            insert(Person.__table__),
            [
                {
                    "id": f"victim-{number:06d}",
                    "given_name": f"Given{number}",
                    "family_name": "Filler",
                    "aliases": [],
                    "date_of_birth": date(1970, 1, 1) + timedelta(days=number % 9000),
                    "date_of_birth_variants": [],
                    "interpreter_needed": False,
                    "created_by_agency_id": agency_id,
                    "created_at": first,
                }
                for number in range(CASES)
            ],
        )
        db.session.execute(
            insert(Case.__table__),
            [
                {
                    "id": f"case-{number:06d}",
                    "reference": f"RV-2025-{number:06d}",
                    "victim_id": f"victim-{number:06d}",
                    "marac_area": "Riverside",
                    "status": "open",
                    "created_by_agency_id": agency_id,
                    "created_at": first + timedelta(hours=number),
                    "version_id": 1,
                }
                for number in range(CASES)
            ],
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return [f"victim-{number:06d}" for number in range(NAMED)]


def test_a_name_search_finds_its_few_cases_first_and_sorts_them_not_walking_every_case_newest_first(app, many_cases):
    """The victims a name matches are a few hundred at most; when their cases are old, walking the cases newest first
    read nearly all of a force's 120,000 to fill a page (57 ms of a search). Asked for them by victim, the database
    reads their cases through the victim index and sorts those few."""
    query = store.CaseQuery(victim_ids=tuple(many_cases))
    today = date.today()
    with app.app_context(), statements_with_parameters_run(app) as statements:
        rows = store.page_of_found_cases(
            query, visible=true(), hidden=set(), today=today, since=start_of(today), offset=0, limit=25
        )
    page_ids = [(sql, parameters) for sql, parameters in statements if re.search(r"ORDER BY .*LIMIT", sql, re.S)]

    assert [row.case_id for row in rows] == [f"case-{number:06d}" for number in range(NAMED - 1, NAMED - 26, -1)]
    assert page_ids
    assert [sql for sql, parameters in page_ids if "ix_marac_case_created_at" in query_plan(app, sql, parameters)] == []
