"""`flask risk import`: bulk import from the command line. It sits with the other risk commands but
lives here, because it writes people, cases and referrals."""

import sys
from datetime import date
from pathlib import Path

import click

from access import store as access_store
from cases import imports
from risk.cli import one_line, risk_cli
from risk.imports.checking import blocking_problems, detect_mapping, validate
from risk.imports.files import ImportFileError, read_table
from risk.instruments import PackError, get_pack
from transactions import end_reading, reading_only

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
    try:
        pack, agency, user = import_arguments(tool_id, agency_name, dry_run)
        data = read_file(file)
    except ImportArgumentError as problem:
        click.echo(one_line(str(problem)), err=True)
        sys.exit(2)
    saved = imports.get_saved_mapping(agency.id, pack.id)
    agency_id, agency_name, user_id = agency.id, agency.name, user and user.id
    end_reading()  # reading the file, checking and scoring need no database
    try:
        frame = read_table(data, Path(file).name, max_rows=CLI_MAX_ROWS)
    except ImportFileError as problem:
        click.echo(one_line(str(problem)), err=True)
        sys.exit(2)
    mapping = saved or detect_mapping(pack, list(frame.columns))
    if blocking := blocking_problems(pack, mapping):
        click.echo(one_line(f"The columns cannot be read as {pack.name}: {' '.join(blocking)}"), err=True)
        sys.exit(2)
    click.echo(f"Columns: {'the mapping saved for ' + agency_name if saved else 'read from the headings'}.")
    with imports.cycle_collection_paused():
        with reading_only():  # on SQLite, other users' saves go on while the rows are checked and matched
            report = validate(frame, pack, mapping, today=date.today())
            suggestions = imports.suggest_matches(report.rows)
        rows = [row for row in report.rows if row.row not in suggestions]
        print_import_report(report, suggestions, len(rows))
        if not rows:
            click.echo("Nothing could be imported.")
            sys.exit(1)
        if dry_run:
            click.echo("Dry run: nothing was written.")
            return
        batch_id, outcome = imports.import_outside_a_request(
            agency_id=agency_id,
            user_id=user_id,
            tool_id=pack.id,
            filename=Path(file).name,
            mapping=mapping,
            rows=rows,
            today=date.today(),
            progress=show_progress,
        )
    if isinstance(outcome, imports.ImportFailed):
        click.echo(one_line(str(outcome)), err=True)
        sys.exit(1)
    click.echo(f"Imported {outcome.imported:,} assessments for {agency_name} (import {batch_id}).")
    click.echo(f"{outcome.eligible:,} meet the MARAC criteria: refer them from each case in the web app.")


def show_progress(done: int, total: int) -> None:
    click.echo(f"Written {done:,} of {total:,} rows (nothing is saved until every row is written)")


def import_arguments(tool_id, agency_name, dry_run):
    if not tool_id:
        raise ImportArgumentError("Say which tool with --tool, for example --tool dash-ric (see: flask risk tools).")
    if not agency_name:
        raise ImportArgumentError(
            "Say whose assessments these are with --agency and the agency's name, in quotes if it has spaces."
        )
    try:
        pack = get_pack(tool_id)
    except PackError:
        raise ImportArgumentError(
            f"There is no tool {tool_id!r}: use one of the ids listed by: flask risk tools."
        ) from None
    agency = access_store.get_agency_by_name(agency_name)
    if agency is None:
        raise ImportArgumentError(f"No agency is called {agency_name!r}: use its name exactly as the toolkit shows it.")
    user = None if dry_run else imports.command_line_importer(agency)
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
        click.echo(
            f"rows {', '.join(str(row) for row in sorted(suggestions))}: may be people already known — decide these "
            "in the web app"
        )
