"""Bulk import through the pages: upload, check (writes nothing), choose matches, confirm or discard."""

import io
import os
import re
import threading
import time
from datetime import date

import pytest
from markupsafe import escape
from sqlalchemy import select

from access.models import Agency, AuditEvent, Role, User
from cases import imports as import_store
from cases import store as cases_store
from cases.models import Case, ExcludedPerson, Person, Referral
from extensions import db
from risk.imports.checking import detect_mapping
from risk.imports.files import ImportFileError, read_table
from risk.imports.models import ImportBatch, ImportStatus, SavedImportMapping
from risk.instruments import get_pack
from risk.models import Assessment
from tests.cases.test_import_store import (
    MIXED_FILE,
    add_person,
    audit_actions,
    count,
    dash_csv,
    dash_row,
    table_counts,
)
from tests.conftest import give_session
from tests.risk.import_fixtures import png_bytes

TOKEN_NAME = re.compile(r"[A-Za-z0-9_-]{43}")


@pytest.fixture
def app_settings(tmp_path):
    return {"IMPORT_FOLDER": str(tmp_path / "imports"), "MARAC_AREA": "Riverside"}


@pytest.fixture
def folder(app):
    return app.config["IMPORT_FOLDER"]


def staged_files(folder) -> list[str]:
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def upload(client, data: bytes, filename="export.csv", tool="dash-ric", agency=None):
    form = {"tool": tool, "file": (io.BytesIO(data), filename)}
    if agency is not None:
        form["agency"] = str(agency)
    return client.post(client.url("cases.upload_import"), data=form, content_type="multipart/form-data")


def refusal(data: bytes, filename: str) -> str:
    """The message the file check gives for this file."""
    with pytest.raises(ImportFileError) as refused:
        read_table(data, filename)
    return str(refused.value)


def agency_id(app, name) -> int:
    with app.app_context():
        return db.session.scalar(select(Agency.id).where(Agency.name == name))


def only_batch(app) -> ImportBatch:
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        db.session.expunge(batch)
        return batch


def counts_shown(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r'data-count="([a-z-]+)">(\d+)<', page)}


@pytest.fixture
def rep(sign_in_as):
    return sign_in_as(Role.AGENCY_REP, agency="Riverside Police")


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.CHAIR, Role.ADMIN])
def test_only_coordinators_and_agency_reps_may_import(client, sign_in_as, role):
    sign_in_as(role)

    assert client.get(client.url("cases.upload_import")).status_code == 403
    assert upload(client, dash_csv(MIXED_FILE)).status_code == 403


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AGENCY_REP])
def test_the_upload_page_offers_the_tools_and_for_a_coordinator_the_agencies(
    app, client, sign_in_as, make_agency, role
):
    make_agency("Riverside Housing")
    sign_in_as(role, agency="Riverside Police")

    page = client.get(client.url("cases.upload_import")).get_data(as_text=True)

    assert 'enctype="multipart/form-data"' in page
    assert "SafeLives DASH Risk Identification Checklist" in page
    assert ('<select class="govuk-select" id="agency"' in page) == (role is Role.COORDINATOR)
    assert "Riverside Housing" in page if role is Role.COORDINATOR else "Riverside Housing" not in page


def test_upload_stages_the_file_and_shows_the_dry_run_report(app, client, rep, folder):
    before = table_counts(app)

    response = upload(client, dash_csv(MIXED_FILE))

    batch = only_batch(app)
    assert response.status_code == 302
    assert response.location == client.url("cases.review_import", batch_id=batch.id)
    assert staged_files(folder) == [batch.token]
    assert (batch.status, batch.filename_shown, batch.agency_id) == (
        ImportStatus.STAGED,
        "export.csv",
        agency_id(app, "Riverside Police"),
    )
    assert batch.mapping["identity"]["given_name"] == "Forename" and batch.mapping["items"]["Q24"] == "q24"

    page = client.get(response.location).get_data(as_text=True)

    assert counts_shown(page) == {"total": 4, "will-import": 2, "possible-matches": 0, "bad": 1, "duplicates": 1}
    assert re.search(r"<td[^>]*>4</td><td[^>]*>Q1</td><td[^>]*>[^<]+</td><td[^>]*>[^<]+</td>", page)
    assert "Row 5 repeats row 2 exactly" in page
    after = table_counts(app)
    changed = {table for table in after if after[table] != before[table]}
    assert changed <= {"import_batch", "audit_event", "user_session"}
    for table in ("person", "marac_case", "assessment", "eligibility_decision", "referral"):
        assert after[table] == before[table] == 0


def test_a_png_renamed_xlsx_is_refused_with_the_message_and_nothing_is_kept(app, client, rep, folder):
    response = upload(client, png_bytes(), filename="export.xlsx")

    assert response.status_code == 400
    assert str(escape(refusal(png_bytes(), "export.xlsx"))) in response.get_data(as_text=True)
    assert "Excel workbook (.xlsx)" in refusal(png_bytes(), "export.xlsx")
    assert staged_files(folder) == []
    assert count(app, ImportBatch) == 0


def test_the_uploaders_filename_is_never_used_on_disk(app, client, rep, folder, tmp_path):
    refused = upload(client, b"print('pwned')\n", filename="../../app.py")
    accepted = upload(client, dash_csv(MIXED_FILE), filename="../../../evil.csv")

    assert refused.status_code == 400
    assert str(escape(refusal(b"print('pwned')", "../../app.py"))) in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    batch = only_batch(app)
    assert batch.filename_shown == "evil.csv"
    assert staged_files(folder) == [batch.token] and TOKEN_NAME.fullmatch(batch.token)
    assert not any(path.name in ("evil.csv", "app.py") for path in tmp_path.rglob("*"))
    assert not os.path.commonpath([os.path.realpath(folder), os.path.realpath(app.static_folder)]) == os.path.realpath(
        app.static_folder
    )


def test_missing_choices_are_each_named(client, rep):
    response = client.post(client.url("cases.upload_import"), data={"tool": ""}, content_type="multipart/form-data")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose the tool the assessments were made with" in page
    assert "Choose a .csv or .xlsx file to upload" in page


def test_an_agency_rep_imports_only_for_their_own_agency(app, client, rep, make_agency):
    other = make_agency("Riverside Housing")

    upload(client, dash_csv(MIXED_FILE), agency=other)

    assert only_batch(app).agency_id == agency_id(app, "Riverside Police")


def test_a_coordinator_chooses_the_agency(app, client, sign_in_as, make_agency):
    housing = make_agency("Riverside Housing")
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA")

    missing = upload(client, dash_csv(MIXED_FILE))
    chosen = upload(client, dash_csv(MIXED_FILE), agency=housing)

    assert missing.status_code == 400 and "Choose the agency whose assessments these are" in missing.get_data(
        as_text=True
    )
    assert chosen.status_code == 302
    assert only_batch(app).agency_id == housing


def test_confirm_imports_the_valid_rows_and_removes_the_file(app, client, rep, folder):
    upload(client, dash_csv(MIXED_FILE))
    batch = only_batch(app)

    response = client.post(client.url("cases.confirm_import", batch_id=batch.id), data={"refer_eligible": "yes"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Assessments imported" in page and "2 assessments from export.csv" in page
    assert count(app, Person) == count(app, Case) == 2
    assert count(app, Referral) == 1
    assert staged_files(folder) == []
    assert only_batch(app).status is ImportStatus.IMPORTED
    assert "import-committed" in audit_actions(app)
    again = client.post(client.url("cases.confirm_import", batch_id=batch.id))
    assert again.status_code == 302 and count(app, Person) == 2


def test_possible_matches_are_left_out_unless_a_person_is_chosen(app, client, rep, folder):
    known = add_person(app, "Amy", "Brown", date(1990, 5, 1), "LS1 4AB")
    rows = [dash_row("Amy", "Brown", date(1990, 5, 1), 15), dash_row("Beth", "Clarke", date(1985, 2, 3), 3)]
    upload(client, dash_csv(rows))
    batch = only_batch(app)

    page = client.get(client.url("cases.review_import", batch_id=batch.id)).get_data(as_text=True)

    assert counts_shown(page)["possible-matches"] == 1 and counts_shown(page)["will-import"] == 1
    assert 'name="match-2" type="radio" value="leave-out" checked' in page
    assert f'value="{known}"' in page

    client.post(client.url("cases.confirm_import", batch_id=batch.id), data={})

    with app.app_context():
        assert [case.victim.given_name for case in db.session.scalars(select(Case))] == ["Beth"]
    assert count(app, Person) == 2


def test_choosing_the_known_person_proposes_the_link_and_the_coordinator_confirms_it(app, client, rep, make_user):
    known = add_person(app, "Amy", "Brown", date(1990, 5, 1), "LS1 4AB")
    upload(client, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]))
    batch = only_batch(app)

    finished = client.post(client.url("cases.confirm_import", batch_id=batch.id), data={"match-2": known})

    assert "1 row may be a person already known: the MARAC coordinator will be asked to confirm it" in (
        finished.get_data(as_text=True)
    )
    assert count(app, Person) == 2
    with app.app_context():
        [case] = db.session.scalars(select(Case))
        assert (case.victim_id != known, case.proposed_victim_id) == (True, known)
    coordinator, _ = make_user(email="coord@example.org", role=Role.COORDINATOR, agency="Riverside IDVA")
    coordinator_client = app.test_client()
    give_session(app, coordinator_client, coordinator)

    coordinator_client.post(
        coordinator_client.url("cases.confirm_victim_link", case_id=case.id), data={"decision": "confirm"}
    )

    with app.app_context():
        assert (db.session.get(Case, case.id).victim_id, db.session.get(Case, case.id).proposed_victim_id) == (
            known,
            None,
        )


def test_choosing_a_new_person_adds_them(app, client, rep):
    add_person(app, "Amy", "Brown", date(1990, 5, 1), "LS1 4AB")
    upload(client, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]))

    client.post(client.url("cases.confirm_import", batch_id=only_batch(app).id), data={"match-2": "new"})

    assert count(app, Person) == 2 and count(app, Case) == 1


def test_a_person_who_was_not_suggested_cannot_be_chosen(app, client, rep):
    add_person(app, "Amy", "Brown", date(1990, 5, 1), "LS1 4AB")
    stranger = add_person(app, "Zofia", "Nowak", date(2000, 1, 1))
    upload(client, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]))

    response = client.post(client.url("cases.confirm_import", batch_id=only_batch(app).id), data={"match-2": stranger})

    assert response.status_code == 400
    assert "Row 2: the person chosen is no longer suggested" in response.get_data(as_text=True)
    assert count(app, Case) == 0


# The confirm step makes the rows' records (records_for) before the transaction that writes them
# (insert_records): a failure at either is recorded the same way.
@pytest.mark.parametrize("failing_step", ["records_for", "insert_records"])
def test_a_failure_during_confirm_imports_nothing_and_says_so(app, client, rep, folder, monkeypatch, failing_step):
    upload(client, dash_csv(MIXED_FILE))
    batch = only_batch(app)

    def broken(*args):
        raise RuntimeError("database went away")

    monkeypatch.setattr(import_store, failing_step, broken)
    response = client.post(client.url("cases.confirm_import", batch_id=batch.id))

    assert response.status_code == 500
    assert "nothing was imported" in response.get_data(as_text=True)
    assert count(app, Person) == count(app, Case) == 0
    assert only_batch(app).status is ImportStatus.FAILED
    assert audit_actions(app)[-1] == "import-failed"


def test_two_clicks_of_confirm_at_once_import_the_file_once(app, client, rep, folder, monkeypatch):
    """Both requests check and prepare the file outside the transaction that writes it, at the same time
    (each waits for the other before preparing): the one that writes second finds it imported."""
    upload(client, dash_csv(MIXED_FILE))
    batch = only_batch(app)
    both_preparing = threading.Barrier(2, timeout=60)
    real = import_store.prepare_import

    def prepare_once_both_are_here(*args):
        both_preparing.wait()
        return real(*args)

    monkeypatch.setattr(import_store, "prepare_import", prepare_once_both_are_here)
    responses = []

    def confirm():
        responses.append(client.post(client.url("cases.confirm_import", batch_id=batch.id)).status_code)

    clicks = [threading.Thread(target=confirm) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()

    assert sorted(responses) == [200, 302]
    assert only_batch(app).status is ImportStatus.IMPORTED
    assert count(app, Case) == only_batch(app).rows_imported > 0
    assert audit_actions(app).count("import-committed") == 1


def test_an_imported_referrals_decision_links_its_evidence_to_the_assessment(app, client, rep, folder, sign_in_as):
    """The referral's stored decision names the assessment it rests on, as the web journey's does, so the
    coordinator's referral page links to it."""
    upload(client, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]))
    client.post(client.url("cases.confirm_import", batch_id=only_batch(app).id), data={"refer_eligible": "yes"})

    with app.app_context():
        case_id, assessment_id = db.session.execute(select(Assessment.case_id, Assessment.id)).one()
        referral_id = db.session.scalar(select(Referral.id))
    sign_in_as(Role.COORDINATOR)
    page = client.get(client.url("meetings.view_referral", referral_id=referral_id)).get_data(as_text=True)
    result = client.url("cases.view_assessment_result", case_id=case_id, assessment_id=assessment_id)
    assert re.search(f'href="{re.escape(result)}">[^<]*: 15 yes answers</a>', page)


def test_discard_removes_the_file_and_imports_nothing(app, client, rep, folder):
    upload(client, dash_csv(MIXED_FILE))
    batch = only_batch(app)

    response = client.post(client.url("cases.discard_import", batch_id=batch.id))

    assert response.status_code == 302
    assert staged_files(folder) == []
    assert only_batch(app).status is ImportStatus.DISCARDED
    assert audit_actions(app)[-1] == "import-discarded"
    assert "This file was discarded" in client.get(response.location).get_data(as_text=True)
    assert client.post(client.url("cases.confirm_import", batch_id=batch.id)).status_code == 302
    assert count(app, Person) == 0


def test_another_user_cannot_see_or_act_on_a_batch_but_a_coordinator_can(app, client, rep, make_user):

    upload(client, dash_csv(MIXED_FILE))
    batch = only_batch(app)
    other, _ = make_user(email="other@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    coordinator, _ = make_user(email="coord@example.org", role=Role.COORDINATOR, agency="Riverside IDVA")
    other_client, coordinator_client = app.test_client(), app.test_client()
    give_session(app, other_client, other)
    give_session(app, coordinator_client, coordinator)

    for endpoint in ("cases.confirm_import", "cases.discard_import"):
        assert other_client.post(client.url(endpoint, batch_id=batch.id)).status_code == 404
    assert other_client.get(client.url("cases.review_import", batch_id=batch.id)).status_code == 404
    assert coordinator_client.get(client.url("cases.review_import", batch_id=batch.id)).status_code == 200
    assert only_batch(app).status is ImportStatus.STAGED


def test_a_saved_mapping_is_used_for_the_agencys_next_upload(app, client, rep):
    headings_with_extra = ["Client forename", "Client surname", "DOB", "Postcode", "When assessed"] + [
        f"Q{n}" for n in range(1, 25)
    ]
    from tests.risk.import_fixtures import csv_bytes

    data = csv_bytes([headings_with_extra, dash_row("Amy", "Brown", date(1990, 5, 1), 15)])
    upload(client, data)
    batch = only_batch(app)
    form = {f"column-{n}": f"item:q{n - 4}" for n in range(5, 29)}
    form |= {
        "column-0": "field:given_name",
        "column-1": "field:family_name",
        "column-2": "field:date_of_birth",
        "column-3": "ignore",
        "column-4": "field:assessed_on",
        "save_mapping": "yes",
    }

    response = client.post(client.url("cases.review_import", batch_id=batch.id), data=form)

    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(SavedImportMapping))
        assert saved.mapping["identity"]["assessed_on"] == "When assessed"
    page = client.get(response.location).get_data(as_text=True)
    assert counts_shown(page)["will-import"] == 1
    client.post(client.url("cases.discard_import", batch_id=batch.id))

    upload(client, data)

    saved = saved_mapping_dict(app)
    with app.app_context():
        newest = db.session.scalars(select(ImportBatch).order_by(ImportBatch.uploaded_at.desc())).first()
        assert newest.status is ImportStatus.STAGED and newest.mapping == saved
        assert "postcode" not in newest.mapping["identity"]
        assert detect_mapping(get_pack("dash-ric"), headings_with_extra).identity.get("postcode") == "Postcode"
    assert "import-mapping-saved" in audit_actions(app)


def saved_mapping_dict(app) -> dict:
    with app.app_context():
        return db.session.scalar(select(SavedImportMapping)).mapping


def test_a_mapping_with_two_columns_for_one_detail_is_refused(app, client, rep):
    upload(client, dash_csv(MIXED_FILE))
    batch = only_batch(app)
    before = dict(batch.mapping)

    response = client.post(
        client.url("cases.review_import", batch_id=batch.id),
        data={"column-0": "field:postcode", "column-3": "field:postcode"},
    )

    assert response.status_code == 400
    assert "Two columns are set to Postcode" in response.get_data(as_text=True)
    assert only_batch(app).mapping == before


def test_a_mapping_that_cannot_work_blocks_the_confirm(app, client, rep):
    upload(client, dash_csv(MIXED_FILE))
    batch = only_batch(app)
    form = {f"column-{n}": f"item:q{n - 4}" for n in range(5, 29)} | {
        "column-0": "field:given_name",
        "column-1": "field:family_name",
    }
    client.post(client.url("cases.review_import", batch_id=batch.id), data=form)

    response = client.post(client.url("cases.confirm_import", batch_id=batch.id))

    assert response.status_code == 400
    assert "Correct the column mapping first" in response.get_data(as_text=True)
    assert count(app, Case) == 0


def test_staged_files_older_than_a_day_are_removed_when_an_upload_starts(app, client, rep, folder):
    upload(client, dash_csv(MIXED_FILE))
    old = only_batch(app)
    day_ago = time.time() - 25 * 3600
    os.utime(os.path.join(folder, old.token), (day_ago, day_ago))

    upload(client, dash_csv(MIXED_FILE))

    assert old.token not in staged_files(folder) and len(staged_files(folder)) == 1
    page = client.get(client.url("cases.review_import", batch_id=old.id))
    assert page.status_code == 410
    assert "no longer kept" in page.get_data(as_text=True)


def test_the_import_page_is_in_the_navigation_for_those_who_may_import(client, sign_in_as):
    sign_in_as(Role.AGENCY_REP)

    page = client.get(client.url("cases.upload_import")).get_data(as_text=True)

    assert f'href="{client.url("cases.upload_import")}"' in page


def test_an_upload_over_the_size_limit_is_refused_before_anything_is_kept(app, client, rep, folder):
    too_big = b"Forename,Surname\r\n" + b"x" * app.config["MAX_CONTENT_LENGTH"]

    response = upload(client, too_big)

    assert response.status_code == 413
    assert staged_files(folder) == []
    with app.app_context():
        assert db.session.scalar(select(ImportBatch)) is None


# The check page shows known people as the referral form does (SECURITY F5: never echoing other people's data;
# Z2: a case kept from the user by its exclusion list gives nothing away, not even that she is known).

UPLOADER_NAME = "Pat Uploader"


def known_victim(app, given, family, born, postcode=None, aliases=()) -> tuple[str, str]:
    """A known person with a case of her own: (person id, case id)."""
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.name == "Riverside Police"))
        person = cases_store.create_person(
            given_name=given, family_name=family, date_of_birth=born, postcode=postcode, agency_id=agency.id
        )
        person.aliases = list(aliases)
        case = cases_store.create_case(victim=person, marac_area="Riverside", agency_id=agency.id)
        db.session.commit()
        return person.id, case.id


def exclude_from_case(app, case_id, name) -> None:
    with app.app_context():
        recorder = db.session.scalar(select(User))
        db.session.add(ExcludedPerson(case_id=case_id, name=name, recorded_by_id=recorder.id))
        db.session.commit()


def name_user(app, user_id, name) -> None:
    with app.app_context():
        db.session.get(User, user_id).name = name
        db.session.commit()


def matches_shown_for(app, case_id) -> int:
    return count(app, AuditEvent, AuditEvent.action == "person-match-shown", AuditEvent.object_id == case_id)


@pytest.mark.parametrize("role", [Role.AGENCY_REP, Role.COORDINATOR])
def test_a_possible_match_shows_the_rows_own_name_and_her_year_of_birth_only(app, client, sign_in_as, role):
    sign_in_as(role, agency="Riverside Police")
    known, _ = known_victim(app, "Amy", "Browne", date(1990, 1, 5), "LS2 9JT", aliases=["Amy Greenwood"])
    upload(
        client, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]), agency=agency_id(app, "Riverside Police")
    )

    page = client.get(client.url("cases.review_import", batch_id=only_batch(app).id)).get_data(as_text=True)

    assert f'value="{known}"' in page
    assert "Same person as Amy Brown, born in 1990" in page  # the name in her own file, as the referral form does
    for detail in ("Browne", "5 January 1990", "LS2 9JT", "Greenwood", "same postcode", "alias matches", "same name"):
        assert detail not in page, detail


@pytest.mark.parametrize("role", [Role.AGENCY_REP, Role.COORDINATOR])
def test_a_known_person_whose_case_excludes_the_uploader_is_neither_shown_nor_hinted(app, client, sign_in_as, role):
    user_id = sign_in_as(role, agency="Riverside Police")
    kept, kept_case = known_victim(app, "Amy", "Brown", date(1990, 5, 1), "LS1 4AB")
    name_user(app, user_id, UPLOADER_NAME)
    exclude_from_case(app, kept_case, UPLOADER_NAME.upper())
    upload(
        client, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]), agency=agency_id(app, "Riverside Police")
    )
    batch = only_batch(app)

    page = client.get(client.url("cases.review_import", batch_id=batch.id)).get_data(as_text=True)

    assert kept not in page and "born in" not in page
    assert counts_shown(page)["possible-matches"] == 0 and counts_shown(page)["will-import"] == 1
    assert "No row looks like anyone the MARAC already knows" in page
    assert matches_shown_for(app, kept_case) == 0

    chosen = client.post(client.url("cases.confirm_import", batch_id=batch.id), data={"match-2": kept})

    assert chosen.status_code == 400 and "Row 2: the person chosen is no longer suggested" in chosen.get_data(
        as_text=True
    )
    assert count(app, Case) == 1  # hers only: choosing her by id is refused, so nothing was imported


def test_showing_a_possible_match_is_audited_under_each_of_her_cases(app, client, rep):
    known, first_case = known_victim(app, "Amy", "Brown", date(1990, 5, 1))
    agency = agency_id(app, "Riverside Police")
    with app.app_context():
        second_case = cases_store.create_case(
            victim=db.session.get(Person, known), marac_area="Riverside", agency_id=agency
        ).id
        db.session.commit()
    _, stranger_case = known_victim(app, "Zofia", "Nowak", date(2000, 1, 1))
    upload(client, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]))

    client.get(client.url("cases.review_import", batch_id=only_batch(app).id))

    assert matches_shown_for(app, first_case) == 1 and matches_shown_for(app, second_case) == 1
    assert matches_shown_for(app, stranger_case) == 0


def test_choosing_a_known_person_on_import_does_not_open_her_record_before_the_coordinator_confirms(
    app, client, rep, make_agency
):
    elsewhere = make_agency("Elsewhere Housing")
    with app.app_context():
        person = cases_store.create_person(
            given_name="Amy",
            family_name="Browne",
            date_of_birth=date(1990, 1, 5),
            postcode="LS2 9JT",
            agency_id=elsewhere,
        )
        her_case = cases_store.create_case(victim=person, marac_area="Riverside", agency_id=elsewhere).id
        db.session.commit()
        known = person.id
    assert client.get(client.url("cases.view_case", case_id=her_case)).status_code == 404
    upload(client, dash_csv([dash_row("Amy", "Brown", date(1990, 5, 1), 15)]))

    client.post(client.url("cases.confirm_import", batch_id=only_batch(app).id), data={"match-2": known})

    with app.app_context():
        imported = db.session.scalar(select(Case.id).where(Case.id != her_case))
    page = client.get(client.url("cases.view_case", case_id=imported)).get_data(as_text=True)
    assert "Browne" not in page and "5 January 1990" not in page and "LS2 9JT" not in page
    with app.app_context():
        case = db.session.get(Case, imported)
        assert (case.proposed_victim_id, case.victim.family_name) == (known, "Brown")  # proposed, as the form does
