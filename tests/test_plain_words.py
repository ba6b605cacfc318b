"""Pages and PDFs speak plain words: a crawl of the demo, as every role, finds no internal code in what a person
reads. The codes are gathered from the code itself (vocabulary enums, tool ids, the risk core's criteria, routes,
prompts and rules, the common factor ids), so a new code is checked the day it is added.

A failure lists each finding as `role path: 'word' in “…context…”`: show that value through the one label table,
meetings/labels.py (the `label` filter in templates)."""

import ast
import io
import re
import time
from collections import deque
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import access.vocabulary
import cases.vocabulary
import meetings.vocabulary
import risk.vocabulary
from access.models import Role, User
from demo import DEMO_ACCOUNTS
from extensions import db
from risk import criteria
from risk.instruments import load_all_packs
from risk.rulesets import get_ruleset
from risk.schema import COMMON_FACTORS
from tests.conftest import build_test_app, copy_of_template, give_session
from tests.reports.pdf_helpers import zipped_pdfs

ROOT = Path(__file__).resolve().parent.parent
VOCABULARIES = (access.vocabulary, risk.vocabulary, cases.vocabulary, meetings.vocabulary)
PURE_CORE = ("risk/criteria.py", "risk/scoring.py", "meetings/planner.py")
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+$")
# Codes that are also words a page may use in a sentence ("raw yes-count 14", "break-glass access").
PLAIN_ENGLISH = {"break-glass", "yes-count"}
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*"
PATTERNS = {
    "word:word": re.compile(r"(?<![\w/.-])[A-Za-z][\w-]*:[A-Za-z][\w-]*"),
    # A tier by its number; not a table's "Tier" heading followed by a date ("Tier 1 Dec 2026").
    "Tier n": re.compile(rf"\b[Tt]ier \d\b(?! {MONTH} \d{{4}})"),
    "lowercase marac": re.compile(r"(?<![\w@./-])marac(?![\w@-])"),
}
NEVER_FOLLOW = ("/sign-out", "/signed-out", "/sign-in", "/static/")
MAX_PAGES_PER_ROLE = 600


def vocabulary_codes() -> set[str]:
    return {
        member.value
        for module in VOCABULARIES
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, StrEnum) and value.__module__ == module.__name__
        for member in value
        if "-" in member.value or "_" in member.value
    }


def code_shaped_strings(relative_path: str) -> set[str]:
    """Every code-shaped string literal in a pure core module: criteria, routes, prompts, tier sources, flags."""
    tree = ast.parse((ROOT / relative_path).read_text())
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_SHAPE.match(node.value)
    }


def risk_codes() -> set[str]:
    """Tool ids and common factor ids ("lap", "CF16") whatever their shape; the rest when code-shaped."""
    packs = load_all_packs().values()
    rules = get_ruleset().rules.values()
    named = (
        {item.prompt_if_yes.code for pack in packs for item in pack.items if item.prompt_if_yes}
        | set(criteria.CRITERION_LABELS)
        | set(criteria.ROUTE_LABELS)
        | {rule.key for rule in rules}
        | {rule.value for rule in rules if isinstance(rule.value, str)}
        | set().union(*(code_shaped_strings(path) for path in PURE_CORE))
    )
    return {pack.id for pack in packs} | {factor.id for factor in COMMON_FACTORS} | set(filter(CODE_SHAPE.match, named))


def internal_codes() -> set[str]:
    return (vocabulary_codes() | risk_codes()) - PLAIN_ENGLISH


def code_finder(codes: set[str]) -> re.Pattern:
    """Any code as a whole word: not part of a longer word or a longer hyphenated code."""
    alternatives = "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


class VisibleText(HTMLParser):
    """The text a person sees, and the same-site links offered: no scripts, styles or attribute values."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__()
        self.hidden_depth, self.parts, self.links = 0, [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/") and not href.startswith("//"):
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def read_html(body: str) -> tuple[str, list[str]]:
    parser = VisibleText()
    parser.feed(body)
    return " ".join(parser.parts), parser.links


def read_pdf(body: bytes) -> str:
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    # A hyphenated word broken over two lines comes back as "visible-high- risk"; join it again.
    return re.sub(r"(?<=\w)-\s+(?=\w)", "-", text)


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def findings_in(text: str, finder: re.Pattern) -> list[tuple[str, str]]:
    """(word, a few words either side) for each code-shaped word in the text."""
    text = normalised(text)
    matches = [*finder.finditer(text), *(match for pattern in PATTERNS.values() for match in pattern.finditer(text))]
    return [(match.group(), text[max(0, match.start() - 40) : match.end() + 40].strip()) for match in matches]


def crawl(client, finder: re.Pattern) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Breadth-first from the home page over same-site links, GET only; each distinct URL once."""
    queue, seen, visited, findings = deque(["/"]), {"/"}, [], []
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        visited.append(url)
        if response.status_code >= 500:
            findings.append((urlsplit(url).path, f"status {response.status_code}", "the page failed"))
        if response.status_code != 200:
            continue
        if response.mimetype == "application/pdf":
            text, links = read_pdf(response.get_data()), []
        elif response.mimetype == "application/zip":
            text, links = " ".join(read_pdf(pdf) for pdf in zipped_pdfs(response.get_data())), []
        elif response.mimetype == "text/html":
            text, links = read_html(response.get_data(as_text=True))
        else:
            continue  # CSV, spreadsheets, calendars and JSON keep their codes: they are contracts.
        findings += [(urlsplit(url).path, word, context) for word, context in findings_in(text, finder)]
        for link in links:
            target = urlsplit(link)._replace(fragment="").geturl()
            if target not in seen and not target.startswith(NEVER_FOLLOW):
                seen.add(target)
                queue.append(target)
    return visited, findings


@pytest.fixture(scope="module")
def demo_app(database_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("plain-words")
    with copy_of_template(database_template, folder) as url:
        with build_test_app(url, DEMO_MODE=True, MARAC_AREA="Riverside (demo)") as app:
            app.instance_path = str(folder / "instance")
            result = app.test_cli_runner().invoke(args=["demo", "seed"])
            assert result.exit_code == 0, result.output
            yield app


def demo_user_id(app, role: Role) -> int:
    email = next(account.email for account in DEMO_ACCOUNTS if account.role is role)
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_page_and_pdf_a_role_reaches_in_the_demo_speaks_plain_words(demo_app, role):
    client = demo_app.test_client()
    give_session(demo_app, client, demo_user_id(demo_app, role))
    started = time.monotonic()

    visited, findings = crawl(client, code_finder(internal_codes()))

    print(f"{role.value}: {len(visited)} pages in {time.monotonic() - started:.1f} s")
    assert len(visited) > 10, f"the crawl as {role.value} reached only {visited}"
    report = sorted({f"{role.value} {path}: {word!r} in “{context}”" for path, word, context in findings})
    assert report == [], "\n".join(report)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Criteria: visible-high-risk", "visible-high-risk"),
        ("Tier source from assessment:dash-ric", "assessment:dash-ric"),
        ("Routes marac-referral; idva-referral", "marac-referral"),
        ("Tier 3 (High)", "Tier 3"),
        ("Done: issue the marac list.", "marac"),
        ("Status: list-issued", "list-issued"),
        ("Factor CF16 was answered", "CF16"),
        ("Tool: dash-ric", "dash-ric"),
    ],
)
def test_the_finder_catches_each_kind_of_code(text, word):
    assert word in [found for found, _ in findings_in(text, code_finder(internal_codes()))]


@pytest.mark.parametrize(
    "text",
    [
        "Visible high risk: 14 or more yes answers on the checklist",
        "Refer to the MARAC at 10:30 on 4 March",
        "Contact marac@riverside.example or see riverside-marac-minutes",
        "DASH risk checklist (SafeLives DASH RIC), high risk",
        "Opened a case outside their work, giving a reason (break-glass)",
    ],
)
def test_the_finder_passes_plain_words(text):
    assert findings_in(text, code_finder(internal_codes())) == []


def test_the_visible_text_leaves_out_scripts_styles_and_attribute_values():
    text, links = read_html(
        '<style>.marac-x{}</style><a href="/cases/1?tool=dash-ric" data-code="visible-high-risk">Open</a>'
        '<input type="hidden" name="route" value="marac-referral"><script>var t = "Tier 3";</script><p>Seen</p>'
    )

    assert normalised(text).strip() == "Open Seen"
    assert links == ["/cases/1?tool=dash-ric"]
