"""Rule sets: every number and choice the MARAC criteria use, as data.

One JSON file per version in risk/rulesets/, checked against ruleset.schema.json, each rule with
its label, value, whether it has been checked against a source, and that source. A site may change
values in an override file of its own; the result has a new version id (the base id, "+" and a
short hash of the override), so decisions made under different rules can always be told apart.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import jsonschema

from risk.instruments import load_all_packs
from risk.schema import FACTORS_BY_ID

RULESET_DIRECTORY = Path(__file__).parent / "rulesets"
SCHEMA_PATH = RULESET_DIRECTORY / "ruleset.schema.json"
DEFAULT_RULESET_ID = "safelives-2026.1"
OVERRIDE_KEYS = {"value", "verified", "source"}


class RuleSetError(ValueError):
    """A rule set or override file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    value: object
    verified: bool
    source: str

    @property
    def shown_value(self) -> str:
        """The value in words: tools and risk factors by name, never by id."""
        if isinstance(self.value, bool):
            return "yes" if self.value else "no"
        if isinstance(self.value, (list, tuple)):
            return ", ".join(map(name_of, self.value)) or "none"
        return name_of(self.value)


def name_of(value) -> str:
    packs = load_all_packs()
    if value in packs:
        return packs[value].name
    if value in FACTORS_BY_ID:
        return FACTORS_BY_ID[value].name
    return str(value).replace("-", " ")


@dataclass(frozen=True)
class RuleSet:
    version: str
    name: str
    source: str
    rules: Mapping[str, Rule]
    vhr_tools: tuple[str, ...]
    vhr_threshold: int
    accept_other_tool_high_as_vhr: bool
    other_tool_min_tier: int
    pj_min_tier: int
    pj_requires_rationale: bool
    escalation_min_incidents: int
    escalation_window_days: int
    escalation_sources: str
    repeat_window_days: int
    repeat_definition: str
    legacy_repeat_incident_types: tuple[str, ...]
    min_victim_age: int
    adult_age: int
    assessment_max_age_days: int
    criteria_min_tier: int
    recidivism_tools: tuple[str, ...]
    cluster_all_of: tuple[str, ...]
    cluster_any_of: tuple[str, ...]
    unanswered_serious_prompt_min: int
    # Where this deployment's MARAC sits: a setting of the site, not a rule, so not in the version.
    marac_area: str | None = None

    @property
    def unverified(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules.values() if not rule.verified)


RULE_KEYS = tuple(
    field.name for field in fields(RuleSet) if field.name not in {"version", "name", "source", "rules", "marac_area"}
)


@lru_cache(maxsize=1)
def ruleset_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def read_json(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise RuleSetError(f"{Path(path).name}: cannot be read: {error.strerror}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RuleSetError(f"{Path(path).name}: is not valid JSON: {error}") from error


def check_against_schema(data: dict, name: str) -> None:
    try:
        jsonschema.validate(data, ruleset_schema())
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        raise RuleSetError(f"{name}: at {where}: {error.message}") from error


def ruleset_from(data: dict, version: str) -> RuleSet:
    rules = {key: Rule(key=key, **entry) for key, entry in data["rules"].items()}
    values = {key: tuple(rule.value) if isinstance(rule.value, list) else rule.value for key, rule in rules.items()}
    return RuleSet(version=version, name=data["name"], source=data["source"], rules=MappingProxyType(rules), **values)


def load_ruleset(path: Path) -> RuleSet:
    data = read_json(path)
    check_against_schema(data, Path(path).name)
    if Path(path).stem != data["id"]:
        raise RuleSetError(f"{Path(path).name}: the file name must be {data['id']}.json")
    return ruleset_from(data, data["id"])


@lru_cache(maxsize=1)
def load_all_rulesets() -> dict[str, RuleSet]:
    paths = sorted(path for path in RULESET_DIRECTORY.glob("*.json") if path != SCHEMA_PATH)
    return {ruleset.version: ruleset for ruleset in map(load_ruleset, paths)}


def get_ruleset(ruleset_id: str = DEFAULT_RULESET_ID) -> RuleSet:
    rulesets = load_all_rulesets()
    if ruleset_id not in rulesets:
        raise RuleSetError(f"There is no rule set {ruleset_id!r}; the rule sets are {', '.join(sorted(rulesets))}")
    return rulesets[ruleset_id]


def base_data(ruleset: RuleSet) -> dict:
    return {
        "id": ruleset.version.partition("+")[0],
        "name": ruleset.name,
        "source": ruleset.source,
        "rules": {
            key: {"label": rule.label, "value": rule.value, "verified": rule.verified, "source": rule.source}
            for key, rule in ruleset.rules.items()
        },
    }


def with_override(base: RuleSet, override: dict, name: str = "the override") -> RuleSet:
    """The base rule set with a site's values in place; its version is the base id plus a hash of the override."""
    problems = override_problems(base, override)
    if problems:
        raise RuleSetError(f"{name}: {'; '.join(problems)}")
    data = base_data(base)
    for key, entry in override["rules"].items():
        data["rules"][key] |= entry
    check_against_schema(data, name)
    canonical = json.dumps(override, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return ruleset_from(data, f"{data['id']}+{hashlib.sha256(canonical.encode()).hexdigest()[:8]}")


def override_problems(base: RuleSet, override: object) -> list[str]:
    if not isinstance(override, dict) or set(override) != {"rules"} or not isinstance(override["rules"], dict):
        return [
            'an override file holds one object, "rules", like {"rules": {"vhr_threshold": {"value": 12, "verified": '
            'false, "source": "..."}}}'
        ]
    problems = []
    for key, entry in override["rules"].items():
        if key not in base.rules:
            problems.append(f"{key} is not a rule of {base.version}; the rules are {', '.join(base.rules)}")
        elif not isinstance(entry, dict) or set(entry) != OVERRIDE_KEYS:
            problems.append(f"{key} must give exactly value, verified and source")
        elif (
            not isinstance(entry["verified"], bool)
            or not isinstance(entry["source"], str)
            or len(entry["source"].strip()) < 5
        ):
            problems.append(f"{key} needs verified (true or false) and a source saying where the value comes from")
    return problems


def ruleset_in_force(ruleset_id: str = DEFAULT_RULESET_ID, override_file: str | Path | None = None) -> RuleSet:
    base = get_ruleset(ruleset_id)
    if not override_file:
        return base
    return with_override(base, read_json(Path(override_file)), Path(override_file).name)
