import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from access import accounts, audit_checkpoints, backup, field_crypto, store
from access.audit import AuditAction, audit_key, record_event, verify_chain
from access.models import AgencyKind, Role
from extensions import db
from transactions import transaction

access_cli = AppGroup("access", help="Agencies and user accounts.")
audit_cli = AppGroup("audit", help="The audit trail.")
keys_cli = AppGroup("keys", help="The keys that encrypt safe-contact details and security-code secrets.")


@access_cli.command("create-admin")
@click.option("--email", required=True, help="The administrator's work email address.")
@click.option("--name", required=True, help="The administrator's full name.")
@click.option("--agency", "agency_name", required=True, help="Their agency; created if it does not exist.")
@click.option(
    "--agency-kind",
    type=click.Choice([kind.value for kind in AgencyKind]),
    default=AgencyKind.OTHER.value,
    show_default=True,
    help="The kind of agency, used only when the agency is created.",
)
def create_admin(email, name, agency_name, agency_kind):
    """Create an administrator with a one-time password that must be changed at first sign-in."""
    with transaction():
        if store.get_user_by_email(email):
            raise click.ClickException(f"An account already uses {email}. Choose another email address.")
        agency = store.get_agency_by_name(agency_name) or store.create_agency(
            name=agency_name, kind=AgencyKind(agency_kind)
        )
        user = store.create_user(
            name=name,
            email=email,
            agency=agency,
            role=Role.ADMIN,
            password_hash="not-yet-given",
        )
        one_time_password = accounts.give_one_time_password(user, "NEW_ACCOUNT_PASSWORD_LIFETIME")
        expires_at = user.one_time_password_expires_at
        record_event(AuditAction.USER_CREATED, object_type="user", object_id=user.id)
    click.echo(f"Created administrator {user.email} ({agency.name}).")
    click.echo(f"One-time password: {one_time_password}")
    click.echo(f"It works once, until {expires_at:%Y-%m-%d %H:%M} UTC.")
    click.echo("Sign in with it; you will be asked to choose a new password and set up a security code app.")


@audit_cli.command("verify")
@click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the checkpoints from this file (say, gathered from standard error by a log shipper) "
    "instead of from where MARAC_AUDIT_CHECKPOINTS sends them.",
)
def verify(checkpoint_file):
    """Check the audit trail's keyed hash chain and its signed checkpoints; exit 1 and say what is wrong if
    either fails."""
    count, broken = verify_chain()
    if broken:
        fail_verify(f"Audit trail broken at row {broken.row_id}: {broken.reason}.")
    source = checkpoint_file or audit_checkpoints.checkpoint_destination()
    if source == audit_checkpoints.STANDARD_ERROR:
        click.echo(
            f"Audit trail intact: {count} events checked. Checkpoints go to standard error; "
            "pass --checkpoints FILE to check the trail against them."
        )
        return
    read = audit_checkpoints.read_checkpoint_file(source, audit_key())
    if read.forged_lines:
        fail_verify(
            f"Audit checkpoint on line {read.forged_lines[0]} of {source} is not genuine: "
            "its signature does not match MARAC_AUDIT_KEY."
        )
    broken = audit_checkpoints.check_against_checkpoints(count, read.checkpoints)
    if broken:
        fail_verify(f"Audit trail broken at row {broken.row_id}: {broken.reason}.")
    click.echo(intact_message(count, len(read.checkpoints), source))


def intact_message(count: int, checkpoints: int, source: Path) -> str:
    if checkpoints == 0:
        return (
            f"Audit trail intact: {count} events checked; {source} holds no checkpoints, "
            "so rows cut off the end would not show."
        )
    return (
        f"Audit trail intact: {count} events checked against {checkpoints} checkpoint{'s' if checkpoints != 1 else ''}."
    )


def fail_verify(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


@keys_cli.command("rotate")
def rotate_keys():
    """Re-encrypt every encrypted value with the first key of MARAC_FIELD_KEYS, all in one transaction."""
    ring = current_app.config["FIELD_KEYS"]
    current_id = ring[0][0]
    try:
        with transaction():
            columns = field_crypto.rotate_all(db.session.connection(), db.metadata, ring)
            record_event(AuditAction.FIELD_KEYS_ROTATED, object_type="field-key", object_id=current_id)
    except field_crypto.FieldDecryptionError as error:
        raise click.ClickException(f"{error} Nothing has been changed.") from None
    for column in columns:
        click.echo(
            f"{column.label}: {column.resealed} re-encrypted, {column.already_current} already with key {current_id}"
        )
    click.echo(f"Every encrypted value now uses key {current_id}; any other key can be removed from the key ring.")


@audit_cli.command("checkpoint")
def checkpoint():
    """Write a signed checkpoint of the audit trail's length and last hash outside the database; run it
    hourly from cron."""
    written = write_checkpoint_or_fail()
    click.echo(
        f"Audit checkpoint written to {audit_checkpoints.describe(audit_checkpoints.checkpoint_destination())}: "
        f"{written.rows} rows, last row {written.last_id}."
    )


def write_checkpoint_or_fail() -> audit_checkpoints.Checkpoint:
    try:
        return audit_checkpoints.write_checkpoint()
    except OSError as error:
        raise click.ClickException(
            f"The audit checkpoint could not be written to "
            f"{audit_checkpoints.describe(audit_checkpoints.checkpoint_destination())} "
            f"({error.strerror or type(error).__name__})."
        ) from None


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path):
    """Write every table to PATH, encrypted with MARAC_BACKUP_KEY, with a checksummed manifest, readable only by you."""
    try:
        revision, summaries = backup.write_backup(db.engine, path, current_app.config["BACKUP_PASSPHRASE"])
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Backed up {sum(s.rows for s in summaries)} rows in {len(summaries)} tables at revision {revision} to {path}:"
    )
    for summary in summaries:
        click.echo(f"  {summary.name}: {summary.rows}")
    written = write_checkpoint_or_fail()
    click.echo(f"Audit checkpoint written: {written.rows} rows, last row {written.last_id}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(path):
    """Restore a backup from PATH into this empty, migrated database; all or nothing, checked by checksum."""
    try:
        summaries = backup.restore_backup(db.engine, path, current_app.config["BACKUP_PASSPHRASE"])
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {sum(s.rows for s in summaries)} rows in {len(summaries)} tables; every checksum matches.")
