"""Hypothesis drives every POST route in app.url_map, and the JSON API, with arbitrary input: never a 500, and
never a write from a rejected request.

Every form route is fuzzed as a role it is declared for, on the seeded world (tests/world.py) so every URL
parameter is a real row, and with its real form: the world's meeting is distributed, so two more states
(tests/fuzz_world.py: a meeting under way, an agenda being planned) show the forms it does not. Every GET page
of each state is read as each role, and each <form method="post"> gives the names and values it would send for
the URL it posts to; a route is fuzzed at the first state whose page offers its form. Each
field is then kept, dropped, replaced by arbitrary text (NUL, any non-surrogate code point, very long, numbers,
impossible dates), a list, a choice the page offers, or a file; and a few keys the form does not have are added.

How a rejection is recognised, from how the app answers bad input: a status of 400 or above (refused,
invalid, conflict), a page with a GOV.UK error summary (the forms that re-render with 200), or a redirect
that leaves an "error" flash message. A rejected request must leave table_fingerprints unchanged (the audit
trail and session rows apart, as in the GET crawl; and the user's failed-attempt count and lock, which a
refused sign-in step is meant to raise). An accepted request may write; the baseline is then taken again.

The test app runs with CSRF off, so one test turns it on and sends every form route a missing, made-up or
another session's token: each is refused with 400 and nothing changes. The API is CSRF-exempt and takes a
bearer token; it gets arbitrary JSON, JSON shaped like a real request, wrong content types and invalid UTF-8.
"""

import hashlib
import io

import pytest
from flask import session
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

import config
from access import sessions
from access import store as access_store
from access.models import Agency, Role, SessionStage, User
from access.permissions import AccessKind, access_rule_for
from access.second_factor import new_totp_secret
from app import create_app
from extensions import db, limiter
from risk.instruments import load_all_packs
from tests.conftest import give_session
from tests.fuzz_world import seed_form_states
from tests.fuzzing import CONTENT_TYPES, INVALID_UTF8, Form, api_body, form_data, forms_on
from tests.world import add_user, real_url, seed_world, table_fingerprints, victim_of, world_app

FUZZ = settings(max_examples=8, deadline=None, derandomize=True, database=None)
API_TOKEN = "fuzz-token-" + "y" * 32
API_ENDPOINTS = {"risk.score_api", "risk.evaluate_api"}
ROLE_PREFERENCE = (Role.COORDINATOR, Role.ADMIN, Role.CHAIR, Role.AGENCY_REP, Role.PRACTITIONER)
SIGN_IN_STEP_USERS = {
    "access.set_new_password": "fuzz-new-password@example.org",
    "access.set_up_second_factor": "fuzz-set-up@example.org",
    "access.verify_second_factor": "fuzz-enrolled@example.org",
    "access.use_recovery_code": "fuzz-enrolled@example.org",
}


def post_endpoints() -> list[str]:
    app = create_app(config.test_settings("sqlite://"))
    return sorted(rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods)


POST_ENDPOINTS = post_endpoints()
FORM_ENDPOINTS = [endpoint for endpoint in POST_ENDPOINTS if endpoint not in API_ENDPOINTS]


@pytest.fixture(scope="module")
def app(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("fuzz")) as app:
        yield app


@pytest.fixture(scope="module")
def world(app):
    world = seed_world(app)
    with app.app_context():
        agency = db.session.get(Agency, world.own_agency_id)
        access_store.create_api_token(
            agency=agency,
            name="Fuzzed system",
            token=API_TOKEN,
            created_by=db.session.get(User, world.users[Role.ADMIN]),
        )
        for email in set(SIGN_IN_STEP_USERS.values()):
            user = db.session.get(User, add_user(email, Role.PRACTITIONER, world.own_agency_id))
            user.must_change_password = email == SIGN_IN_STEP_USERS["access.set_new_password"]
            user.totp_secret = new_totp_secret()
            if email != SIGN_IN_STEP_USERS["access.verify_second_factor"]:
                user.totp_enrolled_at = None
        db.session.commit()
    return world


@pytest.fixture(scope="module")
def states(app, world) -> list[dict[str, object]]:
    """The ids of each state: the world's first, then those of tests/fuzz_world.py."""
    return [world.ids, *seed_form_states(app, world)]


@pytest.fixture(scope="module")
def forms(app, world, states) -> dict[str, Form]:
    """Every post form on every GET page of every state, as each role, by the path it posts to."""
    found: dict[str, Form] = {}
    pages = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]
    paths = list(dict.fromkeys(real_url(rule, ids) for ids in states for rule in pages))
    paths += [path for ids in states for path in ids.get("extra_pages", [])]
    for role in ROLE_PREFERENCE:
        client = app.test_client()
        give_session(app, client, world.users[role])
        for path in paths:
            read_forms(client, path, found)
    for endpoint in SIGN_IN_STEP_USERS:
        read_forms(client_for(app, world, endpoint), real_url(rule_for(app, endpoint), world.ids), found)
    read_forms(app.test_client(), real_url(rule_for(app, "access.sign_in"), world.ids), found)
    return found


def read_forms(client, path: str, found: dict[str, Form]) -> None:
    response = client.get(path)
    if response.status_code == 200 and response.mimetype == "text/html":
        for form in forms_on(path, response.get_data(as_text=True)):
            found.setdefault(form.action, Form(form.action)).merge(form)


def rule_for(app, endpoint: str):
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)


def user_id_by_email(app, email: str) -> int:
    with app.app_context():
        return access_store.get_user_by_email(email).id


def give_partial_session(app, client, user_id: int) -> None:
    """Signed in with a password only, as on the pages of the sign-in journey."""
    with app.test_request_context():
        sessions.begin_session(db.session.get(User, user_id), SessionStage.PASSWORD)
        db.session.commit()
        token = session[sessions.TOKEN_KEY]
    with client.session_transaction() as client_session:
        client_session[sessions.TOKEN_KEY] = token


def client_for(app, world, endpoint: str):
    """A client signed in as the first role (by ROLE_PREFERENCE) the endpoint is declared for."""
    client = app.test_client()
    with app.app_context():
        declared = access_rule_for(endpoint)
    if declared.kind is AccessKind.SIGN_IN_STEP:
        give_partial_session(app, client, user_id_by_email(app, SIGN_IN_STEP_USERS[endpoint]))
    elif declared.kind is AccessKind.ROLES:
        give_session(app, client, world.users[next(role for role in ROLE_PREFERENCE if role in declared.roles)])
    return client


# Fingerprints, with the one write a refused sign-in is meant to make left out.

LOCKOUT_COLUMNS = {"failed_attempts", "locked_until"}


def fingerprints(app) -> dict[str, tuple[int, str]]:
    found = table_fingerprints(app)
    with app.app_context():
        result = db.session.execute(text('SELECT * FROM "user_account"'))
        rows = sorted(
            repr(tuple(value for column, value in row._mapping.items() if column not in LOCKOUT_COLUMNS))
            for row in result
        )
        db.session.rollback()
    found["user_account"] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return found


class WriteGuard:
    """Sends requests and checks each: never a 500; if rejected, nothing written. Fingerprints are taken only
    after a request, and before one only when the one before it was accepted (and so may have written)."""

    def __init__(self, app):
        self.app = app
        self.baseline = None

    def send(self, client, **request):
        if self.baseline is None:
            self.baseline = fingerprints(self.app)
        response = client.open(**request)
        where = f"{request.get('method', 'GET')} {request['path']}"

        assert response.status_code < 500, f"{where} gave {response.status_code}"
        if is_rejection(client, response):
            after = fingerprints(self.app)
            assert [name for name in after if after[name] != self.baseline.get(name)] == [], (
                f"{where} was rejected ({response.status_code}) but wrote"
            )
        else:
            self.baseline = None
        return response


def is_rejection(client, response) -> bool:
    with client.session_transaction() as client_session:
        flashed = client_session.pop("_flashes", [])
    return (
        response.status_code >= 400
        or b"govuk-error-summary" in response.data
        or any(category == "error" for category, _ in flashed)
    )


# The forms.


def test_every_post_route_is_fuzzed_and_has_its_form_read_from_a_page(app, forms, real_paths):
    fuzzed = set(FORM_ENDPOINTS) | API_ENDPOINTS
    without_a_form = {endpoint for endpoint in FORM_ENDPOINTS if real_paths[endpoint] not in forms}

    assert {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods} == fuzzed
    assert without_a_form == set()


@pytest.fixture(scope="module")
def ids_for(app, states, forms) -> dict[str, dict[str, object]]:
    """Each endpoint's ids: those of the first state whose pages offer its form (the world's if none does)."""
    found = {}
    for rule in app.url_map.iter_rules():
        with_a_form = [ids for ids in states if real_url(rule, ids) in forms]
        found[rule.endpoint] = (with_a_form or states)[0]
    return found


@pytest.fixture(scope="module")
def real_paths(app, ids_for) -> dict[str, str]:
    return {rule.endpoint: real_url(rule, ids_for[rule.endpoint]) for rule in app.url_map.iter_rules()}


def current_path(app, ids: dict[str, object], endpoint: str) -> str:
    """The endpoint's URL now: linking a referral (fuzzed earlier) may make the case's victim another person row."""
    with app.app_context():
        return real_url(rule_for(app, endpoint), ids | {"person_id": victim_of(ids["case_id"])})


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
def test_arbitrary_form_input_never_errors_and_a_rejection_writes_nothing(
    app, world, forms, ids_for, real_paths, endpoint
):
    limiter.reset()
    path = current_path(app, ids_for[endpoint], endpoint)
    client = client_for(app, world, endpoint)
    form = form_as_shown_now(client, forms[real_paths[endpoint]])
    guard = WriteGuard(app)

    @FUZZ
    @given(data=form_data(form))
    def send(data):
        guard.send(client, path=path, method="POST", data=data)

    send()


def form_as_shown_now(client, form: Form) -> Form:
    """Read again from its page: fuzzing other routes may have changed the version or plan it sends."""
    for page in form.shown_on:
        response = client.get(page)
        shown = (
            forms_on(page, response.get_data(as_text=True))
            if response.status_code == 200 and response.mimetype == "text/html"
            else []
        )
        for fresh in (found for found in shown if found.action == form.action):
            fresh.merge(form)
            return fresh
    return form


def test_a_date_with_day_month_and_year_out_of_range_is_a_message(app, world, forms, real_paths):
    """A plain example kept from the fuzzing: impossible dates in every date box of the incident form."""
    endpoint = "cases.add_incident"
    form = forms[real_paths[endpoint]]
    dates = {name: ["99", "13", "99999999"] for name, values in form.defaults.items() if len(values) == 3}
    client = client_for(app, world, endpoint)

    response = WriteGuard(app).send(client, path=real_paths[endpoint], method="POST", data=form.defaults | dates)

    assert dates
    assert b"govuk-error-summary" in response.data


@pytest.mark.parametrize(
    ("endpoint", "blank_select"),
    [
        ("access.create_agency", "kind"),
        ("access.create_api_token", "agency_id"),
    ],
)
def test_a_select_answered_with_a_space_is_a_message_not_an_error(
    app, world, forms, real_paths, endpoint, blank_select
):
    """Kept from the fuzzing: " " got past InputRequired, was stripped to the "Choose …" placeholder, and
    failed later."""
    form = forms[real_paths[endpoint]]
    filled = {
        name: ["Fuzz agency " + blank_select] if name in ("name", "email") else values
        for name, values in form.defaults.items()
    }

    response = WriteGuard(app).send(
        client_for(app, world, endpoint), path=real_paths[endpoint], method="POST", data=filled | {blank_select: [" "]}
    )

    assert response.status_code == 200
    assert b"govuk-error-summary" in response.data


# CSRF, turned on as it is outside tests.


def foreign_csrf_token(app) -> str:
    other = app.test_client()
    page = other.get(real_url(rule_for(app, "access.sign_in"), {})).get_data(as_text=True)
    return next(
        values[0]
        for form in forms_on("/sign-in", page)
        for name, values in form.defaults.items()
        if name == "csrf_token"
    )


def test_with_csrf_on_every_form_route_refuses_a_bad_token_and_writes_nothing(app, world, forms, real_paths):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        bad_tokens = [None, "", "not-a-token", foreign_csrf_token(app)]
        before = fingerprints(app)
        refused = {}
        for endpoint in FORM_ENDPOINTS:
            client = client_for(app, world, endpoint)
            client.get(real_paths[endpoint])
            form = forms[real_paths[endpoint]]
            for token in bad_tokens:
                data = {name: values for name, values in form.defaults.items() if name != "csrf_token"}
                response = client.post(
                    real_paths[endpoint], data=data | ({} if token is None else {"csrf_token": token})
                )
                refused[(endpoint, token)] = response.status_code
        after = fingerprints(app)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

    assert {key: status for key, status in refused.items() if status != 400} == {}
    assert [name for name in after if after[name] != before[name]] == []


def test_with_csrf_on_a_valid_token_gets_arbitrary_sign_in_input_past_the_check(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    limiter.reset()
    client = app.test_client()
    guard = WriteGuard(app)
    try:
        page = client.get("/sign-in").get_data(as_text=True)
        form = forms_on("/sign-in", page)[0]

        @FUZZ
        @given(data=form_data(form).map(lambda data: data | {"csrf_token": form.defaults["csrf_token"]}))
        def send(data):
            response = guard.send(client, path="/sign-in", method="POST", data=data)
            assert b"Your form could not be sent" not in response.data

        send()
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# The JSON API.


def tool_ids() -> list[str]:
    return sorted(load_all_packs())


def answer_ids() -> list[str]:
    return sorted({item.id for pack in load_all_packs().values() for item in pack.items})


BEARER = {"Authorization": "Bearer " + API_TOKEN}


@pytest.mark.parametrize("endpoint", sorted(API_ENDPOINTS))
def test_arbitrary_json_to_the_api_never_errors_and_a_rejection_writes_nothing(app, world, real_paths, endpoint):
    path = real_paths[endpoint]
    client = app.test_client()
    guard = WriteGuard(app)

    @settings(FUZZ, max_examples=25)
    @given(body=api_body(tool_ids(), answer_ids()))
    @example(body={"tool": "dash-ric", "answers": {"q1": None}})
    @example(body={"today": "2026-02-30", "victim": {}})
    def send(body):
        guard.send(client, path=path, method="POST", json=body, headers=BEARER)

    send()


@pytest.mark.parametrize("endpoint", sorted(API_ENDPOINTS))
def test_invalid_bodies_and_content_types_to_the_api_are_refused_and_write_nothing(app, world, real_paths, endpoint):
    path = real_paths[endpoint]
    client = app.test_client()
    guard = WriteGuard(app)

    @FUZZ
    @given(body=INVALID_UTF8 | st.binary(max_size=60), content_type=CONTENT_TYPES)
    @example(body=b'{"tool": "dash-ric", "answers": {"q1": "\xff"}}', content_type="application/json")
    def send(body, content_type):
        response = guard.send(
            client, path=path, method="POST", data=io.BytesIO(body), content_type=content_type, headers=BEARER
        )
        assert response.status_code == 400 or is_json_object(body)

    send()


def is_json_object(body: bytes) -> bool:
    import json

    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False
