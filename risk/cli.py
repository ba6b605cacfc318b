import json
import sys

import click
from flask.cli import AppGroup

from risk.answers import AnswerError
from risk.criteria import evaluate
from risk.instruments import PackError, get_pack, load_all_packs
from risk.journey import current_ruleset
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
            raise RequestError(f"tool: the input says {body['tool']!r} but the command scores {tool_id!r}; leave tool out or make them the same")
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
        click.echo("\t".join([in_force.version, f"{base} with this site's override file", counted(in_force), "in force"]))
    if show_rules:
        for rule in in_force.rules.values():
            checked = "verified" if rule.verified else "UNVERIFIED"
            click.echo(f"{rule.key}\t{rule.shown_value}\t{checked}\t{rule.label}\t{rule.source}")


def counted(ruleset: RuleSet) -> str:
    return f"{len(ruleset.rules)} rules, {len(ruleset.unverified)} unverified"


def one_line(message: str) -> str:
    return " ".join(message.split())


CLI_MAX_ROWS = 200_000


class ImportArgumentError(ValueError):
    """Bad arguments or an unreadable file: one line on standard error, exit 2."""


@risk_cli.command("import")
@click.argument("file")
@click.option("--tool", "tool_id", help="The tool the assessments were made with (see: flask risk tools).")
@click.option("--agency", "agency_name", help="The agency whose assessments these are, by its name in the toolkit.")
@click.option("--dry-run", is_flag=True, help="Check every row and print the report; write nothing.")
def import_assessments(file, tool_id, agency_name, dry_run):
    """Import completed assessments from FILE (.csv or .xlsx), all in one transaction.

    Uses the agency's saved column mapping for the tool, else reads the headings. Rows that may be
    someone already known are left out, to be decided in the web app; referrals are made there too.
    The import is recorded as done by the agency's first active agency representative, or failing
    that the first active MARAC coordinator. Exit 0 when rows were imported (or would be, with
    --dry-run), 1 when none could be, 2 for bad arguments or an unreadable file."""
    from datetime import date
    from pathlib import Path

    from risk import import_store
    from risk import store as risk_store
    from risk.import_files import ImportFileError, read_table
    from risk.importing import blocking_problems, detect_mapping, validate

    try:
        pack, agency, user = import_arguments(tool_id, agency_name, dry_run)
        frame = read_table(read_file(file), Path(file).name, max_rows=CLI_MAX_ROWS)
    except (ImportArgumentError, ImportFileError) as problem:
        click.echo(one_line(str(problem)), err=True)
        sys.exit(2)
    saved = import_store.get_saved_mapping(agency.id, pack.id)
    mapping = saved or detect_mapping(pack, list(frame.columns))
    if blocking := blocking_problems(pack, mapping):
        click.echo(one_line(f"The columns cannot be read as {pack.name}: {' '.join(blocking)}"), err=True)
        sys.exit(2)
    click.echo(f"Columns: {'the mapping saved for ' + agency.name if saved else 'read from the headings'}.")
    report = validate(frame, pack, mapping, today=date.today())
    suggestions = import_store.suggest_matches(report.rows, risk_store.list_people_for_matching())
    rows = [row for row in report.rows if row.row not in suggestions]
    print_import_report(report, suggestions, len(rows))
    if not rows:
        click.echo("Nothing could be imported.")
        sys.exit(1)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    batch = import_store.create_batch(token=None, agency_id=agency.id, tool_id=pack.id, filename_shown=Path(file).name, mapping=mapping, user=user)
    progress = lambda done, total: click.echo(f"Written {done:,} of {total:,} rows (nothing is saved until every row is written)")  # noqa: E731
    try:
        outcome = import_store.commit_import(batch, rows, {}, user=user, refer_eligible=False, today=date.today(), progress=progress)
    except import_store.ImportFailed as failure:
        click.echo(one_line(str(failure)), err=True)
        sys.exit(1)
    click.echo(f"Imported {outcome.imported:,} assessments for {agency.name} (import {batch.id}).")
    click.echo(f"{outcome.eligible:,} meet the MARAC criteria: refer them from each case in the web app.")


def import_arguments(tool_id, agency_name, dry_run):
    from access import store as access_store
    from risk import import_store

    if not tool_id:
        raise ImportArgumentError("Say which tool with --tool, for example --tool dash-ric (see: flask risk tools).")
    if not agency_name:
        raise ImportArgumentError("Say whose assessments these are with --agency and the agency's name, in quotes if it has spaces.")
    try:
        pack = get_pack(tool_id)
    except PackError:
        raise ImportArgumentError(f"There is no tool {tool_id!r}: use one of the ids listed by: flask risk tools.") from None
    agency = access_store.get_agency_by_name(agency_name)
    if agency is None:
        raise ImportArgumentError(f"No agency is called {agency_name!r}: use its name exactly as the toolkit shows it.")
    user = None if dry_run else import_store.command_line_importer(agency)
    if user is None and not dry_run:
        raise ImportArgumentError(
            f"No one can be recorded as importing: {agency.name} has no active agency representative and there is no "
            "active MARAC coordinator. Create one first."
        )
    return pack, agency, user


def read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise ImportArgumentError(f"Cannot read {path}: {error.strerror}.") from error


def print_import_report(report, suggestions: dict, importable: int) -> None:
    click.echo(f"Rows in the file: {report.total_rows:,}")
    click.echo(f"Will import: {importable:,}")
    click.echo(f"May be someone already known (left out): {len(suggestions):,}")
    click.echo(f"Rows with problems (left out): {report.bad_rows:,}")
    click.echo(f"Repeats of an earlier row (left out): {len(report.duplicates):,}")
    for problem in report.problems:
        click.echo(one_line(f"row {problem.row}, column {problem.column}: {problem.problem} — {problem.what_to_do}"))
    for row, earlier in report.duplicates:
        click.echo(f"row {row}: repeats row {earlier} exactly — left out")
    if suggestions:
        click.echo(f"rows {', '.join(str(row) for row in sorted(suggestions))}: may be people already known — decide these in the web app")
