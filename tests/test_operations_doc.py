"""docs/operations.md, the runbook for whoever runs the service (SECURITY L7 log shipping and inventory, D10
breach response): it has its sections, and every command and setting it names is real, so it cannot drift
from the code unseen."""

import re
from pathlib import Path

import pytest
from flask.cli import FlaskGroup

from tests.conftest import build_test_app

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "operations.md"
COMMAND = re.compile(r"flask --app app ((?:[a-z][a-z0-9-]*(?: |$))+)(.*)")
OPTION = re.compile(r"--[a-z][a-z-]*")
SETTING = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
REQUIRED_SECTIONS = [
    "Logs and where they go",
    "Log inventory",
    "The audit trail and its checkpoints",
    "Backups and the restore drill",
    "Key rotation",
    "Breach runbook",
    "Scheduled jobs",
]


def doc_text() -> str:
    return DOC.read_text() if DOC.exists() else ""


def code_segments(text: str) -> list[str]:
    """Each line of a fenced block, and each inline code span: where the document names commands and settings."""
    segments, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif fenced:
            segments.append(line)
        else:
            segments.extend(re.findall(r"`([^`]+)`", line))
    return segments


def named_commands() -> dict[str, set[str]]:
    """{"audit verify": {"--checkpoints"}, ...}: each command the document runs, and the options it gives it."""
    commands: dict[str, set[str]] = {}
    for segment in code_segments(doc_text()):
        for match in COMMAND.finditer(segment):
            rest = re.split(r"(?:^|\s)(?:>|>>|\||&&|;|2>&1)(?:\s|$)", match.group(2))[0]
            commands.setdefault(match.group(1).strip(), set()).update(OPTION.findall(rest))
    return commands


def command_params():
    return [pytest.param(name, options, id=name) for name, options in sorted(named_commands().items())]


@pytest.fixture(scope="module")
def cli_app():
    # --help reads no table, so an empty in-memory database will do whatever TEST_DATABASE_URL says.
    with build_test_app("sqlite://") as app:
        yield app


def test_l7_d10_the_operations_document_has_every_section():
    headings = re.findall(r"^## (.+)$", doc_text(), re.MULTILINE)
    missing = [section for section in REQUIRED_SECTIONS if section not in headings]
    assert missing == []


def test_l7_d10_the_document_names_the_commands_an_operator_needs():
    names = set(named_commands())
    needed = {
        "audit verify",
        "audit checkpoint",
        "backup",
        "restore",
        "db upgrade",
        "keys rotate",
    }
    assert needed <= names, needed - names


@pytest.mark.parametrize(("command", "options"), command_params())
def test_l7_d10_every_command_the_document_names_exists_with_its_options(cli_app, command, options):
    result = cli_app.test_cli_runner().invoke(FlaskGroup(), [*command.split(), "--help"])

    assert result.exit_code == 0, result.output
    usage = result.output.splitlines()[0]
    assert usage.startswith(f"Usage: root {command} ") and "COMMAND" not in usage, f"{command} is not a command"
    for option in options:
        assert option in result.output, f"{command} has no {option}"


def test_l7_d10_every_setting_the_document_names_is_read_by_config():
    config = (ROOT / "config.py").read_text()
    names = {name for segment in code_segments(doc_text()) for name in SETTING.findall(segment)}
    assert {"MARAC_AUDIT_KEY", "MARAC_BACKUP_KEY", "MARAC_FIELD_KEYS", "SECRET_KEY"} <= names
    unknown = sorted(name for name in names if f'"{name}"' not in config)
    assert unknown == []


def test_l7_the_log_inventory_keeps_the_audit_trail_for_the_case_life_plus_two_years_marked_unverified():
    inventory = section("Log inventory")
    assert "life of the case record + 2 years" in inventory
    assert "unverified" in inventory.lower() and "DPO" in inventory


def test_d10_the_breach_runbook_uses_the_who_saw_what_reports_and_the_72_hour_deadline_marked_unverified():
    runbook = section("Breach runbook")
    menu = (ROOT / "templates" / "reports" / "audit-reports.html").read_text()
    for report in ("Who viewed a case", "What a user viewed, and when"):
        assert report in runbook and report in menu, f"the runbook names the report as the app does: {report}"
    assert re.search(r"72 hours[^.\n]*\[M", runbook), "the ICO deadline must be marked [M: confirm]"
    assert "Account is active" in runbook, "containment names the real admin step that ends a person's sessions"


def test_l7_d10_the_scheduled_jobs_give_crontab_lines_for_retention_and_unused_accounts():
    crontab = [line for line in code_segments(section("Scheduled jobs")) if re.match(r"^[0-9*]", line)]
    joined = "\n".join(crontab)
    for command in ("retention run", "access disable-unused", "audit checkpoint"):
        assert f"flask --app app {command}" in joined


def test_the_readme_links_the_operations_document():
    assert "(docs/operations.md)" in (ROOT / "README.md").read_text()


def section(heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", doc_text(), re.MULTILINE | re.DOTALL)
    assert match, f"docs/operations.md has no section {heading!r}"
    return match.group(1)
