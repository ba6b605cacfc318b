"""SECURITY D5: the retention rules are data. A rules file with a mistake is refused, naming the rule, so a
slip never deletes early; the file in force is the one the settings name (MARAC_RETENTION_FILE)."""

import json

import pytest

import config
from access.retention_rules import DEFAULT_RULES_FILE, RetentionRulesError, Then, load_rules, rules_in_force
from app import create_app
from config import ConfigError, production_settings
from tests.test_config import GOOD_PRODUCTION


def shipped_rules() -> list[dict]:
    return json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))["rules"]


def rules_file(tmp_path, rules: list[dict]):
    path = tmp_path / "retention.json"
    path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
    return path


def with_case_rule(**changes) -> list[dict]:
    rules = shipped_rules()
    case = next(rule for rule in rules if rule["kind"] == "case")
    for name, value in changes.items():
        if value is None and name != "after_months":
            case.pop(name)
        else:
            case[name] = value
    return rules


def test_D5_the_shipped_rules_load_and_every_default_is_unverified():
    rules = load_rules()
    assert {"case", "subject-access", "account", "session", "notification", "audit", "operational", "aggregate"} <= set(
        rules
    )
    assert not any(rule.verified for rule in rules.values())
    assert rules["case"].then is Then.ANONYMISE and rules["case"].after_months == 72


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"then": None}, "'then'"),
        ({"basis": None}, "'basis'"),
        ({"then": "shred"}, "shred"),
        ({"then": "keep", "after_months": 72}, "give a number of months unless it is kept"),
        ({"after_months": 0}, "at least 1"),
        ({"after_months": -6}, "at least 1"),
        ({"after_months": 1.5}, "whole number"),
        ({"after_months": None}, "give a number of months unless it is kept"),
    ],
)
def test_D5_a_rule_with_a_mistake_is_refused_naming_the_rule(tmp_path, changes, says):
    with pytest.raises(RetentionRulesError) as refused:
        load_rules(rules_file(tmp_path, with_case_rule(**changes)))
    assert "'case'" in str(refused.value) and says in str(refused.value)


def test_D5_a_rule_given_twice_or_a_file_that_is_not_json_is_refused(tmp_path):
    with pytest.raises(RetentionRulesError, match="'case' is given twice"):
        load_rules(rules_file(tmp_path, [*shipped_rules(), shipped_rules()[0]]))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(RetentionRulesError, match="cannot be read"):
        load_rules(broken)


def test_D5_the_rules_file_is_a_setting_and_a_bad_one_stops_the_app_starting(tmp_path, database_url):
    assert production_settings(GOOD_PRODUCTION)["RETENTION_RULES_FILE"] == str(DEFAULT_RULES_FILE)
    own = rules_file(tmp_path, with_case_rule(after_months=84))
    assert production_settings(GOOD_PRODUCTION | {"MARAC_RETENTION_FILE": str(own)})["RETENTION_RULES_FILE"] == str(own)
    app = create_app(config.test_settings(database_url, RETENTION_RULES_FILE=str(own)))
    with app.app_context():
        assert rules_in_force()["case"].after_months == 84
    bad = rules_file(tmp_path, with_case_rule(after_months=0))
    with pytest.raises(ConfigError, match="'case'"):
        create_app(config.test_settings(database_url, RETENTION_RULES_FILE=str(bad)))
