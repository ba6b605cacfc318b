"""Settings for each way the app runs: the local demo, tests, and production.

Production settings come only from the environment and are checked before the app starts.
"""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from access.field_crypto import GENERATE_ADVICE, KeyRing, KeyRingError, new_key_ring_text, parse_key_ring
from access.retention_rules import DEFAULT_RULES_FILE

KNOWN_WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "development", "test", "password"}
# Fixed so that tests can compute the hashes they expect; never used outside the test settings.
TEST_AUDIT_KEY = "test-audit-key-for-the-test-suite-only-never-real"
MIN_SECRET_KEY_CHARS = 43  # 32 random bytes as URL-safe base64; hex needs 64
MIN_SECRET_KEY_DISTINCT_CHARS = 12
# A fixed, obviously non-secret key ring, so every app the tests build opens what another one sealed.
TEST_FIELD_KEYS: KeyRing = (("test1", bytes(range(32))),)


class ConfigError(RuntimeError):
    """The app cannot start with these settings; the message says what to set."""


def common_settings() -> dict:
    return {
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=10),
        "IDLE_TIMEOUT": timedelta(minutes=30),
        "ADMIN_IDLE_TIMEOUT": timedelta(minutes=15),
        "IDLE_WARNING": timedelta(minutes=2),
        "ABSOLUTE_TIMEOUT": timedelta(hours=10),
        "MAX_SESSIONS_PER_USER": 3,
        # SECURITY S6: how long after proving who they are (password and security code) a person may export
        # in bulk or change security settings without being asked again.
        "STEP_UP_WINDOW": timedelta(minutes=15),
        # SECURITY A10: how long a one-time password works, for a new account and after a reset.
        "NEW_ACCOUNT_PASSWORD_LIFETIME": timedelta(hours=72),
        "RESET_PASSWORD_LIFETIME": timedelta(minutes=60),
        # SECURITY A12: an account with no sign-in for this many days is disabled by `accounts disable-unused`.
        "INACTIVE_ACCOUNT_DAYS": 90,
        "LOCKOUT_THRESHOLD": 10,
        "LOCKOUT_DURATION": timedelta(minutes=30),
        "SIGN_IN_RATE_LIMIT": "20 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "PASSWORD_HASH_PARAMETERS": {"time_cost": 3, "memory_cost": 65536, "parallelism": 4},
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "PROXY_FIX_HOPS": 0,
        "DEMO_MODE": False,
        "SERVICE_NAME": "MARAC toolkit",
        "MARAC_AREA": None,
        # Case references read out over the phone, like MARAC-2026-0142: the area sets its own letters.
        "CASE_REFERENCE_PREFIX": "MARAC",
        "RULESET_ID": "safelives-2026.1",
        "RULESET_OVERRIDE_FILE": None,
        # SECURITY D5: how long each kind of record is kept; the DPO points MARAC_RETENTION_FILE at their own.
        "RETENTION_RULES_FILE": str(DEFAULT_RULES_FILE),
        # SECURITY §4.8: two renders at once per app process (reports.rendering); a download waits this long
        # for a turn, well inside gunicorn's 60 s, before being told to try again.
        "PDF_QUEUE_WAIT_SECONDS": 20,
        # app.settle_garbage_collector once the app is set up: off in the tests, which make thousands of apps.
        "SETTLE_GARBAGE_COLLECTOR": True,
        # app.CompiledTemplatesInThisProcess: on in the tests, the only place a process makes more than one app.
        "SHARE_COMPILED_TEMPLATES": False,
        "PDF_RENDER_IN_WORKERS": True,
        "MEETING_DEFAULT_CAPACITY": 16,
        "MEETING_DEFAULT_MINUTES_PER_CASE": 15,
        "WAITING_TARGET_DAYS": 14,
        "RESEARCH_DAYS_BEFORE_MEETING": 3,
        "ACTION_REMINDER_DAYS_BEFORE_DUE": 3,
        # A due date further ahead than this is almost always a slip of the year (issue 18: 2031 was accepted).
        "ACTION_LATEST_DUE_DAYS": 183,
        "ACTION_ESCALATE_TO_COORDINATOR_DAYS": 7,
        "ACTION_ESCALATE_TO_CHAIR_DAYS": 21,
        "ACTION_TRACKER_PAGE_SIZE": 50,
        # Where people open the service: e-mails sent from the command line have no request to take it from.
        "PUBLIC_URL": "http://127.0.0.1:5000",
        # SECURITY Z7 and Z8: how long a break-glass look lasts, and when the coordinator is alerted.
        "BREAK_GLASS_DURATION": timedelta(minutes=60),
        "ALERT_CASES_VIEWED_PER_HOUR": 30,
        "ALERT_BREAK_GLASS_PER_DAY": 3,
        "CONFIDENTIALITY_STATEMENT": (
            "Information shared at this meeting is strictly confidential. It is shared only to keep the people "
            "discussed safe, must not be shared outside the meeting, and must not be copied or passed on "
            "without the agreement of the agency that shared it."
        ),
        "PROTECTIVE_MARKING": "OFFICIAL-SENSITIVE",
        "BACKUP_PASSPHRASE": None,
        "AUDIT_KEY": None,
        "AUDIT_CHECKPOINTS": None,  # None: instance/audit-checkpoints.jsonl
        "ADULT_FEMALE_POPULATION": None,
        "REPEAT_RATE_EXPECTED": (28, 40),
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USE_STARTTLS": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_FROM": "marac-toolkit@localhost",
    }


def production_settings(environ) -> dict:
    secret_key = environ.get("SECRET_KEY", "")
    check_random_key("SECRET_KEY", secret_key)
    database_url = environ.get("DATABASE_URL", "")
    if not database_url:
        raise ConfigError(
            "DATABASE_URL is not set. Set it to the PostgreSQL database, for example "
            "postgresql://marac@db.internal/marac."
        )
    if is_truthy(environ.get("DEMO_MODE", "")):
        raise ConfigError("DEMO_MODE is on. Production never runs in demo mode: unset DEMO_MODE.")
    field_keys = field_keys_from_environment(environ)
    if field_keys is None:
        raise ConfigError(
            "MARAC_FIELD_KEYS is not set. Set it (or MARAC_FIELD_KEYS_FILE, a file holding it) to the keys that "
            f"encrypt safe-contact details and security-code secrets, as id:key pairs like k1:KEY. {GENERATE_ADVICE}"
        )
    audit_key = environ.get("MARAC_AUDIT_KEY", "")
    check_random_key("MARAC_AUDIT_KEY", audit_key)
    if audit_key == secret_key:
        raise ConfigError("MARAC_AUDIT_KEY is the same as SECRET_KEY. Give the audit trail a key of its own.")
    public_url = production_public_url(environ)
    return (
        common_settings()
        | {
            "ENV_NAME": "production",
            "SECRET_KEY": secret_key,
            "AUDIT_KEY": audit_key,
            "FIELD_KEYS": field_keys,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SESSION_COOKIE_NAME": "__Host-session",
            "SESSION_COOKIE_SECURE": True,
            "PREFERRED_URL_SCHEME": "https",
            "MARAC_AREA": environ.get("MARAC_AREA") or None,
            "PUBLIC_URL": public_url,
        }
        | server_settings(environ)
        | mail_settings(environ)
        | meeting_settings(environ)
    )


def server_settings(environ) -> dict:
    """How this server sits among others: the proxies in front of it (SECURITY H9) and where sign-in limits
    are counted. `make serve` reads them too, so two local servers behind nginx can share one memcached."""
    return {
        "PROXY_FIX_HOPS": int(environ.get("PROXY_FIX_HOPS", "0")),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "memory://"),
    }


def production_public_url(environ) -> str:
    """The links in e-mails must reach the service and nothing else, so production never guesses them."""
    url = environ.get("MARAC_PUBLIC_URL", "").rstrip("/")
    if not url:
        raise ConfigError(
            "MARAC_PUBLIC_URL is not set. Set it to the address people open the service at, like "
            "https://marac.example.org: e-mails link to it."
        )
    if not url.startswith("https://"):
        raise ConfigError(f"MARAC_PUBLIC_URL must start with https://; it is {url!r}.")
    return url


def development_settings(environ, instance_path: str) -> dict:
    """The local demo: a SQLite file, and random secret, field and audit keys, all kept under instance/."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance / 'marac.sqlite'}"
    return (
        common_settings()
        | {
            "ENV_NAME": "development",
            "SECRET_KEY": environ.get("SECRET_KEY")
            or read_or_make(instance / "secret_key", lambda: secrets.token_urlsafe(32)),
            "FIELD_KEYS": field_keys_from_environment(environ)
            or key_ring(
                read_or_make(instance / "field_keys", lambda: new_key_ring_text("local1")), "instance/field_keys"
            ),
            "AUDIT_KEY": environ.get("MARAC_AUDIT_KEY")
            or read_or_make(instance / "audit_key", lambda: secrets.token_urlsafe(32)),
            "AUDIT_CHECKPOINTS": str(instance / "audit-checkpoints.jsonl"),
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SESSION_COOKIE_NAME": "marac_session",
            "SESSION_COOKIE_SECURE": False,
            "DEMO_MODE": environ.get("DEMO_MODE", "1") != "0",
            "MARAC_AREA": environ.get("MARAC_AREA") or "Riverside (demo)",
            "CASE_REFERENCE_PREFIX": "RIV",
            # The demo area is made up, and so is its population: it lets the dashboard show the rate.
            "ADULT_FEMALE_POPULATION": 60000,
            "PUBLIC_URL": environ.get("MARAC_PUBLIC_URL", "").rstrip("/") or "http://127.0.0.1:5000",
        }
        | server_settings(environ)
        | mail_settings(environ)
        | meeting_settings(environ)
    )


MEETING_SETTINGS_FROM_ENVIRONMENT = {
    "MARAC_MEETING_CAPACITY": "MEETING_DEFAULT_CAPACITY",
    "MARAC_MINUTES_PER_CASE": "MEETING_DEFAULT_MINUTES_PER_CASE",
    "MARAC_WAITING_TARGET_DAYS": "WAITING_TARGET_DAYS",
    "MARAC_RESEARCH_DAYS_BEFORE_MEETING": "RESEARCH_DAYS_BEFORE_MEETING",
    "MARAC_REMINDER_DAYS_BEFORE_DUE": "ACTION_REMINDER_DAYS_BEFORE_DUE",
    "MARAC_ACTION_LATEST_DUE_DAYS": "ACTION_LATEST_DUE_DAYS",
    "MARAC_ESCALATE_TO_COORDINATOR_DAYS": "ACTION_ESCALATE_TO_COORDINATOR_DAYS",
    "MARAC_ESCALATE_TO_CHAIR_DAYS": "ACTION_ESCALATE_TO_CHAIR_DAYS",
    "MARAC_ACTION_PAGE_SIZE": "ACTION_TRACKER_PAGE_SIZE",
    "MARAC_ADULT_FEMALE_POPULATION": "ADULT_FEMALE_POPULATION",
}


def meeting_settings(environ) -> dict:
    """Local practice that differs between MARACs; each is a whole number of cases, minutes or days."""
    settings = {}
    for variable, key in MEETING_SETTINGS_FROM_ENVIRONMENT.items():
        if environ.get(variable):
            if not environ[variable].isdigit():
                raise ConfigError(f"{variable} must be a whole number, like 14; it is {environ[variable]!r}.")
            settings[key] = int(environ[variable])
    if environ.get("MARAC_CONFIDENTIALITY_STATEMENT"):
        settings["CONFIDENTIALITY_STATEMENT"] = environ["MARAC_CONFIDENTIALITY_STATEMENT"]
    if environ.get("MARAC_PROTECTIVE_MARKING"):
        settings["PROTECTIVE_MARKING"] = environ["MARAC_PROTECTIVE_MARKING"]
    if environ.get("MARAC_BACKUP_KEY"):
        settings["BACKUP_PASSPHRASE"] = environ["MARAC_BACKUP_KEY"]
    if environ.get("MARAC_AUDIT_CHECKPOINTS"):
        settings["AUDIT_CHECKPOINTS"] = environ["MARAC_AUDIT_CHECKPOINTS"]
    if environ.get("MARAC_IMPORT_FOLDER"):
        settings["IMPORT_FOLDER"] = environ["MARAC_IMPORT_FOLDER"]
    if environ.get("MARAC_REPEAT_RATE_EXPECTED"):
        settings["REPEAT_RATE_EXPECTED"] = percentage_range(environ["MARAC_REPEAT_RATE_EXPECTED"])
    if environ.get("MARAC_CASE_REFERENCE_PREFIX"):
        settings["CASE_REFERENCE_PREFIX"] = environ["MARAC_CASE_REFERENCE_PREFIX"]
    if environ.get("MARAC_RULESET"):
        settings["RULESET_ID"] = environ["MARAC_RULESET"]
    if environ.get("MARAC_RULESET_OVERRIDE"):
        settings["RULESET_OVERRIDE_FILE"] = environ["MARAC_RULESET_OVERRIDE"]
    if environ.get("MARAC_RETENTION_FILE"):
        settings["RETENTION_RULES_FILE"] = environ["MARAC_RETENTION_FILE"]
    return settings


CASE_REFERENCE_PREFIX = re.compile(r"[A-Z]{2,5}")


def check_case_reference_prefix(prefix) -> None:
    """Every case reference starts with it, so it must read out clearly: two to five capital letters."""
    if not isinstance(prefix, str) or not CASE_REFERENCE_PREFIX.fullmatch(prefix):
        raise ConfigError(f"MARAC_CASE_REFERENCE_PREFIX must be 2 to 5 capital letters, like RIV; it is {prefix!r}.")


def percentage_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    if not (low.strip().isdigit() and high.strip().isdigit() and int(low) <= int(high) <= 100):
        raise ConfigError(f"MARAC_REPEAT_RATE_EXPECTED must be two percentages like 28-40; it is {text!r}.")
    return int(low), int(high)


def mail_settings(environ) -> dict:
    """Reminders go by e-mail only when MAIL_SERVER is set; they always show on the agency's action page."""
    if not environ.get("MAIL_SERVER"):
        return {}
    return {
        "MAIL_SERVER": environ["MAIL_SERVER"],
        "MAIL_PORT": int(environ.get("MAIL_PORT", "25")),
        "MAIL_USE_STARTTLS": is_truthy(environ.get("MAIL_USE_STARTTLS", "")),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": environ.get("MAIL_FROM", "marac-toolkit@localhost"),
    }


def test_settings(database_url: str, **overrides) -> dict:
    return (
        common_settings()
        | {
            "ENV_NAME": "test",
            "TESTING": True,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "FIELD_KEYS": TEST_FIELD_KEYS,
            "AUDIT_KEY": TEST_AUDIT_KEY,
            # Thrown away unless a test asks for them: the app fixture gives each test its own file.
            "AUDIT_CHECKPOINTS": os.devnull,
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SESSION_COOKIE_NAME": "marac_session",
            "SESSION_COOKIE_SECURE": False,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_PARAMETERS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
            "SERVER_NAME": "localhost",
            # In this process, so a test can stand in for WeasyPrint; tests/reports/test_render_limit.py uses workers.
            "PDF_RENDER_IN_WORKERS": False,
            "SETTLE_GARBAGE_COLLECTOR": False,
            "SHARE_COMPILED_TEMPLATES": True,
        }
        | overrides
    )


def settings_from_environment(environ, instance_path: str) -> dict:
    env_name = environ.get("MARAC_ENV", "production")
    if env_name == "production":
        try:
            return production_settings(environ)
        except ConfigError as error:
            if "MARAC_ENV" in environ:
                raise
            raise ConfigError(
                f"{error} (MARAC_ENV is not set, so production settings apply; "
                "for the local demo, set MARAC_ENV=development.)"
            ) from None
    if env_name == "development":
        return development_settings(environ, instance_path)
    raise ConfigError(f"MARAC_ENV must be 'production' or 'development', not {env_name!r}.")


def check_random_key(variable: str, key: str) -> None:
    advice = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
    if not key:
        raise ConfigError(f"{variable} is not set. {advice}")
    if key.lower() in KNOWN_WEAK_SECRETS:
        raise ConfigError(f"{variable} is a well-known development value. {advice}")
    if len(key) < MIN_SECRET_KEY_CHARS or len(set(key)) < MIN_SECRET_KEY_DISTINCT_CHARS:
        raise ConfigError(f"{variable} must be at least 32 random bytes. {advice}")


def field_keys_from_environment(environ) -> KeyRing | None:
    """The key ring from MARAC_FIELD_KEYS, or from the file MARAC_FIELD_KEYS_FILE names; None if neither is set."""
    if environ.get("MARAC_FIELD_KEYS_FILE"):
        if environ.get("MARAC_FIELD_KEYS"):
            raise ConfigError("Both MARAC_FIELD_KEYS and MARAC_FIELD_KEYS_FILE are set. Set one of them.")
        path = environ["MARAC_FIELD_KEYS_FILE"]
        try:
            return key_ring(Path(path).read_text(), "MARAC_FIELD_KEYS_FILE")
        except OSError as error:
            raise ConfigError(f"MARAC_FIELD_KEYS_FILE cannot be read ({error.strerror}): {path}") from None
    if environ.get("MARAC_FIELD_KEYS", "").strip():
        return key_ring(environ["MARAC_FIELD_KEYS"], "MARAC_FIELD_KEYS")
    return None


def key_ring(text: str, source: str) -> KeyRing:
    try:
        return parse_key_ring(text, source)
    except KeyRingError as error:
        raise ConfigError(str(error)) from None


def read_or_make(path: Path, make) -> str:
    """The file's contents, or a new value from make() written to it readable only by this user."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(value)
    return value


def normalise_database_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}
