"""`flask --app app retention run [--dry-run]`: the daily retention run (SECURITY D5), meant for cron.

It prints what is due by case reference and kind, never a name, and exits non-zero if anything failed."""

import click
from flask.cli import AppGroup

from reports import retention
from reports.quarters import uk_today

retention_cli = AppGroup("retention", help="How long records are kept (SECURITY D5).")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="List what is due and change nothing.")
def run_retention(dry_run):
    """Anonymise the cases due (one transaction each); delete old sessions, notifications and closed subject
    access requests."""
    today = uk_today()
    report = retention.run(today, dry_run=dry_run)
    click.echo(f"Retention run for {today:%-d %B %Y}" + (" (dry run: nothing is changed)" if dry_run else ""))
    if not report.due:
        click.echo("case: none due")
    failed = dict(report.failed)
    for entry in report.due:
        click.echo(
            f"case {entry.reference}: due {entry.due_on:%-d %B %Y}, {case_outcome(entry.reference, report, failed)}"
        )
    for entry in report.held:
        click.echo(f"case {entry.reference}: due {entry.due_on:%-d %B %Y}, on legal hold: left as it is")
    if report.unnamed_people is not None:
        click.echo(f"{retention.UNNAMED_PEOPLE}: {report.unnamed_people} {'to anonymise' if dry_run else 'anonymised'}")
    for kind, count in report.deleted.items():
        click.echo(f"{kind}: {count} {'to delete' if dry_run else 'deleted'}")
    for kind, count in report.cleared.items():
        click.echo(f"{kind}: {count} {'names to clear' if dry_run else 'names cleared'}")
    for what, error in report.failed:
        if what in (
            retention.SESSION,
            retention.NOTIFICATION,
            retention.SUBJECT_ACCESS,
            retention.UNNAMED_PEOPLE,
            retention.MEETING_REGISTER,
            retention.IMPORT,
        ):
            click.echo(f"{what}: failed ({error}); nothing of this kind was deleted")
    if not report.succeeded:
        click.echo(f"{len(report.failed)} failed: see above. Each was left exactly as it was.", err=True)
        raise SystemExit(1)


def case_outcome(reference: str, report: retention.RunReport, failed: dict[str, str]) -> str:
    if report.dry_run:
        return "would be anonymised"
    if reference in failed:
        return f"FAILED ({failed[reference]}): left exactly as it was"
    if reference in report.skipped:
        return "not anonymised: put on legal hold or anonymised since the run began"
    return "anonymised"
