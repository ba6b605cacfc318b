import click
from flask.cli import AppGroup

from meetings import reminders

meetings_cli = AppGroup("meetings", help="The MARAC meeting cycle.")


@meetings_cli.command("send-reminders")
def send_reminders():
    """E-mail each agency's representatives about their open actions due soon or overdue."""
    outcome = reminders.send_reminders()
    click.echo(outcome.message)
    if not outcome.succeeded and outcome.configured:
        raise SystemExit(1)
