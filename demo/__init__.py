"""Demo data, so that a newcomer sees agencies, one account per role and an upcoming meeting."""

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from access import signin
from access import store as access_store
from access.models import AgencyKind, Role
from demo.cases import seed_demo_cases
from demo.meeting_day import MeetingDayRefused, bring_meeting_day_to_today
from demo.meetings import seed_demo_meetings
from demo.retention import seed_demo_retention
from demo.subject_access import seed_demo_subject_access
from extensions import utcnow
from transactions import transaction

demo_cli = AppGroup("demo", help="Demo data for trying the toolkit. Never for real data.")

DEMO_AREA = "Riverside (demo)"
DEMO_AGENCIES = (
    ("Riverside Police", AgencyKind.POLICE),
    ("Riverside IDVA Service", AgencyKind.IDVA),
    ("Riverside Children's Services", AgencyKind.CHILDRENS_SOCIAL_CARE),
    ("Riverside Hospitals NHS Trust", AgencyKind.HEALTH),
    ("Riverside Housing", AgencyKind.HOUSING),
    ("Probation Service, Riverside", AgencyKind.PROBATION),
    ("Riverside Mental Health Team", AgencyKind.MENTAL_HEALTH),
    ("Riverside Recovery Service", AgencyKind.SUBSTANCE_MISUSE),
    ("Riverside Schools", AgencyKind.EDUCATION),
    ("Riverside Council", AgencyKind.OTHER),
)


@dataclass(frozen=True)
class DemoAccount:
    name: str
    email: str
    role: Role
    agency: str


DEMO_ACCOUNTS = (
    DemoAccount("Priya Practitioner", "practitioner@demo.invalid", Role.PRACTITIONER, "Riverside Police"),
    DemoAccount("Ade Agency-Rep", "agency-rep@demo.invalid", Role.AGENCY_REP, "Riverside Hospitals NHS Trust"),
    DemoAccount("Chris Chair", "chair@demo.invalid", Role.CHAIR, "Riverside Police"),
    DemoAccount("Cam Coordinator", "coordinator@demo.invalid", Role.COORDINATOR, "Riverside IDVA Service"),
    DemoAccount("Alex Admin", "admin@demo.invalid", Role.ADMIN, "Riverside Council"),
    DemoAccount("Aud Auditor", "auditor@demo.invalid", Role.AUDITOR, "Riverside Council"),
)


def demo_password_path() -> Path:
    return Path(current_app.instance_path) / "demo_password"


def require_demo_mode() -> None:
    if not current_app.config["DEMO_MODE"]:
        raise click.ClickException("Demo data can only be loaded in demo mode (MARAC_ENV=development).")


@demo_cli.command("seed")
def seed():
    """Load demo data into an empty database; a database with accounts is left as it is."""
    require_demo_mode()
    if access_store.count_users():
        click.echo("The database already has accounts; demo data not loaded.")
        return
    password = secrets.token_urlsafe(12)
    with transaction():
        load_demo_data(signin.make_password_hash(password))
    write_demo_password(password)
    click.echo("Demo data loaded.")


def load_demo_data(password_hash: str) -> None:
    agencies = {name: access_store.create_agency(name=name, kind=kind) for name, kind in DEMO_AGENCIES}
    users = {
        account.role: access_store.create_user(
            name=account.name,
            email=account.email,
            agency=agencies[account.agency],
            role=account.role,
            password_hash=password_hash,
            is_demo=True,
        )
        for account in DEMO_ACCOUNTS
    }
    area, today = current_app.config.get("MARAC_AREA") or DEMO_AREA, utcnow().date()
    seed_demo_cases(users, agencies, area, today)
    next_wednesday = next_weekday_at(utcnow().astimezone(ZoneInfo("Europe/London")), weekday=2, at=time(10, 0))
    seed_demo_meetings(users, agencies, area, today, next_wednesday.date())
    seed_demo_retention(users, agencies, area, today)
    seed_demo_subject_access(users, today)


def write_demo_password(password: str) -> None:
    path = demo_password_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(password)


def next_weekday_at(now: datetime, *, weekday: int, at: time) -> datetime:
    """The next such weekday after `now`'s own date: given UK time, never today in the UK."""
    days_ahead = (weekday - now.weekday()) % 7 or 7
    day = (now + timedelta(days=days_ahead)).date()
    return datetime.combine(day, at, tzinfo=ZoneInfo("Europe/London"))


@demo_cli.command("meeting-day")
def meeting_day():
    """Bring the demo's next meeting (its MARAC list issued) to today, so that the chair can run it now."""
    require_demo_mode()
    try:
        with transaction():
            done = bring_meeting_day_to_today(utcnow())
    except MeetingDayRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(done)


@demo_cli.command("accounts")
def accounts():
    """Print the demo accounts and their shared password."""
    require_demo_mode()
    users = access_store.list_demo_users()
    path = demo_password_path()
    if not users or not path.exists():
        click.echo("No demo accounts here. Load them with: flask --app app demo seed")
        return
    click.echo("Demo accounts (demo mode: no security code needed):")
    for user in users:
        click.echo(f"  {user.role.label:<22} {user.email:<28} {user.agency.name}")
    click.echo(f"  Password for all of them: {path.read_text().strip()}")
