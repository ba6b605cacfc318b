import base64
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from config import (
    ConfigError,
    common_settings,
    development_settings,
    production_settings,
    settings_from_environment,
)
from config import test_settings as settings_for_tests

REPOSITORY = Path(__file__).resolve().parent.parent
GOOD_KEY = "kY3v8Qp1Zr7mW2xN5tB9cL4dF6gH0jS3aE8uI1oP2yT"
GOOD_AUDIT_KEY = "Vb2nM8qR4tY6uI0oP3aS5dF7gH9jK1lZ2xC4vB6nM8q"
FIELD_KEY = bytes(range(100, 132))
FIELD_KEYS = f"k2:{base64.b64encode(FIELD_KEY).decode()},k1:{base64.b64encode(bytes(range(32))).decode()}"
GOOD_PRODUCTION = {
    "SECRET_KEY": GOOD_KEY,
    "DATABASE_URL": "postgresql://marac@db.internal/marac",
    "MARAC_FIELD_KEYS": FIELD_KEYS,
    "MARAC_AUDIT_KEY": GOOD_AUDIT_KEY,
    "MARAC_PUBLIC_URL": "https://marac.example.org",
}


def test_production_starts_with_a_strong_key_and_a_database():
    settings = production_settings(GOOD_PRODUCTION)

    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://marac@db.internal/marac"
    assert settings["SESSION_COOKIE_NAME"] == "__Host-session"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["DEMO_MODE"] is False
    assert settings["FIELD_KEYS"] == (("k2", FIELD_KEY), ("k1", bytes(range(32))))
    assert settings["AUDIT_KEY"] == GOOD_AUDIT_KEY


@pytest.mark.parametrize(
    ("environ", "advice"),
    [
        ({"DATABASE_URL": "postgresql://db/marac"}, "SECRET_KEY is not set"),
        ({**GOOD_PRODUCTION, "SECRET_KEY": "dev"}, "well-known development value"),
        ({**GOOD_PRODUCTION, "SECRET_KEY": "x" * 31}, "at least 32 random bytes"),
        ({**GOOD_PRODUCTION, "SECRET_KEY": GOOD_KEY[:42]}, "at least 32 random bytes"),
        ({**GOOD_PRODUCTION, "SECRET_KEY": "ab" * 40}, "at least 32 random bytes"),
        ({"SECRET_KEY": GOOD_KEY}, "DATABASE_URL is not set"),
        ({**GOOD_PRODUCTION, "DEMO_MODE": "1"}, "unset DEMO_MODE"),
        ({**GOOD_PRODUCTION, "DEMO_MODE": "true"}, "unset DEMO_MODE"),
    ],
)
def test_production_refuses_to_start_and_says_what_to_set(environ, advice):
    with pytest.raises(ConfigError, match=advice):
        create_app(settings_from_environment({**environ, "MARAC_ENV": "production"}, "/nonexistent"))


AUDIT_KEY_REFUSALS = [
    pytest.param(
        {k: v for k, v in GOOD_PRODUCTION.items() if k != "MARAC_AUDIT_KEY"}, "MARAC_AUDIT_KEY is not set", id="unset"
    ),
    pytest.param({**GOOD_PRODUCTION, "MARAC_AUDIT_KEY": ""}, "MARAC_AUDIT_KEY is not set", id="empty"),
    pytest.param({**GOOD_PRODUCTION, "MARAC_AUDIT_KEY": "changeme"}, "MARAC_AUDIT_KEY is a well-known", id="weak"),
    pytest.param(
        {**GOOD_PRODUCTION, "MARAC_AUDIT_KEY": GOOD_AUDIT_KEY[:42]},
        "MARAC_AUDIT_KEY must be at least 32 random bytes",
        id="short",
    ),
    pytest.param(
        {**GOOD_PRODUCTION, "MARAC_AUDIT_KEY": GOOD_KEY},
        "MARAC_AUDIT_KEY is the same as SECRET_KEY",
        id="same as SECRET_KEY",
    ),
]


@pytest.mark.parametrize(("environ", "advice"), AUDIT_KEY_REFUSALS)
def test_L4_production_refuses_to_start_without_its_own_strong_audit_key(environ, advice):
    with pytest.raises(ConfigError, match=advice):
        create_app(settings_from_environment({**environ, "MARAC_ENV": "production"}, "/nonexistent"))


def test_L4_a_command_without_the_audit_key_says_so_in_one_line(monkeypatch):
    for name, value in GOOD_PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MARAC_AUDIT_KEY")
    monkeypatch.setenv("MARAC_ENV", "production")

    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "audit", "verify"],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=120,
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "The settings cannot be used: MARAC_AUDIT_KEY is not set. Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
    ]


def test_production_is_the_default_and_the_message_points_to_the_demo_setting():
    with pytest.raises(ConfigError, match="MARAC_ENV=development"):
        settings_from_environment({}, "/nonexistent")


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="MARAC_ENV must be"):
        settings_from_environment({"MARAC_ENV": "staging"}, "/nonexistent")


def test_production_password_hashing_is_at_or_above_the_owasp_floor():
    parameters = production_settings(GOOD_PRODUCTION)["PASSWORD_HASH_PARAMETERS"]

    assert parameters["memory_cost"] >= 19 * 1024
    assert parameters["time_cost"] >= 2
    assert parameters["parallelism"] >= 1


def test_development_makes_a_random_secret_key_once_and_keeps_it(tmp_path):
    first = development_settings({}, str(tmp_path))
    second = development_settings({}, str(tmp_path))

    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 43
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert development_settings({}, str(tmp_path / "other"))["SECRET_KEY"] != first["SECRET_KEY"]


def test_L4_development_makes_a_random_audit_key_once_apart_from_the_secret_key(tmp_path):
    first = development_settings({}, str(tmp_path))
    second = development_settings({}, str(tmp_path))

    assert first["AUDIT_KEY"] == second["AUDIT_KEY"]
    assert len(first["AUDIT_KEY"]) >= 43
    assert first["AUDIT_KEY"] != first["SECRET_KEY"]
    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
    assert development_settings({"MARAC_AUDIT_KEY": GOOD_AUDIT_KEY}, str(tmp_path))["AUDIT_KEY"] == GOOD_AUDIT_KEY
    assert first["AUDIT_CHECKPOINTS"] == str(tmp_path / "audit-checkpoints.jsonl")


def test_L4_audit_checkpoints_go_to_the_instance_folder_unless_set():
    assert production_settings(GOOD_PRODUCTION)["AUDIT_CHECKPOINTS"] is None
    assert production_settings(GOOD_PRODUCTION | {"MARAC_AUDIT_CHECKPOINTS": "stderr"})["AUDIT_CHECKPOINTS"] == "stderr"


def test_development_is_demo_mode_on_a_sqlite_file_under_instance(tmp_path):
    settings = development_settings({}, str(tmp_path))

    assert settings["DEMO_MODE"] is True
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'marac.sqlite'}"
    assert development_settings({"DEMO_MODE": "0"}, str(tmp_path))["DEMO_MODE"] is False


def test_factory_builds_an_app_from_settings(app):
    assert app.config["ENV_NAME"] == "test"
    assert "access" in app.blueprints


def test_local_meeting_practice_and_mail_come_from_the_environment():
    settings = production_settings(
        GOOD_PRODUCTION
        | {
            "MARAC_RESEARCH_DAYS_BEFORE_MEETING": "5",
            "MARAC_WAITING_TARGET_DAYS": "21",
            "MAIL_SERVER": "smtp.internal",
            "MAIL_PORT": "587",
        }
    )

    assert (settings["RESEARCH_DAYS_BEFORE_MEETING"], settings["WAITING_TARGET_DAYS"]) == (5, 21)
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"]) == ("smtp.internal", 587)
    assert production_settings(GOOD_PRODUCTION)["MAIL_SERVER"] is None


def test_a_meeting_setting_that_is_not_a_whole_number_is_refused_with_its_name():
    with pytest.raises(ConfigError, match="MARAC_RESEARCH_DAYS_BEFORE_MEETING must be a whole number"):
        production_settings(GOOD_PRODUCTION | {"MARAC_RESEARCH_DAYS_BEFORE_MEETING": "three"})


def test_document_marking_population_repeat_range_and_import_folder_come_from_the_environment():
    settings = production_settings(
        GOOD_PRODUCTION
        | {
            "MARAC_PROTECTIVE_MARKING": "RESTRICTED WHEN COMPLETE",
            "MARAC_ADULT_FEMALE_POPULATION": "152000",
            "MARAC_REPEAT_RATE_EXPECTED": "25-38",
            "MARAC_IMPORT_FOLDER": "/srv/marac/imports",
        }
    )

    assert settings["PROTECTIVE_MARKING"] == "RESTRICTED WHEN COMPLETE"
    assert settings["ADULT_FEMALE_POPULATION"] == 152000
    assert settings["REPEAT_RATE_EXPECTED"] == (25, 38)
    assert settings["IMPORT_FOLDER"] == "/srv/marac/imports"
    defaults = production_settings(GOOD_PRODUCTION)
    assert (defaults["PROTECTIVE_MARKING"], defaults["ADULT_FEMALE_POPULATION"], defaults["REPEAT_RATE_EXPECTED"]) == (
        "OFFICIAL-SENSITIVE",
        None,
        (28, 40),
    )


@pytest.mark.parametrize("value", ["28", "40-28", "a-b", "28-140"])
def test_a_repeat_range_that_is_not_two_percentages_low_to_high_is_refused(value):
    with pytest.raises(ConfigError, match="MARAC_REPEAT_RATE_EXPECTED must be two percentages like 28-40"):
        production_settings(GOOD_PRODUCTION | {"MARAC_REPEAT_RATE_EXPECTED": value})


# --- D4: the field key ring ----------------------------------------------------------------------


@pytest.mark.parametrize("keys", [None, "", " "])
def test_D4_production_without_field_keys_refuses_to_start_in_one_line(keys):
    environ = {"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "postgresql://db/marac", "MARAC_ENV": "production"}
    if keys is not None:
        environ["MARAC_FIELD_KEYS"] = keys

    with pytest.raises(ConfigError, match="MARAC_FIELD_KEYS is not set") as raised:
        create_app(settings_from_environment(environ, "/nonexistent"))

    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("keys", "advice"),
    [
        ("k1", "Entry 1 of MARAC_FIELD_KEYS must be id:key"),
        ("k.1:" + base64.b64encode(FIELD_KEY).decode(), "Entry 1 of MARAC_FIELD_KEYS must be id:key"),
        ("k1:not-base64!", "Key 'k1' in MARAC_FIELD_KEYS must be 32 random bytes"),
        ("k1:" + base64.b64encode(FIELD_KEY[:16]).decode(), "Key 'k1' in MARAC_FIELD_KEYS must be 32 random bytes"),
        ("k1:" + base64.b64encode(bytes(32)).decode(), "Key 'k1' in MARAC_FIELD_KEYS must be 32 random bytes"),
        (
            f"k1:{base64.b64encode(FIELD_KEY).decode()},k1:{base64.b64encode(FIELD_KEY).decode()}",
            "names key 'k1' twice",
        ),
    ],
)
def test_D4_production_refuses_a_field_key_ring_it_cannot_use_and_never_echoes_a_key(keys, advice):
    with pytest.raises(ConfigError, match=advice) as raised:
        create_app(
            settings_from_environment(
                {**GOOD_PRODUCTION, "MARAC_FIELD_KEYS": keys, "MARAC_ENV": "production"}, "/nonexistent"
            )
        )

    assert "\n" not in str(raised.value)
    assert base64.b64encode(FIELD_KEY).decode() not in str(raised.value)


def test_D4_the_field_key_ring_can_come_from_a_file(tmp_path):
    path = tmp_path / "field_keys"
    path.write_text(FIELD_KEYS.replace(",", "\n") + "\n")
    environ = {**GOOD_PRODUCTION, "MARAC_FIELD_KEYS": "", "MARAC_FIELD_KEYS_FILE": str(path)}

    assert production_settings(environ)["FIELD_KEYS"] == production_settings(GOOD_PRODUCTION)["FIELD_KEYS"]


@pytest.mark.parametrize(
    ("extra", "advice"),
    [
        (
            {"MARAC_FIELD_KEYS_FILE": "/nonexistent/field_keys"},
            "Both MARAC_FIELD_KEYS and MARAC_FIELD_KEYS_FILE are set",
        ),
        (
            {"MARAC_FIELD_KEYS": "", "MARAC_FIELD_KEYS_FILE": "/nonexistent/field_keys"},
            "MARAC_FIELD_KEYS_FILE cannot be read",
        ),
    ],
)
def test_D4_a_field_key_file_must_be_the_only_source_and_readable(extra, advice):
    with pytest.raises(ConfigError, match=advice):
        production_settings(GOOD_PRODUCTION | extra)


def test_D4_an_empty_field_key_file_is_refused(tmp_path):
    (tmp_path / "field_keys").write_text("\n")

    with pytest.raises(ConfigError, match="MARAC_FIELD_KEYS_FILE holds no keys"):
        production_settings(
            GOOD_PRODUCTION | {"MARAC_FIELD_KEYS": "", "MARAC_FIELD_KEYS_FILE": str(tmp_path / "field_keys")}
        )


def test_D4_development_makes_a_random_field_key_once_and_keeps_it(tmp_path):
    first = development_settings({}, str(tmp_path))["FIELD_KEYS"]

    assert development_settings({}, str(tmp_path))["FIELD_KEYS"] == first
    assert [len(key) for _, key in first] == [32]
    assert (tmp_path / "field_keys").stat().st_mode & 0o777 == 0o600
    assert development_settings({}, str(tmp_path / "other"))["FIELD_KEYS"] != first
    assert development_settings({"MARAC_FIELD_KEYS": FIELD_KEYS}, str(tmp_path))["FIELD_KEYS"][0] == ("k2", FIELD_KEY)


def test_production_refuses_to_start_without_the_public_address_for_email_links():
    with pytest.raises(ConfigError, match="MARAC_PUBLIC_URL is not set"):
        production_settings({k: v for k, v in GOOD_PRODUCTION.items() if k != "MARAC_PUBLIC_URL"})
    with pytest.raises(ConfigError, match="MARAC_PUBLIC_URL must start with https://"):
        production_settings({**GOOD_PRODUCTION, "MARAC_PUBLIC_URL": "http://marac.example.org"})
    assert production_settings(GOOD_PRODUCTION)["PUBLIC_URL"] == "https://marac.example.org"


def test_h9_a_server_behind_a_proxy_takes_its_hop_count_and_limit_storage_from_the_environment(tmp_path):
    # `make serve` runs development settings: two such servers behind nginx need both, as production does.
    environment = {"PROXY_FIX_HOPS": "1", "RATELIMIT_STORAGE_URI": "memcached://127.0.0.1:11211"}
    for settings in (
        development_settings(environment, str(tmp_path)),
        production_settings(GOOD_PRODUCTION | environment),
    ):
        assert (settings["PROXY_FIX_HOPS"], settings["RATELIMIT_STORAGE_URI"]) == (1, "memcached://127.0.0.1:11211")
    unset = development_settings({}, str(tmp_path))
    assert (unset["PROXY_FIX_HOPS"], unset["RATELIMIT_STORAGE_URI"]) == (0, "memory://")


GARBAGE_COLLECTOR_AFTER_START = """
import gc, sys
from app import create_app
from config import test_settings
create_app(test_settings(sys.argv[1], SETTLE_GARBAGE_COLLECTOR=sys.argv[2] == "on"))
print(gc.get_freeze_count() > 0, gc.get_threshold()[2])
"""


@pytest.mark.parametrize(("setting", "expected"), [("on", "True 100"), ("off", "False 10")])
def test_a_served_app_leaves_what_it_set_up_out_of_full_garbage_collections_and_runs_them_less_often(
    tmp_path, setting, expected
):
    # A full collection walks every object a process holds: one app's set-up (templates, routes, rule tables) is
    # hundreds of thousands of them that never become garbage, and walking them held a request for 200 ms.
    # Here in a process of its own: freezing the objects of the test run itself would keep them for good.
    started = subprocess.run(  # nosec B603: this test's own script, run with this Python
        [sys.executable, "-c", GARBAGE_COLLECTOR_AFTER_START, f"sqlite:///{tmp_path / 'app.sqlite'}", setting],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=120,
    )

    assert started.returncode == 0, started.stderr
    assert started.stdout.split("\n")[-2] == expected


def test_the_garbage_collector_is_settled_in_every_setting_but_the_tests():
    assert common_settings()["SETTLE_GARBAGE_COLLECTOR"] is True
    assert settings_for_tests("sqlite://")["SETTLE_GARBAGE_COLLECTOR"] is False
