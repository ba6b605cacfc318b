"""Data classes (SECURITY D1): every column of every table says what kind of data it holds, every table says
which retention rule keeps it, and every restricted column (where she can be found or safely contacted) is
guarded by a named rule in the policy."""

import importlib
import pkgutil

import pytest

from access import policy
from access.retention_rules import load_rules
from extensions import DATA_CLASSES, db

PACKAGES = ("access", "risk", "cases", "meetings", "reports")


@pytest.fixture(scope="module", autouse=True)
def every_model():
    """Every models module of every package (risk.imports.models among them), so no table is missed."""
    for package in PACKAGES:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if module.name.endswith(".models"):
                importlib.import_module(module.name)


def test_D1_the_check_sees_the_tables_of_nested_packages_too():
    assert {"import_batch", "saved_import_mapping", "case_safe_contact"} <= set(db.metadata.tables)


def all_columns():
    return [(table, column) for table in db.metadata.sorted_tables for column in table.columns]


def test_D1_the_classes_are_the_five_words_of_the_contract():
    assert DATA_CLASSES == ("special", "criminal", "restricted", "personal", "operational")


def test_D1_every_column_of_every_table_has_a_data_class():
    unclassed = [
        f"{table.name}.{column.name}" for table, column in all_columns() if column.info.get("class") not in DATA_CLASSES
    ]
    assert unclassed == [], "give each of these columns info=data_class(...): " + ", ".join(unclassed)


def test_D1_every_table_names_a_retention_kind_the_rules_know():
    kinds = set(load_rules())
    wrong = [
        f"{table.name} ({table.info.get('retention')!r})"
        for table in db.metadata.sorted_tables
        if table.info.get("retention") not in kinds
    ]
    assert wrong == [], "name a retention kind from access/data/retention.json for: " + ", ".join(wrong)


def restricted_columns() -> set[str]:
    return {
        f"{table.name}.{column.name}" for table, column in all_columns() if column.info.get("class") == "restricted"
    }


def test_D1_every_restricted_column_is_in_the_field_authorisation_map():
    assert restricted_columns(), "the safe-contact details at least are restricted"
    assert sorted(restricted_columns() - set(policy.RESTRICTED_FIELDS)) == []


def test_D1_every_entry_of_the_field_authorisation_map_is_a_real_restricted_column():
    assert sorted(set(policy.RESTRICTED_FIELDS) - restricted_columns()) == []


def test_D1_every_rule_the_map_names_is_a_rule_of_the_policy():
    missing = {rule for rule in policy.RESTRICTED_FIELDS.values() if not callable(getattr(policy, rule, None))}
    assert missing == set()
    assert all(rule.startswith("may_") for rule in policy.RESTRICTED_FIELDS.values())


def test_D1_the_safe_contact_details_are_restricted_and_guarded_by_their_own_rule():
    for column in ("phone", "safe_address"):
        assert policy.RESTRICTED_FIELDS[f"case_safe_contact.{column}"] == "may_view_safe_contact"


def test_D1_risk_answers_are_special_category_and_incidents_criminal_offence_data():
    assessment = db.metadata.tables["assessment"]
    incident = db.metadata.tables["incident"]
    assert assessment.c.answers.info["class"] == "special"
    assert incident.c.type.info["class"] == "criminal"


def test_D1_a_data_class_outside_the_contract_is_refused():
    from extensions import data_class

    try:
        data_class("secret")
    except ValueError as error:
        assert "secret" in str(error)
    else:
        raise AssertionError("an unknown class was accepted")
