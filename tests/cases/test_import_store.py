"""The import's writes: exactly the valid rows, the same records as the web journey, all or nothing."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import JSON, func, inspect, select, text, type_coerce

from access import store as access_store
from access.audit import AuditAction
from access.models import Agency, AuditEvent, Role, User
from cases import imports as import_store
from cases import journey
from cases import store as cases_store
from cases.models import Case, Person, PersonMatchKey, Referral, ReferralState, match_record
from extensions import db
from risk.criteria import evaluate
from risk.imports.checking import detect_mapping, validate
from risk.imports.files import read_table
from risk.imports.models import ImportBatch, ImportStatus
from risk.in_force import current_ruleset
from risk.instruments import get_pack
from risk.matching import find_matches
from risk.models import Assessment, AssessmentStatus, Decision
from risk.scoring import score
from tests.risk.import_fixtures import csv_bytes

TODAY = date.today()
ASSESSED = TODAY - timedelta(days=2)
HEADINGS = ["Forename", "Surname", "Date of birth", "Postcode", "Date of assessment"] + [f"Q{n}" for n in range(1, 25)]
DATA_TABLES = (
    "person",
    "marac_case",
    "assessment",
    "eligibility_decision",
    "referral",
    "case_party",
    "incident",
    "import_batch",
)


def uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def dash_row(given, family, born, yes, postcode="LS1 4AB", assessed=ASSESSED, answers=None) -> list[str]:
    """A DASH row answering yes to the first `yes` questions and no to the rest."""
    answers = answers or ["Yes" if number <= yes else "N" for number in range(1, 25)]
    return [given, family, uk(born), postcode, uk(assessed), *answers]


def dash_csv(rows) -> bytes:
    return csv_bytes([HEADINGS, *rows])


def table_counts(app) -> dict[str, int]:
    """Rows in every table of the database."""
    with app.app_context():
        names = inspect(db.engine).get_table_names()
        return {name: db.session.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in names}  # noqa: S608 (names from the schema)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def report_for(data: bytes, tool="dash-ric"):
    pack = get_pack(tool)
    frame = read_table(data, "export.csv")
    mapping = detect_mapping(pack, list(frame.columns))
    return mapping, validate(frame, pack, mapping, today=TODAY)


@pytest.fixture
def importer(app, make_user):
    user_id, _ = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    return user_id


def run_import(app, user_id, data, *, existing=None, refer=False, leave_out=()):
    with app.app_context():
        user = db.session.get(User, user_id)
        mapping, report = report_for(data)
        batch = import_store.create_batch(
            token=None,
            agency_id=user.agency_id,
            tool_id="dash-ric",
            filename_shown="export.csv",
            mapping=mapping,
            user=user,
        )
        db.session.commit()
        chosen = {row: db.session.get(Person, person_id) for row, person_id in (existing or {}).items()}
        rows = [row for row in report.rows if row.row not in leave_out]
        try:
            outcome = import_store.commit_import(batch, rows, chosen, user=user, refer_eligible=refer, today=TODAY)
        finally:
            db.session.commit()  # the caller's one commit, as a request's or a command's
        return batch.id, outcome


def add_person(app, given, family, born, postcode=None) -> str:
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.name == "Riverside Police"))
        person = cases_store.create_person(
            given_name=given, family_name=family, date_of_birth=born, postcode=postcode, agency_id=agency.id
        )
        db.session.commit()
        return person.id


MIXED_FILE = [
    dash_row("Amy", "Brown", date(1990, 5, 1), 15),
    dash_row("Beth", "Clarke", date(1985, 2, 3), 3),
    dash_row("Cara", "Davies", date(1979, 8, 9), 2, answers=["maybe"] + ["N"] * 23),
    dash_row("Amy", "Brown", date(1990, 5, 1), 15),
]


def test_imports_exactly_the_valid_rows_as_the_web_journey_records_them(app, importer):
    before = table_counts(app)

    batch_id, outcome = run_import(app, importer, dash_csv(MIXED_FILE))

    after = table_counts(app)
    # Row 4 (Cara) has a bad answer and row 5 repeats row 2: two rows are imported.
    assert outcome.imported == 2
    for table in ("person", "marac_case", "assessment", "eligibility_decision", "import_batch"):
        assert after[table] - before[table] == (1 if table == "import_batch" else 2), table
    assert after["referral"] == before["referral"]
    with app.app_context():
        user = db.session.get(User, importer)
        assessments = {a.case_id: a for a in db.session.scalars(select(Assessment))}
        for case in db.session.scalars(select(Case)):
            assessment = assessments[case.id]
            result = score(get_pack("dash-ric"), assessment.answers)
            assert assessment.status is AssessmentStatus.COMPLETE
            assert assessment.result == result
            stored = select(type_coerce(Assessment.result, JSON)).where(Assessment.id == assessment.id)
            assert db.session.scalar(stored) == result.to_stored()
            assert (assessment.assessor_id, assessment.agency_id, assessment.assessed_on) == (
                user.id,
                user.agency_id,
                ASSESSED,
            )
            assert case.created_by_agency_id == user.agency_id and case.victim.created_by_agency_id == user.agency_id
            decision = db.session.scalar(select(Decision).where(Decision.case_id == case.id))
            expected = evaluate(cases_store.case_facts(case, TODAY), current_ruleset())
            assert decision.eligible == expected.eligible
            assert decision.criteria == [criterion.code for criterion in expected.criteria]
            assert (decision.tier, decision.tier_source, decision.routes) == (
                int(expected.tier),
                expected.tier_source,
                list(expected.routes),
            )
        scores = sorted(a.result.score for a in assessments.values())
        assert scores == [3, 15]
        batch = db.session.get(ImportBatch, batch_id)
        assert (batch.status, batch.rows_imported) == (ImportStatus.IMPORTED, 2)
    assert audit_actions(app)[-1] == "import-committed"


def test_eligible_rows_go_to_the_referral_queue_only_when_asked(app, importer):
    run_import(app, importer, dash_csv(MIXED_FILE), refer=True)

    with app.app_context():
        referrals = list(db.session.scalars(select(Referral)))
        assert len(referrals) == 1  # only Amy (15 yes answers) meets the criteria
        referral = referrals[0]
        assert referral.case.victim.given_name == "Amy"
        assert referral.state is ReferralState.RECEIVED
        assert (referral.victim_informed, referral.consent_given) == (False, False)
        assert referral.no_consent_reason == import_store.IMPORTED_REFERRAL_NOTE
        decision = db.session.get(Decision, referral.decision_id)
        assert decision.case_id == referral.case_id and decision.eligible
        assert referral.criteria == decision.criteria
        assert referral.case.repeat_watch_ends is not None


def test_a_chosen_known_person_is_only_proposed_for_the_coordinator_to_confirm(app, importer):
    known = add_person(app, "Amy", "Browne", date(1990, 1, 5), "LS1 4AB")
    with app.app_context():
        victim, agency = db.session.get(Person, known), db.session.scalar(select(Agency.id))
        her_case = cases_store.create_case(victim=victim, marac_area="Riverside", agency_id=agency).id
        db.session.commit()
    people_before = count(app, Person)

    _, outcome = run_import(
        app, importer, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]), existing={2: known}
    )

    assert outcome.links_proposed == 1
    assert count(app, Person) == people_before + 1
    with app.app_context():
        [case] = db.session.scalars(select(Case).where(Case.id != her_case))
        assert case.proposed_victim_id == known and case.victim_id != known
        assert (case.victim.family_name, case.victim.date_of_birth) == ("Brown", date(1990, 5, 1))
        assert db.session.scalar(select(func.count()).where(PersonMatchKey.person_id == case.victim_id)) > 0
        proposed = db.session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == AuditAction.PERSON_LINK_PROPOSED.value)
        )
        assert sorted(proposed) == sorted([case.id, her_case])  # under her cases too, as the referral form does


def test_a_failure_at_any_row_leaves_nothing_and_marks_the_batch_failed(app, importer, monkeypatch):
    rows = [dash_row(f"Name{n}", "Smith", date(1980, 1, 1) + timedelta(days=n), 2) for n in range(2500)]
    data = dash_csv(rows)
    real = import_store.records_for
    calls = []

    def fail_at_row_2100(row, existing, context, reference):
        calls.append(row.row)
        if len(calls) == 2100:
            raise RuntimeError("disk full")
        return real(row, existing, context, reference)

    monkeypatch.setattr(import_store, "records_for", fail_at_row_2100)
    before = table_counts(app)

    with pytest.raises(import_store.ImportFailed, match="nothing was imported"):
        run_import(app, importer, data)

    after = table_counts(app)
    assert len(calls) == 2100  # two chunks of 1,000 rows were already written and flushed
    assert {table: after[table] - before[table] for table in after if after[table] != before[table]} == {
        "import_batch": 1,
        "audit_event": 1,
    }
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert (batch.status, batch.rows_imported) == (ImportStatus.FAILED, 0)
    assert audit_actions(app)[-1] == "import-failed"


def test_a_failure_in_the_database_insert_also_rolls_everything_back(app, importer, monkeypatch):
    rows = [dash_row(f"Name{n}", "Jones", date(1980, 1, 1) + timedelta(days=n), 2) for n in range(1500)]
    real = import_store.insert_records
    calls = []

    def fail_second_insert(records):
        calls.append(len(records))
        if len(calls) == 2:
            raise RuntimeError("constraint")
        real(records)

    monkeypatch.setattr(import_store, "insert_records", fail_second_insert)

    with pytest.raises(import_store.ImportFailed):
        run_import(app, importer, dash_csv(rows))

    assert calls == [1000, 500]
    for model in (Person, Case, Assessment, Decision, Referral):
        assert count(app, model) == 0


def test_suggestions_by_blocks_are_the_same_as_comparing_every_person(app, importer):
    people = [
        ("Amy", "Brown", date(1990, 5, 1), "LS1 4AB"),
        ("Amie", "Browne", date(1990, 5, 1), None),
        ("Beth", "Clarke", date(1985, 2, 3), "M1 1AA"),
        ("Clarke", "Beth", date(1985, 2, 3), None),
        ("Dana", "Evans", date(1970, 3, 4), "CF1 2AB"),
        ("Dana", "Morgan", date(1970, 3, 4), "CF1 2AB"),
        ("Zofia", "Nowak", date(2000, 1, 1), None),
    ]
    for person in people:
        add_person(app, *person)
    rows = [dash_row(g, f, b, 1, postcode=p or "") for g, f, b, p in people] + [
        dash_row("Tom", "Wright", date(1960, 6, 6), 1)
    ]
    _, report = report_for(dash_csv(rows))

    with app.app_context():
        blocked = import_store.suggest_matches(report.rows)
        everyone = [match_record(person) for person in db.session.scalars(select(Person))]
        for row in report.rows:
            candidate = journey.candidate_record(
                f"row-{row.row}", row.given_name, row.family_name, row.date_of_birth, row.postcode
            )
            every = find_matches(candidate, everyone)
            assert [p.id for p, _ in blocked.get(row.row, [])] == [
                match.person_id for match in every[: import_store.SUGGESTIONS_PER_ROW]
            ], row.row

    assert 2 in blocked and 9 not in blocked  # Amy Brown is known; Tom Wright is not


def test_saved_mapping_is_one_per_agency_and_tool_and_is_replaced(app, importer):
    with app.app_context():
        user = db.session.get(User, importer)
        mapping, _ = report_for(dash_csv(MIXED_FILE))
        import_store.save_mapping(user.agency_id, "dash-ric", mapping, user=user)
        changed = type(mapping)(items={**mapping.items, "Postcode": "q24"}, identity=mapping.identity)
        import_store.save_mapping(user.agency_id, "dash-ric", changed, user=user)
        db.session.commit()

        assert import_store.get_saved_mapping(user.agency_id, "dash-ric") == changed
        assert import_store.get_saved_mapping(user.agency_id, "s-dash") is None
    assert audit_actions(app)[-2:] == ["import-mapping-saved", "import-mapping-saved"]


def test_only_the_uploader_or_a_coordinator_sees_a_batch(app, importer, make_user):
    other_id, _ = make_user(email="other-rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    coordinator_id, _ = make_user(email="coord@example.org", role=Role.COORDINATOR, agency="Riverside IDVA")
    with app.app_context():
        user = db.session.get(User, importer)
        mapping, _ = report_for(dash_csv(MIXED_FILE))
        batch = import_store.create_batch(
            token=None, agency_id=user.agency_id, tool_id="dash-ric", filename_shown="x.csv", mapping=mapping, user=user
        )
        db.session.commit()

        assert import_store.get_batch_for(user, batch.id) is batch
        assert import_store.get_batch_for(db.session.get(User, coordinator_id), batch.id) is batch
        assert import_store.get_batch_for(db.session.get(User, other_id), batch.id) is None


def test_the_command_line_importer_is_the_agency_rep_else_the_first_coordinator(app, make_user, make_agency):
    make_agency("Riverside Housing")
    first, _ = make_user(email="coord1@example.org", role=Role.COORDINATOR, agency="Riverside IDVA")
    make_user(email="coord2@example.org", role=Role.COORDINATOR, agency="Riverside IDVA")
    rep, _ = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    with app.app_context():
        police = access_store.get_agency_by_name("Riverside Police")
        housing = access_store.get_agency_by_name("Riverside Housing")
        assert import_store.command_line_importer(police).id == rep
        assert import_store.command_line_importer(housing).id == first
        for user in db.session.scalars(select(User).where(User.role == Role.COORDINATOR)):
            user.active = False
        assert import_store.command_line_importer(housing) is None


def test_a_failure_in_the_final_step_after_every_row_is_written_leaves_nothing(app, importer, monkeypatch):
    """SECURITY F5: the last thing the import does is audit its success; failing there, with every
    table already written, still undoes every row."""
    rows = [dash_row(f"Name{n}", "Hughes", date(1980, 1, 1) + timedelta(days=n), 15) for n in range(1200)]
    real = import_store.record_event
    written = []

    def fail_when_committing(action, **details):
        if action.value == "import-committed":
            written.append(count_in_transaction(Assessment))
            raise RuntimeError("audit store unavailable")
        return real(action, **details)

    monkeypatch.setattr(import_store, "record_event", fail_when_committing)
    before = table_counts(app)

    with pytest.raises(import_store.ImportFailed):
        run_import(app, importer, dash_csv(rows), refer=True)

    assert written == [1200]  # every row was in the database when the final step failed
    after = table_counts(app)
    assert {table: after[table] - before[table] for table in after if after[table] != before[table]} == {
        "import_batch": 1,
        "audit_event": 1,
    }
    assert audit_actions(app)[-1] == "import-failed"


def test_a_failure_part_way_through_a_chunks_tables_leaves_nothing(app, importer, monkeypatch):
    """SECURITY F5: the second chunk's people and cases are written, then its assessments fail."""
    rows = [dash_row(f"Name{n}", "Patel", date(1980, 1, 1) + timedelta(days=n), 15) for n in range(1500)]
    real = import_store.insert_tables
    chunks = []

    def fail_at_second_chunks_assessments(tables):
        chunks.append(len(tables))
        if len(chunks) == 2:
            real(tables[:2])
            raise RuntimeError("constraint")
        real(tables)

    monkeypatch.setattr(import_store, "insert_tables", fail_at_second_chunks_assessments)

    with pytest.raises(import_store.ImportFailed):
        run_import(app, importer, dash_csv(rows), refer=True)

    assert len(chunks) == 2
    for model in (Person, Case, Assessment, Decision, Referral):
        assert count(app, model) == 0


def count_in_transaction(model) -> int:
    """Rows the open transaction sees, for a check made inside the import."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_rows_sharing_a_decision_store_what_evaluating_each_row_alone_gives(app, importer):
    """An import stores each distinct decision's columns once and shares them between the rows with that
    decision: every row's stored decision, case and referral must still be exactly its own evaluation's.
    The rows mix what a decision turns on (score, age, how old the assessment is) with repeats of each."""
    born = {
        "adult": date(1985, 3, 4),
        "seventeen": TODAY - timedelta(days=17 * 366),
        "fifteen": date(TODAY.year - 15, 1, 1),
    }
    assessed = {"recent": ASSESSED, "older": TODAY - timedelta(days=20), "stale": TODAY - timedelta(days=200)}
    rows = [
        dash_row(f"Name{number}", "Okafor", born[age], yes, assessed=assessed[when])
        for number, (yes, age, when) in enumerate(
            (yes, age, when) for yes in (0, 9, 13, 14, 24) for age in born for when in assessed for _ in range(2)
        )
    ]

    _, outcome = run_import(app, importer, dash_csv(rows), refer=True)

    assert outcome.imported == len(rows)
    with app.app_context():
        stored_columns = ("ruleset", "eligible", "criteria", "tier", "tier_source", "prompts", "routes", "evidence")
        decisions = set()
        for case in db.session.scalars(select(Case)):
            facts = cases_store.case_facts(case, TODAY)
            expected = evaluate(facts, current_ruleset())  # its evidence points at the case's own assessment
            decision = db.session.scalar(select(Decision).where(Decision.case_id == case.id))
            record = expected.to_record()
            assert {column: getattr(decision, column) for column in stored_columns} == {
                column: record[column] for column in stored_columns
            }
            assert decision.unverified == record["unverified"]
            referral = db.session.scalar(select(Referral).where(Referral.case_id == case.id))
            assert (referral is not None) == expected.eligible
            assert case.repeat_watch_ends == expected.repeat_watch_ends
            if referral:
                assert (referral.criteria, referral.decision_id) == (record["criteria"], decision.id)
            without_refs = replace(facts, assessments=tuple(replace(item, ref=None) for item in facts.assessments))
            decisions.add(str(evaluate(without_refs, current_ruleset()).to_record()))
        assert 10 < len(decisions) < len(rows)  # both many decisions and rows sharing them, but for the refs
    assert outcome.eligible == count(app, Referral) > 0
