"""The MARAC toolkit web application: `flask --app app run`, or gunicorn "app:create_app()"."""

import gc
import importlib
import json
import logging
import os
import pkgutil
import secrets
import sys
import traceback
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask, g, render_template, request
from flask.templating import Environment
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import BytecodeCache, ChoiceLoader, PackageLoader, PrefixLoader
from psycopg import OperationalError as DriverOperationalError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import ConfigError, check_case_reference_prefix, settings_from_environment
from extensions import csrf, db, limiter, login_manager, made_on_this_database, migrate
from transactions import end_request

ERROR_PAGES = (400, 403, 404, 405, 409, 413, 429, 500, 503)
DATABASE_RETRY_AFTER_SECONDS = 120
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
log = logging.getLogger("marac")
UK_TIME = ZoneInfo("Europe/London")


PACKAGES_WITH_PAGES = ("access", "risk", "cases", "meetings", "reports")
# Each adds its part of a case's history and of where the case stands (cases/chronology.py,
# cases/standing.py), so that the case page can show what packages after `cases` hold.
CASE_STORY_MODULES = ("cases.case_story", "meetings.case_story", "reports.case_story")


def create_app(config=None) -> Flask:
    try:
        return build_app(config)
    except ConfigError as error:
        if click.get_current_context(silent=True) is None:
            raise
        # A command run with bad settings says what to fix in one line, never a traceback.
        click.echo(f"The settings cannot be used: {' '.join(str(error).split())}", err=True)
        sys.exit(2)


class PageTemplates(Environment):
    """Each template's globals as a plain dict, not Jinja's ChainMap over the app's. Whenever a template imports a
    macro file, Jinja asks which of the page's globals the macro file lacks; over a ChainMap that question is
    Python code for every name (10 µs), and a GOV.UK form page imports macro files over a hundred times, since
    each component imports others. A template's own globals still never reach the app's or another template's.
    The app's globals are all set before the first template loads, as Jinja asks."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


class MaracFlask(Flask):
    jinja_environment = PageTemplates


class CompiledTemplatesInThisProcess(BytecodeCache):
    """Templates compiled by one app, kept for every later app in the same process. Only the tests make more than
    one app in a process (thousands), and each would compile again every template it renders: 1.3 s for all of
    them, against 0.07 s loaded from here. Jinja checks each template's source against what was kept, so a
    changed template is compiled again."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplatesInThisProcess()


def build_app(config=None) -> Flask:
    app = MaracFlask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.config.from_mapping(config if config is not None else settings_from_environment(os.environ, app.instance_path))
    check_case_reference_prefix(app.config["CASE_REFERENCE_PREFIX"])
    load_risk_rules(app)
    check_retention_rules(app)
    configure_templates(app)
    init_extensions(app)
    register_blueprints(app)
    register_case_story()
    register_request_hooks(app)
    register_error_pages(app)
    register_commands(app)
    configure_logging()
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config["SETTLE_GARBAGE_COLLECTOR"]:
        settle_garbage_collector()
    return app


def settle_garbage_collector() -> None:
    """Python's full garbage collections walk every object the process holds, and the app's own set-up
    (templates, routes, rule tables, libraries) is hundreds of thousands that never become garbage: on a
    force-sized database a collection every twenty or so pages held that page for 200 ms. So what exists once
    the app is set up is left out of them (gc.freeze), and they run a tenth as often; objects freed as usual
    are unaffected, since nearly all are freed the moment nothing refers to them."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)


class DatabaseIntegerConverter(IntegerConverter):
    """An id in a URL that no database integer column could hold is simply not found (404), rather
    than an overflow inside the query (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line; json.dumps escapes control characters, so a value cannot forge a line."""

    def format(self, record):
        fields = record.msg if isinstance(record.msg, dict) else {"message": record.getMessage()}
        time = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        return json.dumps({"time": time, "level": record.levelname, **fields})


def configure_logging() -> None:
    if not any(isinstance(handler.formatter, JsonLineFormatter) for handler in log.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLineFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def format_local_datetime(moment: datetime) -> str:
    return moment.astimezone(UK_TIME).strftime("%A %-d %B %Y, %-I:%M%p").replace("AM", "am").replace("PM", "pm")


def format_local_date(moment: datetime) -> str:
    return moment.astimezone(UK_TIME).strftime("%-d %B %Y")


def format_local_time(moment: datetime) -> str:
    return moment.astimezone(UK_TIME).strftime("%H:%M")


def load_risk_rules(app: Flask) -> None:
    """The tool packs, any licensed table and the rule set in force are checked before the app serves anything."""
    from risk.in_force import RULESET_EXTENSION
    from risk.instruments import PackError, load_all_packs
    from risk.rulesets import RuleSetError, ruleset_in_force

    try:
        load_all_packs()
        app.extensions[RULESET_EXTENSION] = ruleset_in_force(
            app.config["RULESET_ID"], app.config["RULESET_OVERRIDE_FILE"]
        )
    except (PackError, RuleSetError) as error:
        raise ConfigError(str(error)) from None


def check_retention_rules(app: Flask) -> None:
    """A retention rules file with a mistake stops the app starting, so no record is deleted early (SECURITY D5)."""
    from access.retention_rules import RetentionRulesError, load_rules

    try:
        load_rules(app.config["RETENTION_RULES_FILE"])
    except RetentionRulesError as error:
        raise ConfigError(str(error)) from None


def configure_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.autoescape = True
    if app.config["SHARE_COMPILED_TEMPLATES"]:
        app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    app.add_template_filter(format_local_datetime, "local_datetime")
    app.add_template_filter(format_local_time, "local_time")
    app.add_template_filter(format_local_date, "local_date")
    WTFormsHelpers(app)

    from access.navigation import navigation_context
    from access.sessions import timeout_context
    from meetings.labels import in_sentence, label

    # Every code a page or PDF shows goes through the one label table.
    app.add_template_filter(label, "label")
    app.add_template_filter(in_sentence, "in_sentence")

    app.context_processor(navigation_context)
    app.context_processor(timeout_context)


def init_extensions(app: Flask) -> None:
    from access.audit import watch_transactions
    from access.audit_checkpoints import watch_commits_for_checkpoints
    from access.request_memo import watch_writes
    from access.sessions import load_signed_in_user

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(__file__), "migrations"),
        include_object=made_on_this_database,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None
    login_manager.request_loader(load_signed_in_user)
    watch_transactions()
    watch_commits_for_checkpoints()
    watch_writes()


def register_blueprints(app: Flask) -> None:
    for package in PACKAGES_WITH_PAGES:
        views = importlib.import_module(f"{package}.views")
        # Each module of a views/ subpackage adds its routes to the package's one blueprint.
        for module in pkgutil.iter_modules(views.__path__):
            importlib.import_module(f"{views.__name__}.{module.name}")
        app.register_blueprint(views.bp)

    from access.permissions import public

    @app.route("/healthz")
    @public
    def health_check():
        db.session.execute(text("SELECT 1"))
        return {"status": "ok"}


def register_case_story() -> None:
    for module in CASE_STORY_MODULES:
        importlib.import_module(module)


def register_request_hooks(app: Flask) -> None:
    from access.permissions import enforce_access
    from access.request_memo import forget_all

    @app.before_request
    def assign_request_id():
        g.request_id = secrets.token_hex(8)

    # What a request remembers (access.request_memo) starts empty and goes with it, even where two requests
    # share an application context (a test's).
    app.before_request(forget_all)
    app.teardown_request(forget_all)

    app.before_request(enforce_access)

    @app.after_request
    def add_security_headers(response):
        response.headers.update(SECURITY_HEADERS)
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Server", None)
        return response

    @app.after_request
    def log_request(response):
        log.info(
            {
                "request_id": g.get("request_id"),
                "method": request.method,
                "endpoint": request.endpoint,
                "status": response.status_code,
            }
        )
        return response

    # Registered last so that it runs first: a commit that fails still becomes the error page.
    app.after_request(end_request)


def register_error_pages(app: Flask) -> None:
    from access.audit import AuditAction, record_event

    def render_error(status: int):
        return render_template(
            f"errors/{status}.html", request_id=g.get("request_id"), break_glass_case_id=break_glass_offer(status)
        ), status

    def break_glass_offer(status: int):
        """A case page not found offers break-glass, whether or not the case exists, so it gives nothing away."""
        from flask_login import current_user

        from access.permissions import can

        if status != 404 or request.endpoint != "cases.view_case" or not current_user.is_authenticated:
            return None
        return (request.view_args or {}).get("case_id") if can(current_user.role, "cases.break_glass") else None

    @app.errorhandler(HTTPException)
    def handle_http_error(error):
        if error.code in ERROR_PAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error):
        # A refusal commits (end_request): only its audit record may be kept.
        db.session.rollback()
        record_event(AuditAction.CSRF_FAILED, object_type="endpoint", object_id=request.endpoint)
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(429)
    def handle_rate_limit(error):
        # A refusal commits (end_request): only its audit record may be kept.
        db.session.rollback()
        record_event(AuditAction.RATE_LIMITED, object_type="endpoint", object_id=request.endpoint)
        return render_error(429)

    @app.errorhandler(DBAPIError)
    def handle_database_error(error):
        if isinstance(error, OperationalError) or error.connection_invalidated:
            return database_unavailable(error)
        return handle_unexpected_error(error)

    @app.errorhandler(DriverOperationalError)
    def database_unavailable(error):
        # Ended now, not only in end_request, so nothing on the way to the page meets the broken transaction.
        db.session.rollback()
        # The message can quote the statement and its values: log only the type.
        log.error({"request_id": g.get("request_id"), "error": type(error).__name__, "status": 503})
        # The page must not reach for the database again, so it is shown as to someone not signed in.
        g._login_user = login_manager.anonymous_user()
        body, status = render_error(503)
        return body, status, {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}

    @app.errorhandler(Exception)
    def handle_unexpected_error(error):
        # A failed flush leaves the session unusable until rolled back, and the page uses it.
        db.session.rollback()
        # The message and source lines can quote the data being saved: log only the type and where.
        frames = [
            f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(error.__traceback__)
        ]
        log.error({"request_id": g.get("request_id"), "error": type(error).__name__, "frames": frames})
        return render_error(500)


def register_commands(app: Flask) -> None:
    from access.cli import access_cli, audit_cli, backup_command, keys_cli, restore_command
    from cases.cli import import_assessments  # noqa: F401  (adds `risk import` to the risk commands)
    from demo import demo_cli
    from meetings.cli import meetings_cli
    from reports.cli import retention_cli
    from risk.cli import risk_cli

    app.cli.add_command(access_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(meetings_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(risk_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
