import json
import sys

import click
from flask.cli import AppGroup

from risk.answers import AnswerError
from risk.criteria import evaluate
from risk.in_force import current_ruleset
from risk.instruments import PackError, get_pack, load_all_packs
from risk.requests import RequestError, answers_from_request, facts_from_request
from risk.rulesets import RuleSet, load_all_rulesets
from risk.scoring import score

risk_cli = AppGroup("risk", help="Risk tool packs and scoring.")


@risk_cli.command("tools")
def list_tools():
    """List the tool packs: id, name, version, scoring method and number of items."""
    for pack in load_all_packs().values():
        click.echo(f"{pack.id}\t{pack.name}\t{pack.version}\t{pack.scoring.method}\t{len(pack.items)} items")


@risk_cli.command("score")
@click.argument("tool_id")
@click.argument("source")
def score_tool(tool_id, source):
    """Score answers read from SOURCE (a JSON file, or - for standard input) with TOOL_ID."""
    try:
        pack = get_pack(tool_id)
        body = read_json(source)
        if isinstance(body, dict) and body.get("tool", tool_id) != tool_id:
            raise RequestError(
                f"tool: the input says {body['tool']!r} but the command scores {tool_id!r}; "
                "leave tool out or make them the same"
            )
        result = score(pack, answers_from_request(body))
    except (RequestError, AnswerError, PackError) as problem:
        click.echo(one_line(str(problem)), err=True)
        sys.exit(2)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False))


def read_json(source: str) -> object:
    try:
        if source == "-":
            return json.load(sys.stdin)
        with open(source, encoding="utf-8") as file:
            return json.load(file)
    except OSError as error:
        raise RequestError(f"Cannot read {source}: {error.strerror}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RequestError(
            f'The input is not valid JSON ({error}); send an object like {{"answers": {{"q1": "yes"}}}}'
        ) from error


@risk_cli.command("evaluate")
@click.argument("source")
def evaluate_case(source):
    """Decide MARAC eligibility for the case described in SOURCE (a JSON file, or - for standard input)."""
    try:
        facts = facts_from_request(read_json(source))
    except (RequestError, AnswerError, PackError) as problem:
        click.echo(one_line(str(problem)), err=True)
        sys.exit(2)
    click.echo(json.dumps(evaluate(facts, current_ruleset()).to_dict(), ensure_ascii=False))


@risk_cli.command("rulesets")
@click.option("--rules", "show_rules", is_flag=True, help="Also print every rule of the rule set in force.")
def list_rulesets(show_rules):
    """List the rule sets: id, name and how many rules are unverified; marks the one in force."""
    in_force = current_ruleset()
    for ruleset in load_all_rulesets().values():
        marker = "in force" if ruleset.version == in_force.version else ""
        click.echo("\t".join([ruleset.version, ruleset.name, counted(ruleset), marker]).rstrip("\t"))
    if in_force.version not in load_all_rulesets():
        base = in_force.version.partition("+")[0]
        click.echo(
            "\t".join([in_force.version, f"{base} with this site's override file", counted(in_force), "in force"])
        )
    if show_rules:
        for rule in in_force.rules.values():
            checked = "verified" if rule.verified else "UNVERIFIED"
            click.echo(f"{rule.key}\t{rule.shown_value}\t{checked}\t{rule.label}\t{rule.source}")


def counted(ruleset: RuleSet) -> str:
    return f"{len(ruleset.rules)} rules, {len(ruleset.unverified)} unverified"


def one_line(message: str) -> str:
    return " ".join(message.split())
