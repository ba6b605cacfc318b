import click
from flask.cli import AppGroup

from meetings import reminders
from transactions import transaction

meetings_cli = AppGroup("meetings", help="The MARAC meeting cycle.")


@meetings_cli.command("send-reminders")
def send_reminders():
    """E-mail each agency's representatives about their open actions due soon or overdue."""
    # Exits with the outcome only after the commit: actions already reminded stay marked so.
    with transaction():
        outcome = reminders.send_reminders()
    click.echo(outcome.message)
    if not outcome.succeeded and outcome.configured:
        raise SystemExit(1)
