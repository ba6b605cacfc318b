"""Rule sets as data (issue 14, point 10): schema-checked files holding every number and choice the
criteria use, each verified or not with its source; a site's override makes a new version id."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from risk.criteria import CRITERION_RULES, evaluate
from risk.requests import facts_from_request
from risk.rulesets import (
    RULE_KEYS,
    RULESET_DIRECTORY,
    RuleSetError,
    get_ruleset,
    load_ruleset,
    ruleset_in_force,
    with_override,
)
from tests.conftest import build_test_app

ROOT = Path(__file__).parent.parent.parent
RULESET_FILES = sorted(path for path in RULESET_DIRECTORY.glob("*.json") if not path.name.endswith(".schema.json"))


def override(**rules) -> dict:
    return {
        "rules": {
            key: {"value": value, "verified": False, "source": "Riverside steering group, 2026"}
            for key, value in rules.items()
        }
    }


@pytest.mark.parametrize("path", RULESET_FILES, ids=lambda path: path.stem)
def test_every_rule_set_file_loads_with_every_rule_labelled_and_sourced(path):
    ruleset = load_ruleset(path)

    assert ruleset.version == path.stem
    assert set(ruleset.rules) == set(RULE_KEYS)
    assert all(rule.label and len(rule.source) >= 5 for rule in ruleset.rules.values())


def test_every_criterion_names_rules_that_exist():
    assert {key for keys in CRITERION_RULES.values() for key in keys} <= set(RULE_KEYS)


def test_the_default_rule_set_marks_the_proposals_as_unverified():
    unverified = {rule.key for rule in get_ruleset().unverified}

    assert {"assessment_max_age_days", "accept_other_tool_high_as_vhr", "other_tool_min_tier"} <= unverified
    assert {"vhr_threshold", "repeat_window_days", "escalation_min_incidents", "min_victim_age"}.isdisjoint(unverified)


def test_the_criteria_hold_no_domain_number():
    """Every threshold, window and age comes from the rule set; the only numbers left are 0 and 1."""
    tree = ast.parse((ROOT / "risk" / "criteria.py").read_text(encoding="utf-8"))

    numbers = {
        node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and type(node.value) in (int, float)
    }

    assert numbers <= {0, 1}


def test_an_override_gives_a_new_version_from_a_hash_of_its_contents():
    base = get_ruleset()

    twelve, again, thirteen = (with_override(base, override(vhr_threshold=value)) for value in (12, 12, 13))

    assert twelve.vhr_threshold == 12
    assert twelve.rules["vhr_threshold"].verified is False
    assert twelve.rules["vhr_threshold"].source == "Riverside steering group, 2026"
    assert twelve.rules["vhr_threshold"].label == base.rules["vhr_threshold"].label
    assert twelve.version == again.version != thirteen.version
    assert twelve.version.startswith("safelives-2026.1+") and len(twelve.version) == len("safelives-2026.1+") + 8
    assert twelve.repeat_window_days == base.repeat_window_days


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (override(vhr_treshold=12), "vhr_treshold is not a rule of safelives-2026.1"),
        (override(vhr_threshold="fourteen"), "at rules/vhr_threshold/value"),
        (override(repeat_definition="anything"), "at rules/repeat_definition/value"),
        ({"rules": {"vhr_threshold": {"value": 12}}}, "vhr_threshold must give exactly value, verified and source"),
        (
            {"rules": {"vhr_threshold": {"value": 12, "verified": "no", "source": "x"}}},
            "needs verified (true or false) and a source",
        ),
        ({"vhr_threshold": 12}, 'an override file holds one object, "rules"'),
    ],
)
def test_a_bad_override_is_refused_naming_what_to_fix(data, message):
    with pytest.raises(RuleSetError, match=r"^riverside.json: .*" + message.replace("(", r"\(").replace(")", r"\)")):
        with_override(get_ruleset(), data, "riverside.json")


def test_the_rule_set_in_force_reads_the_override_file(tmp_path):
    path = tmp_path / "riverside.json"
    path.write_text(json.dumps(override(assessment_max_age_days=14)))

    assert ruleset_in_force("safelives-2026.1", path).assessment_max_age_days == 14
    assert ruleset_in_force("safelives-2026.1", None) is get_ruleset()
    with pytest.raises(RuleSetError, match="There is no rule set 'safelives-1999.1'"):
        ruleset_in_force("safelives-1999.1", None)
    with pytest.raises(RuleSetError, match="missing.json: cannot be read"):
        ruleset_in_force("safelives-2026.1", tmp_path / "missing.json")


def test_the_command_lists_the_rule_sets_and_every_rule_of_the_one_in_force(database_url, tmp_path):
    path = tmp_path / "riverside.json"
    path.write_text(json.dumps(override(vhr_threshold=12)))

    with build_test_app(database_url, RULESET_OVERRIDE_FILE=str(path)) as app:
        listed = app.test_cli_runner().invoke(args=["risk", "rulesets", "--rules"])

    lines = listed.stdout.splitlines()
    assert listed.exit_code == 0
    assert lines[0].startswith(f"safelives-2026.1\t{get_ruleset().name}\t20 rules, 4 unverified")
    assert lines[1].startswith("safelives-2026.1+")
    assert lines[1].endswith("20 rules, 5 unverified\tin force")
    assert "vhr_threshold\t12\tUNVERIFIED\t" in listed.stdout
    assert "repeat_window_days\t365\tverified\t" in listed.stdout
    assert "vhr_tools\tSafeLives DASH Risk Identification Checklist, Police DASH" in listed.stdout


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_and_administrators_see_the_rule_set_in_force_with_what_is_unverified(client, sign_in_as, role):
    from access.models import Role

    sign_in_as(Role(role))

    page = client.get(client.url("risk.view_rules")).get_data(as_text=True)

    assert "Rule set safelives-2026.1" in page
    assert "4 of 20 rules" in page
    assert page.count("Not checked</strong>") == 4
    assert "Days an assessment stays current" in page
    assert "No licensed weight table is installed" in page
    assert "Grade standard / medium / high to common tiers 1 / 2 / 3 is our proposal" in page


def test_a_decision_made_under_an_override_records_its_version(database_url, tmp_path):
    path = tmp_path / "riverside.json"
    path.write_text(json.dumps(override(vhr_threshold=12)))
    case = {
        "today": "2026-03-20",
        "victim": {"date_of_birth": "1990-05-01"},
        "assessments": [{"tool": "dash-ric", "date": "2026-03-19", "answers": {f"q{n}": "yes" for n in range(1, 13)}}],
    }

    with build_test_app(database_url, RULESET_OVERRIDE_FILE=str(path)) as app:
        output = json.loads(app.test_cli_runner().invoke(args=["risk", "evaluate", "-"], input=json.dumps(case)).stdout)
        version = app.extensions["marac_ruleset"].version

    assert output["ruleset"] == version != "safelives-2026.1"
    assert output["eligible"] is True
    assert not evaluate(facts_from_request(case)).eligible


@pytest.mark.parametrize(
    ("setting", "contents", "message"),
    [
        (
            "MARAC_RULESET_OVERRIDE",
            '{"rules": {"vhr_treshold": {"value": 1, "verified": false, "source": "typo here"}}}',
            "vhr_treshold is not a rule",
        ),
        ("MARAC_RULESET_OVERRIDE", "{not json", "is not valid JSON"),
        ("MARAC_LICENSED_TABLES", '{"tool": "danger-assessment"}', "danger-assessment.json: at the top level"),
    ],
)
def test_bad_rules_configuration_stops_any_command_with_one_line_and_exit_2(tmp_path, setting, contents, message):
    """SECURITY A11: the app refuses to start with bad settings; a command says why in one line."""
    folder = tmp_path / "licensed"
    folder.mkdir()
    path = folder / ("danger-assessment.json" if setting == "MARAC_LICENSED_TABLES" else "override.json")
    path.write_text(contents)
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MARAC_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite'}",
        "SECRET_KEY": "k" * 10 + "abcdefghijklmnopqrstuvwxyz0123456789",
        setting: str(folder if setting == "MARAC_LICENSED_TABLES" else path),
    }

    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "risk", "evaluate", "-"],
        cwd=ROOT,
        env=environment,
        input="{}",
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
    assert message in completed.stderr
