"""`flask --app app backup FILE` and `restore FILE`: the restore drill (seed, back up, restore into a
fresh database, compare everything, verify the audit chain) and the refusals that change nothing."""

import gzip
import io
import json
import os
import stat

import pytest
import sqlalchemy as sa

from access import store as access_store
from access.audit import AuditAction, record_event
from access.models import AgencyKind, User
from access.sealed_file import OpeningReader, SealingWriter
from extensions import db
from tests.conftest import build_test_app, copy_of_template
from tests.meetings.factories import seed_meeting

PASSPHRASE = "correct horse battery staple, kept apart"


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(autouse=True)
def backup_key(app):
    app.config["BACKUP_PASSPHRASE"] = PASSPHRASE


def stored_contents(app) -> dict[str, list[tuple]]:
    """Every row of every table as stored (JSON as its text, so SQL NULL and JSON null differ), in key order."""
    with app.app_context(), db.engine.connect() as connection:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        contents = {}
        for table in metadata.sorted_tables:
            columns = [sa.cast(c, sa.Text) if isinstance(c.type, sa.JSON) else c for c in table.columns]
            order = list(table.primary_key.columns) or list(table.columns)
            contents[table.name] = [tuple(row) for row in connection.execute(sa.select(*columns).order_by(*order))]
        return contents


def row_counts(contents: dict) -> dict[str, int]:
    return {name: len(rows) for name, rows in contents.items()}


@pytest.fixture
def seeded(app, make_user):
    """Two cases on a meeting's agenda, a signed-up user, six audit events, and one assessment whose
    result is SQL NULL beside others holding JSON."""
    user_id, _ = make_user()
    seeded = seed_meeting(app, cases=2)
    with app.test_request_context():
        user = db.session.get(User, user_id)
        for number in range(6):
            record_event(AuditAction.CASE_VIEWED, user=user, object_type="case", object_id=seeded.case_ids[number % 2])
        db.session.execute(
            sa.text("UPDATE assessment SET result = NULL WHERE case_id = :case"), {"case": seeded.case_ids[0]}
        )
        db.session.commit()
    return seeded


@pytest.fixture
def backup_file(app, seeded, tmp_path):
    path = tmp_path / "marac.backup.gz"
    result = run(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def fresh_app(database_template, tmp_path):
    """A second, empty database migrated to head: the machine the backup is restored onto."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    with copy_of_template(database_template, folder) as url, build_test_app(url, BACKUP_PASSPHRASE=PASSPHRASE) as fresh:
        yield fresh


def plain_lines(path) -> list[str]:
    with open(path, "rb") as raw, io.BufferedReader(OpeningReader(raw, PASSPHRASE)) as opened:
        return gzip.decompress(opened.read()).decode().splitlines(keepends=True)


def manifest_of(path) -> dict:
    return json.loads(plain_lines(path)[-1])["manifest"]


def rewrite(path, change) -> None:
    """Re-seals changed lines with the right passphrase: damage that the encryption alone would not catch."""
    lines = change(plain_lines(path))
    with open(path, "wb") as raw, SealingWriter(raw, PASSPHRASE) as sealed:
        sealed.write(gzip.compress("".join(lines).encode()))


# --- the drill ---------------------------------------------------------------------------------


def test_a_backup_restored_into_a_fresh_database_matches_row_for_row_and_its_audit_chain_verifies(
    app, backup_file, fresh_app
):
    original = stored_contents(app)

    result = run(fresh_app, "restore", str(backup_file))

    assert result.exit_code == 0, result.output
    restored = stored_contents(fresh_app)
    assert row_counts(restored) == row_counts(original)
    assert restored == original
    assert row_counts(original)["audit_event"] == 6
    assert row_counts(original)["person"] == 6  # victim, perpetrator and child for each of two cases
    assert row_counts(original)["agenda_item"] == 2
    # The restored trail is checked against the checkpoints the original wrote, the backup's among them.
    verify = run(fresh_app, "audit", "verify", "--checkpoints", app.config["AUDIT_CHECKPOINTS"])
    assert verify.exit_code == 0, verify.output
    assert "Audit trail intact: 6 events checked against" in verify.output
    assert f"Restored {sum(row_counts(original).values()) - 1} rows" in result.output  # less alembic_version's row


def test_the_manifest_holds_the_revision_and_each_tables_count_and_checksum_which_the_restore_reproduces(
    app, backup_file, fresh_app
):
    manifest = manifest_of(backup_file)
    counts = row_counts(stored_contents(app))

    assert manifest["alembic_revision"] == stored_contents(app)["alembic_version"][0][0]
    assert {entry["name"]: entry["rows"] for entry in manifest["tables"]} == {
        n: c for n, c in counts.items() if n != "alembic_version"
    }
    assert all(len(entry["sha256"]) == 64 for entry in manifest["tables"])
    assert run(fresh_app, "restore", str(backup_file)).exit_code == 0
    second_backup = backup_file.with_name("second.backup.gz")
    assert run(fresh_app, "backup", str(second_backup)).exit_code == 0
    assert manifest_of(second_backup)["tables"] == manifest["tables"]


def test_the_backup_prints_the_counts_and_is_readable_only_by_its_owner(app, seeded, tmp_path):
    path = tmp_path / "marac.backup.gz"

    result = run(app, "backup", str(path))

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not (tmp_path / "marac.backup.gz.tmp").exists()
    assert "  audit_event: 6\n" in result.output
    assert "  person: 6\n" in result.output
    assert "Victim1" not in result.output


def test_nulls_dates_booleans_and_json_come_back_exactly(app, backup_file, fresh_app):
    run(fresh_app, "restore", str(backup_file))

    queries = {
        "SELECT count(*) FROM assessment WHERE result IS NULL": 1,
        "SELECT count(*) FROM assessment WHERE result IS NOT NULL": 1,
        "SELECT count(*) FROM person WHERE date_of_birth = '1990-01-02'": 1,
        "SELECT count(*) FROM referral WHERE victim_informed": 2,
    }
    for sql, expected in queries.items():
        with fresh_app.app_context():
            assert db.session.scalar(sa.text(sql)) == expected, sql


def test_new_rows_after_a_restore_take_the_next_ids(app, backup_file, fresh_app):
    """On PostgreSQL the sequences are moved past the restored ids; SQLite takes max(id) + 1 itself."""
    run(fresh_app, "restore", str(backup_file))
    with fresh_app.app_context():
        highest = db.session.scalar(sa.text("SELECT max(id) FROM agency"))
        agency = access_store.create_agency(name="Riverside Probation", kind=AgencyKind.OTHER)
        db.session.commit()
        assert agency.id == highest + 1


# --- refusals ----------------------------------------------------------------------------------


def test_restoring_into_a_database_that_holds_rows_is_refused_and_changes_nothing(app, backup_file):
    before = stored_contents(app)

    result = run(app, "restore", str(backup_file))

    assert result.exit_code == 1
    assert "Restore only into an empty database" in result.output
    assert "audit_event" in result.output
    assert stored_contents(app) == before


def test_a_backup_with_one_byte_changed_in_a_row_is_refused_by_checksum_and_restores_nothing(backup_file, fresh_app):
    empty = stored_contents(fresh_app)

    def change_one_byte(lines):
        victim = next(i for i, line in enumerate(lines) if '"Victim1"' in line)
        lines[victim] = lines[victim].replace('"Victim1"', '"Victim7"')
        return lines

    rewrite(backup_file, change_one_byte)
    result = run(fresh_app, "restore", str(backup_file))

    assert result.exit_code == 1
    assert "does not match the backup's checksums (person: checksum differs)" in result.output
    assert "Nothing was restored" in result.output
    assert "Victim" not in result.output
    assert stored_contents(fresh_app) == empty


def test_a_row_that_no_longer_parses_is_refused_and_restores_nothing(backup_file, fresh_app):
    empty = stored_contents(fresh_app)

    def break_a_row(lines):
        row = next(i for i, line in enumerate(lines) if '"Victim2"' in line)
        lines[row] = lines[row].replace('"Victim2"', '"Victim2')
        return lines

    rewrite(backup_file, break_a_row)
    result = run(fresh_app, "restore", str(backup_file))

    assert result.exit_code == 1
    assert "is damaged (not valid JSON)" in result.output
    assert stored_contents(fresh_app) == empty


def test_a_backup_from_another_migration_revision_is_refused(backup_file, fresh_app):
    rewrite(
        backup_file,
        lambda lines: lines[:-1] + [lines[-1].replace('"alembic_revision":', '"alembic_revision":"0001","was":')],
    )
    empty = stored_contents(fresh_app)

    result = run(fresh_app, "restore", str(backup_file))

    assert result.exit_code == 1
    assert "The backup is from migration revision 0001" in result.output
    assert stored_contents(fresh_app) == empty


def test_a_file_that_is_not_a_backup_is_refused(fresh_app, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a backup")

    result = run(fresh_app, "restore", str(path))

    assert result.exit_code == 1
    assert "The file is not an encrypted MARAC backup" in result.output


# --- encryption --------------------------------------------------------------------------------


def test_the_backup_is_encrypted_so_no_name_in_it_can_be_read(app, seeded, backup_file):
    with app.app_context():
        names = db.session.execute(sa.text("SELECT given_name, family_name FROM person")).all()
    contents = backup_file.read_bytes()

    assert contents.startswith(b"MARAC-SEALED-1\n")
    assert names and all(
        part.encode() not in contents and part.encode() not in gzip_members(contents) for name in names for part in name
    )
    assert any(name.given_name in "".join(plain_lines(backup_file)) for name in names)


def gzip_members(contents: bytes) -> bytes:
    """Whatever gzip can read from anywhere in the file: nothing, if it is encrypted."""
    start = contents.find(b"\x1f\x8b")
    try:
        return gzip.decompress(contents[start:]) if start >= 0 else b""
    except (OSError, EOFError):
        return b""


def test_without_a_backup_key_the_backup_is_refused_and_no_file_is_written(app, seeded, tmp_path):
    app.config["BACKUP_PASSPHRASE"] = None
    path = tmp_path / "marac.backup.gz"

    result = run(app, "backup", str(path))

    assert result.exit_code == 1
    assert "Set MARAC_BACKUP_KEY to a passphrase of at least 20 characters" in result.output
    assert not path.exists() and not path.with_name(path.name + ".tmp").exists()


def test_a_wrong_passphrase_restores_nothing(backup_file, fresh_app):
    fresh_app.config["BACKUP_PASSPHRASE"] = "another passphrase of enough length"
    empty = stored_contents(fresh_app)

    result = run(fresh_app, "restore", str(backup_file))

    assert result.exit_code == 1
    assert "the passphrase (MARAC_BACKUP_KEY) is wrong or the file is damaged" in result.output
    assert stored_contents(fresh_app) == empty


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:-1], "a part has the wrong length"),
        (lambda data: data[: len(b"MARAC-SEALED-1\n") + 23], "cut short"),
        (
            lambda data: data[:-20] + bytes([data[-20] ^ 1]) + data[-19:],
            "the passphrase (MARAC_BACKUP_KEY) is wrong or the file is damaged",
        ),
        (lambda data: data + b"extra", "there is data after its last part"),
    ],
)
def test_an_encrypted_backup_cut_short_or_changed_restores_nothing(backup_file, fresh_app, damage, message):
    backup_file.write_bytes(damage(backup_file.read_bytes()))
    empty = stored_contents(fresh_app)

    result = run(fresh_app, "restore", str(backup_file))

    assert result.exit_code == 1
    assert message in result.output
    assert stored_contents(fresh_app) == empty
