"""The data inventory (SECURITY D1) a data protection officer starts a DPIA from: built from the models'
metadata when asked, every table in plain words with its columns by data class, who may see it and how long
it is kept; as a page and as an audited PDF, for the administrator and the coordinator only."""

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

import config
from access import policy
from access.audit import AuditAction
from access.models import AuditEvent, Role, User
from access.permissions import can
from access.retention_rules import load_rules
from app import create_app
from extensions import data_class, db, retention
from reports import inventory
from reports.inventory_labels import TABLE_WORDS, TableWords
from tests.access.test_retention_rules import rules_file, with_case_rule
from tests.reports.pdf_helpers import pdf_text

UNVERIFIED = "Unverified default: to be confirmed by your DPO"
ENDPOINTS = ("reports.view_data_inventory", "reports.download_data_inventory")


def test_D1_every_table_has_plain_words_and_every_entry_is_a_real_table(app):
    assert sorted(set(db.metadata.tables) - set(TABLE_WORDS)) == [], "describe these tables in TABLE_WORDS"
    assert sorted(set(TABLE_WORDS) - set(db.metadata.tables)) == [], "these tables no longer exist"


def test_D1_every_rule_a_table_names_is_a_rule_of_the_policy():
    named = {words.rule for words in TABLE_WORDS.values() if words.rule}
    assert {rule for rule in named if not callable(getattr(policy, rule, None))} == set()


def test_D1_the_inventory_of_the_real_metadata_has_every_table_and_every_column(app):
    with app.app_context():
        found = inventory.data_inventory()

    assert {table.label for table in found.tables} == {words.label for words in TABLE_WORDS.values()}
    columns_shown = sum(len(group.columns) for table in found.tables for group in table.groups)
    assert columns_shown == sum(len(table.columns) for table in db.metadata.tables.values())
    assert sum(row.columns for row in found.summary) == columns_shown
    assert next(row for row in found.summary if row.label.startswith("Restricted")).tables >= 2


def test_D1_a_column_added_to_a_table_shows_up_under_its_class_with_the_table_retention():
    metadata = MetaData()
    Table(
        "widget",
        metadata,
        Column("id", Integer, primary_key=True, info=data_class("operational")),
        Column("favourite_colour", String(20), info=data_class("special")),
        Column("shoe_size", Integer),
        **retention("case"),
    )
    words = {"widget": TableWords("Widgets", "Test widgets.", "No one.", "may_view_case")}

    table = inventory.data_inventory(metadata, words, load_rules()).tables[0]

    assert table.label == "Widgets"
    groups = {group.label: group.columns for group in table.groups}
    assert groups["Special category"] == ("Favourite colour",)
    assert groups["Not yet classified"] == ("Shoe size",)
    assert table.retention.period == "6 years"
    assert table.retention.unverified_note == UNVERIFIED


def test_D1_a_table_no_one_has_described_is_still_listed_by_its_name():
    metadata = MetaData()
    Table("gadget_log", metadata, Column("id", Integer, primary_key=True, info=data_class("operational")))

    table = inventory.data_inventory(metadata, {}, load_rules()).tables[0]

    assert table.label == "Gadget log"
    assert table.retention.period == "Not yet set"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.AUDITOR])
def test_D1_the_page_lists_every_table_with_class_counts_retention_and_the_unverified_note(client, sign_in_as, role):
    sign_in_as(role)

    page = client.get("/reports/data-inventory").get_data(as_text=True)

    for words in TABLE_WORDS.values():
        assert words.label in page
    assert "Safe-contact details" in page and "Restricted" in page
    assert f"{len(db.metadata.tables)} tables" in page
    assert "6 years" in page and "from when the case was last heard at a MARAC" in page
    assert UNVERIFIED in page
    assert "may view safe contact" not in page and "may_view" not in page  # a developer's name for a rule


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.AGENCY_REP, Role.CHAIR])
def test_D1_other_roles_may_not_open_the_inventory(client, sign_in_as, role):
    sign_in_as(role)

    assert client.get("/reports/data-inventory").status_code == 403
    assert client.get("/reports/data-inventory/pdf").status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_D1_the_routes_and_the_policy_rule_agree_on_who_may_open_it(app, role):
    with app.test_request_context():
        for endpoint in ENDPOINTS:
            assert can(role, endpoint) is policy.may_view_data_inventory(User(role=role))


def test_D1_the_pdf_opens_carries_the_table_labels_and_the_unverified_note_and_is_audited(app, client, sign_in_as):
    user_id = sign_in_as(Role.COORDINATOR)

    response = client.get("/reports/data-inventory/pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for label in ("People", "Safe-contact details", "Risk assessments", "The audit trail"):
        assert label in text
    assert UNVERIFIED in text
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.DOCUMENT_DOWNLOADED)))
    assert [(row.user_id, row.object_type) for row in rows] == [(user_id, "document")]
    assert rows[0].object_id.startswith("DATA-INVENTORY-")


def test_D1_the_inventory_shows_the_partnerships_own_retention_rules_not_the_shipped_defaults(database_url, tmp_path):
    own = rules_file(tmp_path, with_case_rule(after_months=84, verified=True))
    app = create_app(config.test_settings(database_url, RETENTION_RULES_FILE=str(own)))
    with app.app_context():
        case = next(
            table for table in inventory.data_inventory().tables if table.label == TABLE_WORDS["marac_case"].label
        )

    assert case.retention.period == "7 years" and case.retention.unverified_note is None
