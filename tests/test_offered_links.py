"""A page offers only what its reader may do: every same-site link and form on every page, in each of the
seeded world's states (tests/world.py, tests/fuzz_world.py), leads to an endpoint declared for the reader's role."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from access.models import Role
from access.permissions import can
from tests.conftest import give_session
from tests.fuzz_world import seed_form_states
from tests.world import real_url, seed_world, world_app

AGENCY_SCOPED = (Role.PRACTITIONER, Role.AGENCY_REP)
READERS = [(role, "own") for role in Role] + [(role, "other") for role in AGENCY_SCOPED]


@pytest.fixture(scope="module")
def app(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("offered")) as app:
        yield app


@pytest.fixture(scope="module")
def world(app):
    return seed_world(app)


@pytest.fixture(scope="module")
def pages(app, world) -> list[str]:
    """Every GET page of every state, each once."""
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]
    return list(
        dict.fromkeys(real_url(rule, ids) for ids in [world.ids, *seed_form_states(app, world)] for rule in rules)
    )


class OfferedTargets(HTMLParser):
    """Every same-site link and form a page offers, as (method, path)."""

    def __init__(self):
        super().__init__()
        self.targets = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and (attributes.get("href") or "").startswith("/"):
            self.targets.add(("GET", attributes["href"]))
        if tag == "form" and (attributes.get("action") or "").startswith("/"):
            self.targets.add(((attributes.get("method") or "get").upper(), attributes["action"]))


def offered_targets(html: str) -> set[tuple[str, str]]:
    parser = OfferedTargets()
    parser.feed(html)
    return {(method, urlsplit(target).path) for method, target in parser.targets if not target.startswith("/static/")}


def refused_targets(app, role: Role, page: str, html: str) -> set[str]:
    routes = app.url_map.bind("localhost")
    refused = set()
    for method, path in offered_targets(html):
        endpoint, _ = routes.match(path, method=method)
        with app.app_context():
            if not can(role, endpoint):
                refused.add(f"{page} offers {method} {path} ({endpoint})")
    return refused


@pytest.mark.parametrize(("role", "agency"), READERS)
def test_pages_offer_only_links_and_forms_the_readers_role_may_use(app, world, pages, role, agency):
    client = app.test_client()
    give_session(app, client, (world.users if agency == "own" else world.other_agency_users)[role])

    refused = set()
    for page in pages:
        response = client.get(page)
        if response.status_code == 200 and response.mimetype == "text/html":
            refused |= refused_targets(app, role, page, response.get_data(as_text=True))

    assert sorted(refused) == [], "\n".join(sorted(refused))


def test_the_check_finds_a_link_and_a_form_the_role_may_not_use(app, world):
    case = world.ids["case_id"]
    html = (
        f'<a href="/cases/{case}">the case</a><a href="/cases/{case}/assessments/new?x=1">assess</a>'
        f'<form method="post" action="/cases/{case}/incidents/new"></form><a href="/static/app.css">css</a>'
    )

    assert refused_targets(app, Role.CHAIR, "/page", html) == {
        f"/page offers GET /cases/{case}/assessments/new (cases.start_assessment)",
        f"/page offers POST /cases/{case}/incidents/new (cases.add_incident)",
    }
