import json
import sys

import click
from flask.cli import AppGroup

from risk.answers import AnswerError
from risk.criteria import evaluate
from risk.instruments import PackError, get_pack, load_all_packs
from risk.journey import current_ruleset
from risk.requests import RequestError, answers_from_request, facts_from_request
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
        result = score(pack, answers_from_request(read_json(source)))
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
        raise RequestError(f"The input is not valid JSON ({error}); send an object like {{\"answers\": {{\"q1\": \"yes\"}}}}") from error


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


def one_line(message: str) -> str:
    return " ".join(message.split())
