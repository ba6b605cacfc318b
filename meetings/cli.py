import click
from flask import current_app
from flask.cli import AppGroup

from access import unused_accounts
from access.cli import access_cli
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


# `flask access disable-unused` sits with the other account commands but is registered here: it sends e-mail,
# which the access package cannot (it may not import the mail helpers in meetings.reminders).
@access_cli.command("disable-unused")
def disable_unused():
    """Disable the accounts nobody has signed in to for INACTIVE_ACCOUNT_DAYS (90) and tell them and every
    administrator; run it daily from cron. Prints account numbers, never names or e-mail addresses."""
    with transaction():
        disabled = unused_accounts.disable_unused_accounts()
    days = unused_accounts.inactive_days()
    if not disabled.user_ids:
        click.echo(f"No account has gone {days} days without signing in: none disabled.")
        return
    numbers = ", ".join(str(user_id) for user_id in disabled.user_ids)
    count = len(disabled.user_ids)
    click.echo(
        f"Disabled {count} account{'s' if count != 1 else ''} with no sign-in for {days} days "
        f"(account{'s' if count != 1 else ''} {numbers}); their sessions have ended."
    )
    click.echo(f"Told {disabled.admins_told} administrator{'s' if disabled.admins_told != 1 else ''} in the service.")
    if not current_app.config["MAIL_SERVER"]:
        click.echo("E-mail is not configured, so nobody was e-mailed.")
        return
    if not reminders.send_all([reminders.plain_message(e.subject, e.text, e.recipients) for e in disabled.emails]):
        click.echo("Some of the e-mails could not be sent; the accounts are disabled all the same.", err=True)
        raise SystemExit(1)
    click.echo("E-mailed each person disabled and the administrators.")
