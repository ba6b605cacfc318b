"""Matching at any size (issue 20): candidates come from indexed blocking keys in the database, so the
newest person is found however many are stored, and a person whose keys were never written is not."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select, text

from access.models import Role
from cases import imports as import_store
from cases import journey
from cases import retention as cases_retention
from cases import store as cases_store
from cases.models import Person, PersonMatchKey, match_keys
from extensions import db
from risk.imports.checking import detect_mapping, validate
from risk.imports.files import read_table
from risk.instruments import get_pack
from risk.matching import PersonRecord, blocking_keys
from tests.cases.test_import_store import dash_csv, dash_row, run_import

MORE_THAN_THE_OLD_CAP = 20_001
NEWEST = ("Newest", "Arrival", date(1991, 7, 14), "LS1 4AB")


def stored_long_ago(count: int, agency_id: int) -> None:
    """`count` people added a year ago, in one bulk insert (the ORM's per-row work is not needed)."""
    long_ago = datetime.now(UTC) - timedelta(days=365)
    db.session.execute(
        insert(Person.__table__),
        [
            {
                "id": f"old-{number:06d}",
                "given_name": f"Older{number}",
                "family_name": "Filler",
                "aliases": [],
                "date_of_birth": date(1970, 1, 1) + timedelta(days=number % 9000),
                "date_of_birth_variants": [],
                "postcode": None,
                "interpreter_needed": False,
                "created_by_agency_id": agency_id,
                "created_at": long_ago,
            }
            for number in range(count)
        ],
    )


@pytest.fixture
def crowded(app, make_agency):
    """More people than the old capped list read, then one more added just now, as a case's victim."""
    agency_id = make_agency()
    with app.app_context():
        stored_long_ago(MORE_THAN_THE_OLD_CAP, agency_id)
        given, family, born, postcode = NEWEST
        person = cases_store.create_person(
            given_name=given, family_name=family, date_of_birth=born, postcode=postcode, agency_id=agency_id
        )
        cases_store.create_case(victim=person, marac_area="Riverside", agency_id=agency_id)
        db.session.commit()
        return person.id


def test_the_person_added_last_is_found_by_an_exact_name_search_after_a_large_import(app, crowded):
    given, family, born, postcode = NEWEST
    with app.app_context():
        suggested = journey.suggest_people(given, family, born, postcode)
        named = journey.victims_named_like(f"{given} {family}")

    assert [person.id for person, _ in suggested][:1] == [crowded]
    assert named == [crowded]


def test_the_import_suggests_the_person_added_last(app, crowded):
    given, family, born, postcode = NEWEST
    pack = get_pack("dash-ric")
    frame = read_table(dash_csv([dash_row(given, family, born, 1, postcode=postcode)]), "file.csv")
    with app.app_context():
        report = validate(frame, pack, detect_mapping(pack, list(frame.columns)), today=date.today())
        suggestions = import_store.suggest_matches(report.rows)

    assert [person.id for person, _ in suggestions[2]] == [crowded]


def test_candidates_come_from_the_stored_keys_so_a_person_without_keys_is_not_found(app, make_agency):
    """Proves the search reads the key index, not a list of everyone: the same person is found once her keys
    are written, and not before (a bulk insert writes none by itself)."""
    agency_id = make_agency()
    with app.app_context():
        stored_long_ago(1, agency_id)
        sought = ("Older0", "Filler", date(1970, 1, 1), None)

        assert journey.suggest_people(*sought) == []
        assert import_store.suggest_matches([]) == {}

        cases_store.add_match_keys([("old-000000", match_keys(db.session.get(Person, "old-000000")))])

        assert [person.id for person, _ in journey.suggest_people(*sought)] == ["old-000000"]


def keys_of(person_id: str) -> set[str]:
    return set(db.session.scalars(select(PersonMatchKey.key).where(PersonMatchKey.person_id == person_id)))


@pytest.fixture
def jane(app, make_agency):
    agency_id = make_agency()
    with app.app_context():
        person = cases_store.create_person(
            given_name="Jane",
            family_name="Smith",
            date_of_birth=date(1990, 5, 1),
            postcode="SW1A 1AA",
            agency_id=agency_id,
        )
        db.session.commit()
        return person.id


def test_keys_are_written_when_a_person_is_added(app, jane):
    with app.app_context():
        assert keys_of(jane) == blocking_keys(PersonRecord(jane, ("Jane Smith",), ("1990-05-01",), ("SW1A 1AA",)))


@pytest.mark.parametrize(
    "change, found_by",
    [
        ({"family_name": "Brown"}, "Jane Brown"),
        ({"aliases": ["Jane Brown"]}, "Jane Brown"),
        ({"given_name": "Janet"}, "Janet Smith"),
    ],
    ids=["new-surname", "alias", "given-name"],
)
def test_keys_follow_a_change_of_name_or_alias(app, jane, change, found_by):
    with app.app_context():
        person = db.session.get(Person, jane)
        for name, value in change.items():
            setattr(person, name, value)
        db.session.commit()

        assert keys_of(jane) == match_keys(person)
        given, family = found_by.split()
        assert [found.id for found, _ in journey.suggest_people(given, family, None, None)] == [jane]


def test_keys_follow_a_change_of_date_of_birth_and_postcode(app, jane):
    with app.app_context():
        person = db.session.get(Person, jane)
        before = keys_of(jane)
        person.date_of_birth, person.postcode = date(1985, 2, 3), "M1 1AE"
        db.session.commit()

        assert "d|1990-01-05" in before and "d|1985-02-03" in keys_of(jane) and "d|1990-01-05" not in keys_of(jane)
        assert "p|M1" in keys_of(jane) and "p|SW1A" not in keys_of(jane)
        assert [found.id for found, _ in journey.suggest_people("Jane", "Smith", date(1985, 3, 2), None)] == [jane]
        assert journey.suggest_people("Jane", "Smith", date(1990, 5, 1), "SW1A 1AA") == []


def test_D5_anonymising_a_person_removes_her_keys(app, jane):
    with app.app_context():
        cases_retention.clear_people([jane])
        db.session.commit()

        assert keys_of(jane) == set()
        assert journey.suggest_people("Jane", "Smith", date(1990, 5, 1), "SW1A 1AA") == []


def test_a_woman_brought_in_by_a_bulk_import_is_found_by_the_next_search(app, make_user):
    # The import writes people by COPY or executemany, past the listener that keeps keys for people saved
    # one at a time: without the keys it writes itself, she would be stored but never found again.
    user_id, _ = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    given, family, born, postcode = NEWEST
    run_import(app, user_id, dash_csv([dash_row(given, family, born, 1, postcode=postcode)]))

    with app.app_context():
        imported = db.session.scalar(select(Person.id).where(Person.family_name == family))
        stored_keys = set(db.session.scalars(select(PersonMatchKey.key).where(PersonMatchKey.person_id == imported)))
        suggested = journey.suggest_people(given, family, born, postcode)
        expected = match_keys(db.session.get(Person, imported))

    assert stored_keys == expected and stored_keys
    assert [person.id for person, _ in suggested][:1] == [imported]


def statements_reading_people(app, search) -> list[tuple[str, object]]:
    """Each statement (with its parameters) that reads the person table while `search` runs."""
    seen = []

    def keep(_connection, _cursor, statement, parameters, *_):
        if re.search(r"\bFROM person\b", statement):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        with app.app_context():
            search()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return seen


def plan_of(statement: str, parameters) -> str:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
    return "\n".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))


def reads_every_person(plan: str) -> bool:
    return bool(re.search(r"Seq Scan on person\b|^SCAN person\b", plan, re.MULTILINE))


@pytest.fixture
def many_keys(app, crowded):
    """The fillers hold keys as people do: a few thousand different keys, each shared by a handful, so the
    planner's guess of how many people share a searched key is that handful, for every key searched."""
    with app.app_context():
        keys = [
            {"key": f"e|{date(1970, 1, 1) + timedelta(days=number % 2000)}|o", "person_id": f"old-{number:06d}"}
            for number in range(MORE_THAN_THE_OLD_CAP)
        ]
        db.session.execute(insert(PersonMatchKey.__table__), keys)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return crowded


@pytest.mark.parametrize(
    "search",
    [
        lambda: journey.suggest_people(*NEWEST),
        lambda: journey.victims_named_like(" ".join(NEWEST[:2])),
        lambda: journey.suggestions_for_each([journey.candidate_record("row-2", *NEWEST)]),  # an import's
    ],
    ids=["suggest-people", "victims-named-like", "suggestions-for-each"],
)
def test_a_search_reads_the_people_sharing_its_keys_by_their_id_not_every_person(app, many_keys, search):
    """The people who share a key are read through person's primary key. Asked in one statement (people whose id
    is among those holding a key), PostgreSQL guessed thousands share the hundred keys searched and read every
    person stored to find them: a search took longer the more people were held (70 ms of 95 at a million)."""
    statements = statements_reading_people(app, search)

    with app.app_context():
        plans = [plan_of(statement, parameters) for statement, parameters in statements]
    assert plans
    assert [plan for plan in plans if reads_every_person(plan)] == []
