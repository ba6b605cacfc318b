"""Who saw what (SECURITY L8): the auditor's and administrator's reports on the audit trail, "who viewed
this case" and "what did this user view, and when", on screen and as CSV, each run itself audited."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from access import store as access_store
from access.audit import AuditAction
from access.models import AuditEvent, Role, User
from cases.models import Case, ExcludedPerson
from extensions import db
from reports import audit_reports
from reports.audit_reports import Period
from tests.access.test_break_glass import REASON
from tests.cases.test_journey import start_case
from tests.conftest import ON_POSTGRES, give_session
from tests.test_need_to_know import signed_in

BEFORE = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
DURING = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def reference_of(app, case_id: str) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).reference


def audit_actions(app, action: str) -> list[tuple]:
    with app.app_context():
        query = select(AuditEvent.user_id, AuditEvent.object_type, AuditEvent.object_id).where(
            AuditEvent.action == action
        )
        return [tuple(row) for row in db.session.execute(query)]


@pytest.fixture
def seen_case(app, make_user):
    """A case opened by the IDVA service and looked at by a coordinator and a chair; a health
    practitioner its exclusion list names was refused break-glass; another case was opened too."""
    with time_machine.travel(BEFORE, tick=False):
        idva = signed_in(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "idva@example.org", "Ida Vale")
        other_case = start_case(idva, "Other", "Person")
        idva.get(idva.url("cases.view_case", case_id=other_case))
    with time_machine.travel(DURING, tick=False):
        give_session(app, idva, idva.user_id)
        case_id = start_case(idva)
        idva.get(idva.url("cases.view_case", case_id=case_id))
        coordinator = signed_in(
            app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coord@example.org", "Cora Ordinate"
        )
        chair = signed_in(app, make_user, Role.CHAIR, "Riverside Police", "chair@example.org", "Charlie Chair")
        health = signed_in(
            app, make_user, Role.PRACTITIONER, "Riverside Hospitals NHS Trust", "lee@example.org", "Lee Grant"
        )
        with app.app_context():
            db.session.add(ExcludedPerson(case_id=case_id, name="Lee Grant", note=None, recorded_by_id=idva.user_id))
            db.session.commit()
        assert coordinator.get(coordinator.url("cases.view_case", case_id=case_id)).status_code == 200
        assert chair.get(chair.url("cases.view_case", case_id=case_id)).status_code == 200
        assert health.post(health.url("cases.break_glass", case_id=case_id), data={"reason": REASON}).status_code == 404
    return {
        "case": case_id,
        "reference": reference_of(app, case_id),
        "other_reference": reference_of(app, other_case),
        "idva": idva.user_id,
        "coordinator": coordinator.user_id,
        "chair": chair.user_id,
        "health": health.user_id,
    }


@pytest.fixture
def auditor(app, make_user):
    return signed_in(app, make_user, Role.AUDITOR, "Riverside Council", "auditor@example.org", "Audrey Auditor")


def table_rows(page: str) -> list[str]:
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0] if "<tbody" in page else ""
    return [row for row in body.split("<tr")[1:]]


def cells_of(row: str) -> list[str]:
    """The text each cell shows, less what only a screen reader reads."""
    shown = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", row)
    return [re.sub(r"<[^>]+>", "", cell.split("<td", 1)[1].split(">", 1)[1]) for cell in shown.split("</td>")[:-1]]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_L8_who_viewed_a_case_lists_each_viewer_with_agency_role_action_and_ip_and_not_other_cases(
    app, seen_case, auditor
):
    response = auditor.get(auditor.url("reports.view_case_audit", case=seen_case["reference"]))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name, agency, role in [
        ("Ida Vale", "Riverside IDVA Service", "Practitioner"),
        ("Cora Ordinate", "Riverside IDVA Service", "MARAC coordinator"),
        ("Charlie Chair", "Riverside Police", "Chair"),
        ("Lee Grant", "Riverside Hospitals NHS Trust", "Practitioner"),
    ]:
        assert name in page and agency in page and role in page
    assert "Opened the case" in page
    assert "Refused: asked to open the case outside their work (break-glass)" in page
    assert "127.0.0.1" in page
    assert "case-viewed" not in page  # words, never the code
    rows = table_rows(page)
    assert len(rows) == 5  # created, three views, one refusal; nothing from the other case
    assert "Refused" in rows[0] and "Created the case" in rows[-1]  # newest first
    assert seen_case["other_reference"] not in page


def test_L8_the_case_report_can_be_found_by_case_id_and_is_filtered_by_dates(app, seen_case, auditor):
    by_id = auditor.get(auditor.url("reports.view_case_audit", case=seen_case["case"]))
    assert len(table_rows(by_id.get_data(as_text=True))) == 5

    before = auditor.get(auditor.url("reports.view_case_audit", case=seen_case["reference"], to="1/11/2026"))
    assert before.status_code == 200
    assert table_rows(before.get_data(as_text=True)) == []
    assert "No one" in before.get_data(as_text=True)


def test_L8_bad_input_says_what_to_fix_and_runs_nothing(app, seen_case, auditor):
    unknown = auditor.get(auditor.url("reports.view_case_audit", case="RIV-1999-9999"))
    bad_date = auditor.get(auditor.url("reports.view_case_audit", case=seen_case["reference"], **{"from": "31/2/2026"}))

    assert unknown.status_code == 400
    assert "No case has the reference RIV-1999-9999" in unknown.get_data(as_text=True)
    assert bad_date.status_code == 400
    assert "Enter the date as a real date" in bad_date.get_data(as_text=True)
    assert 'value="31/2/2026"' in bad_date.get_data(as_text=True)  # nothing typed is lost
    assert audit_actions(app, "audit-report-run") == []


def test_L8_what_a_user_viewed_lists_only_their_events_in_the_date_range_with_case_references(app, seen_case, auditor):
    everything = auditor.get(auditor.url("reports.view_user_audit", user="idva@example.org"))
    in_range = auditor.get(
        auditor.url("reports.view_user_audit", user="idva@example.org", **{"from": "19/11/2026", "to": "21/11/2026"})
    )

    all_page, range_page = everything.get_data(as_text=True), in_range.get_data(as_text=True)
    assert everything.status_code == 200 and in_range.status_code == 200
    assert seen_case["reference"] in all_page and seen_case["other_reference"] in all_page
    assert seen_case["reference"] in range_page and seen_case["other_reference"] not in range_page
    assert len(table_rows(range_page)) == 2  # created, opened
    assert len(table_rows(all_page)) == 4
    for someone_else in ("Cora Ordinate", "Charlie Chair", "Lee Grant"):
        assert someone_else not in all_page


def test_L8_the_csv_has_the_same_rows_as_the_page(app, seen_case, auditor):
    rows = csv_rows(auditor.get(auditor.url("reports.download_case_audit_csv", case=seen_case["reference"])))
    page = auditor.get(auditor.url("reports.view_case_audit", case=seen_case["reference"])).get_data(as_text=True)

    shown = [cells_of(row) for row in table_rows(page)]
    assert shown[0][1:5] == ["Audrey Auditor", "Riverside Council", "Auditor", "Downloaded a who-saw-what report"]
    assert [list(row.values()) for row in rows] == shown[1:]  # the page shows the download made just before it
    assert [row["Who"] for row in rows] == ["Lee Grant", "Charlie Chair", "Cora Ordinate", "Ida Vale", "Ida Vale"]
    assert rows[1]["What"] == "Opened the case" and rows[1]["Agency"] == "Riverside Police"
    assert list(rows[0]) == ["When", "Who", "Agency", "Role", "What", "IP address"]

    user_rows = csv_rows(auditor.get(auditor.url("reports.download_user_audit_csv", user="idva@example.org")))
    assert len(user_rows) == 4
    assert {row["Case"] for row in user_rows} == {seen_case["reference"], seen_case["other_reference"]}


def test_L8_each_run_and_each_csv_download_is_audited_under_the_case_or_user(app, seen_case, auditor):
    auditor.get(auditor.url("reports.view_case_audit", case=seen_case["reference"]))
    auditor.get(auditor.url("reports.download_case_audit_csv", case=seen_case["reference"]))
    auditor.get(auditor.url("reports.view_user_audit", user="idva@example.org"))
    auditor.get(auditor.url("reports.download_user_audit_csv", user="idva@example.org"))

    assert audit_actions(app, "audit-report-run") == [
        (auditor.user_id, "case", seen_case["case"]),
        (auditor.user_id, "user", str(seen_case["idva"])),
    ]
    assert audit_actions(app, "audit-report-downloaded") == [
        (auditor.user_id, "case", seen_case["case"]),
        (auditor.user_id, "user", str(seen_case["idva"])),
    ]
    # The next run shows the auditor's own look at the case.
    page = auditor.get(auditor.url("reports.view_case_audit", case=seen_case["reference"])).get_data(as_text=True)
    assert "Audrey Auditor" in page and "Ran a who-saw-what report" in page


def test_L8_the_administrator_may_run_the_reports(app, seen_case, make_user):
    admin = signed_in(app, make_user, Role.ADMIN, "Riverside Council", "admin@example.org", "Ada Admin")

    assert admin.get(admin.url("reports.view_case_audit", case=seen_case["reference"])).status_code == 200
    assert admin.get(admin.url("reports.view_user_audit", user="coord@example.org")).status_code == 200


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PRACTITIONER, Role.CHAIR, Role.AGENCY_REP])
def test_L8_case_workers_may_not_run_the_reports(app, seen_case, make_user, role):
    client = signed_in(app, make_user, role, "Riverside IDVA Service", f"other-{role.value}@example.org")
    urls = [
        client.url("reports.audit_reports"),
        client.url("reports.view_case_audit", case=seen_case["reference"]),
        client.url("reports.download_case_audit_csv", case=seen_case["reference"]),
        client.url("reports.view_user_audit", user="idva@example.org"),
        client.url("reports.download_user_audit_csv", user="idva@example.org"),
    ]

    for url in urls:
        assert client.get(url).status_code in (403, 404), url
    assert audit_actions(app, "audit-report-run") == []


def test_L8_the_auditor_sees_nothing_of_a_case(app, seen_case, auditor):
    for endpoint in ("cases.view_case", "cases.edit_safe_contact", "cases.break_glass"):
        assert auditor.get(auditor.url(endpoint, case_id=seen_case["case"])).status_code in (403, 404), endpoint
    home = auditor.get(auditor.url("meetings.home")).get_data(as_text=True)
    assert seen_case["reference"] not in home and "Jane" not in home
    assert auditor.get(auditor.url("meetings.find_cases")).status_code == 403
    assert auditor.get(auditor.url("meetings.list_referrals")).status_code == 403


def test_L8_every_audit_action_has_a_label(app):
    from meetings.labels import LABELS

    assert [action for action in AuditAction if str(action) not in LABELS] == []


def test_L8_the_auditor_role_can_be_given_by_the_administrator(app, make_user):
    admin = signed_in(app, make_user, Role.ADMIN, "Riverside Council", "admin@example.org", "Ada Admin")

    page = admin.get(admin.url("access.create_user")).get_data(as_text=True)

    assert 'value="auditor"' in page and "Auditor" in page


def test_L8_the_navigation_offers_the_reports_to_the_auditor_only_and_not_case_pages(app, auditor, make_user):
    page = auditor.get(auditor.url("meetings.home")).get_data(as_text=True)
    coordinator = signed_in(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "c2@example.org")
    coordinator_page = coordinator.get(coordinator.url("meetings.home")).get_data(as_text=True)

    assert auditor.url("reports.audit_reports") in page
    assert auditor.url("meetings.find_cases") not in page
    assert coordinator.url("reports.audit_reports") not in coordinator_page


def test_L8_both_report_queries_use_an_index(app, seen_case):
    with app.app_context():
        period = Period(DURING.date() - timedelta(days=30), DURING.date())
        connection = db.session.connection()
        if ON_POSTGRES:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a table this small would be read whole
        about_case = audit_reports.case_query(db.session.get(Case, seen_case["case"]), period)
        by_user = audit_reports.user_query(db.session.get(User, seen_case["idva"]), period)
        plans = {
            "case page": plan_of(connection, about_case),
            "case count": plan_of(connection, access_store.counted(about_case)),
            "user page": plan_of(connection, by_user),
            "user count": plan_of(connection, access_store.counted(by_user)),
        }
    for name, plan in plans.items():
        index = "ix_audit_event_object" if name.startswith("case") else "ix_audit_event_user"
        assert index in plan, f"{name}: {plan}"


def plan_of(connection, query) -> str:
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    explain = "EXPLAIN" if ON_POSTGRES else "EXPLAIN QUERY PLAN"
    params = compiled.params
    if compiled.positional:  # SQLite's driver binds by position
        params = tuple(params[name] for name in compiled.positiontup)
    rows = connection.exec_driver_sql(f"{explain} {compiled}", params)
    return "\n".join(str(row[0] if ON_POSTGRES else row[-1]) for row in rows)


def test_L8_the_reports_link_to_each_other_and_a_user_can_be_chosen_from_a_list(app, seen_case, auditor):
    chooser = auditor.get(auditor.url("reports.view_user_audit")).get_data(as_text=True)
    case_page = auditor.get(auditor.url("reports.view_case_audit", case=seen_case["reference"])).get_data(as_text=True)
    by_number = auditor.get(auditor.url("reports.view_user_audit", user=seen_case["chair"])).get_data(as_text=True)
    user_page = auditor.get(auditor.url("reports.view_user_audit", user="idva@example.org")).get_data(as_text=True)

    assert auditor.url("reports.view_user_audit", user=seen_case["idva"]) in chooser and "Ida Vale" in chooser
    assert auditor.url("reports.view_user_audit", user=seen_case["health"]) in case_page
    assert "Charlie Chair" in by_number and 'value="chair@example.org"' in by_number
    assert auditor.url("reports.view_case_audit", case=seen_case["reference"]) in user_page
    assert audit_actions(app, "audit-report-run")[-1] == (auditor.user_id, "user", str(seen_case["idva"]))


def test_L8_an_auditor_named_on_a_case_exclusion_list_learns_nothing_of_that_case(app, seen_case, auditor):
    """Knowing a name gives nothing away, to an auditor too: the case is answered as unknown, and the
    reports of what a user did show no reference for it."""
    with app.app_context():
        db.session.add(
            ExcludedPerson(
                case_id=seen_case["case"], name="Audrey Auditor", note=None, recorded_by_id=seen_case["idva"]
            )
        )
        db.session.commit()

    by_reference = auditor.get(auditor.url("reports.view_case_audit", case=seen_case["reference"]))
    by_csv = auditor.get(auditor.url("reports.download_case_audit_csv", case=seen_case["reference"]))
    what_idva_did = auditor.get(auditor.url("reports.view_user_audit", user="idva@example.org"))
    idva_csv = auditor.get(auditor.url("reports.download_user_audit_csv", user="idva@example.org"))

    assert by_reference.status_code == 400 and "No case has the reference" in by_reference.get_data(as_text=True)
    assert by_csv.status_code == 400
    assert seen_case["reference"] not in what_idva_did.get_data(as_text=True)
    assert seen_case["reference"] not in idva_csv.get_data(as_text=True)
    assert seen_case["other_reference"] in idva_csv.get_data(as_text=True)
