"""XSS payloads in every text field come back inert in pages and in PDFs (SECURITY V2).

Every free-text column of every model gets payloads from tests/xss_payloads.py in a seeded world: a Text column
the whole corpus (one payload a line), a String column one payload that fits its length. Then every GET page is
crawled as each role, and every document is printed, and each is checked for markup that came from the data.

Skip rule for columns: only String and Text columns are text (StrEnumType enums are TypeDecorators, so they fall
out); primary and foreign keys are ids; hashes, encrypted secrets, tokens and their prefixes, IP addresses and
e-mail addresses are made or validated by the app; the columns in CODES hold values a form or the app chooses
from a fixed list or checks with a pattern (a postcode, a phone number, a radio choice, a tool or ruleset id),
so free text never reaches them; the audit trail is written only by the app and is hash-chained.
"""

import csv
import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from sqlalchemy import JSON, String, select, update

from access.models import Role
from cases.models import Incident, SafeContact
from extensions import db
from meetings.models import Action, ActionStatus, AgendaItem, CaseMinutes, CaseOutcome, Transfer
from risk.models import Assessment, ProfessionalJudgement
from tests.conftest import give_session
from tests.world import real_url, seed_world, world_app
from tests.xss_payloads import BOLD_CANARY, PAYLOADS, TEMPLATE_PRODUCT

SKIPPED_TABLES = {"audit_event", "alembic_version"}
MADE_BY_THE_APP = ("_hash", "_encrypted", "token", "prefix")
VALIDATED_OR_RECORDED = {"email", "ip"}
CODES = {
    "person.postcode",
    "person.gender",
    "person.ethnicity",
    "person.disability",
    "person.sexuality",
    "case_safe_contact.phone",
    "incident.type",
    "assessment.tool_id",
    "assessment.tool_version",
    "eligibility_decision.ruleset",
    "eligibility_decision.tier_source",
    "saved_import_mapping.tool_id",
    "import_batch.tool_id",
    "user_session.revoked_reason",
    "agenda_item.victim_age_band",  # set by the retention run from a date of birth, never typed
}
KEEPS_ITS_SUFFIX = {"import_batch.filename_shown"}  # the upload refuses any name not ending .csv or .xlsx
TEXT_IN_JSON = {"person.aliases", "assessment.comments", "case_minutes.agency_information"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "ping"}
SCRIPTING_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "link", "meta"}
DANGEROUS_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
INVISIBLE = re.compile(r"[\x00-\x20\u200b-\u200f\u202a-\u202e]+")
ASCII_PAYLOADS = [payload for payload in PAYLOADS if payload.isascii()]


def free_text_columns(metadata):
    """(table, column) for every column a person types text into."""
    for table in metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            if (
                column.primary_key
                or column.foreign_keys
                or name in CODES
                or column.name in VALIDATED_OR_RECORDED
                or column.name.endswith(MADE_BY_THE_APP)
            ):
                continue
            if isinstance(column.type, String) or (isinstance(column.type, JSON) and name in TEXT_IN_JSON):
                yield table, column


class PayloadDealer:
    """The whole corpus for unbounded text; for a bounded column the next payload that fits, so every payload
    is used."""

    def __init__(self):
        self.turn = 0

    def text_for(self, column, suffix: str = "") -> str:
        if column.type.length is None:
            return "\n".join(PAYLOADS)
        for _ in PAYLOADS:
            payload = PAYLOADS[self.turn % len(PAYLOADS)] + suffix
            self.turn += 1
            if len(payload) <= column.type.length:
                return payload
        raise AssertionError(f"no payload fits {column}")


def json_text(name: str, current, dealer_text: str):
    if name == "person.aliases":
        return [dealer_text]
    return {key: dealer_text for key in (current or {})} or {"item-1": dealer_text}


def add_rows_with_more_text_fields(world):
    """Minutes, a judgement, an incident, a safe contact, a transfer and a finished action, so their text
    columns have rows."""
    case_id, own = world.ids["case_id"], world.own_agency_id
    for item_id in db.session.scalars(select(AgendaItem.id)):
        db.session.add(
            CaseMinutes(agenda_item_id=item_id, outcome=CaseOutcome.NEW, agency_information={f"agency-{own}": "shared"})
        )
    referrer = world.ids["user_id"]
    db.session.add_all(
        [
            ProfessionalJudgement(case_id=case_id, tier=3, rationale="r", author_id=referrer),
            Incident(
                case_id=case_id,
                occurred_on=date(2026, 10, 1),
                type="violence",
                reporting_agency_id=own,
                reference="r",
                recorded_by_id=referrer,
            ),
            SafeContact(case_id=case_id, agency_id=own, phone="01234 567890", safe_address="a"),
            Transfer(
                case_id=case_id,
                incoming=True,
                other_area="a",
                transferred_on=date(2026, 9, 1),
                what_was_sent="w",
                recorded_by_id=referrer,
            ),
            Action(
                case_id=case_id,
                agenda_item_id=world.ids["item_id"],
                description="d",
                owner_agency_id=own,
                owner_name="o",
                due_on=date.today() - timedelta(days=3),
                status=ActionStatus.DONE,
                completion_note="n",
                completed_on=date.today(),
            ),
        ]
    )
    assessment = db.session.get(Assessment, world.ids["assessment_id"])
    assessment.comments = dict.fromkeys(list(assessment.answers)[:3], "c")
    db.session.flush()


def fill_every_text_column(app, world) -> None:
    """Puts payloads into every free-text column of every row."""
    dealer = PayloadDealer()
    with app.app_context():
        add_rows_with_more_text_fields(world)
        for table, column in free_text_columns(db.metadata):
            name = f"{table.name}.{column.name}"
            keys = list(table.primary_key.columns)
            for row in db.session.execute(select(*keys, column)).all():
                suffix = Path(row[-1]).suffix if name in KEEPS_ITS_SUFFIX else ""
                text = (
                    dealer.text_for(column, suffix)
                    if isinstance(column.type, String)
                    else json_text(name, row[-1], "\n".join(PAYLOADS))
                )
                where = [key == value for key, value in zip(keys, row[:-1], strict=True)]
                db.session.execute(update(table).where(*where).values({column.name: text}))
        db.session.commit()


@pytest.fixture(scope="module")
def app(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("xss")) as app:
        yield app


@pytest.fixture(scope="module")
def world(app):
    world = seed_world(app)
    fill_every_text_column(app, world)
    return world


def own_head_element(tag: str, attributes: dict) -> bool:
    """The head of base.html: its meta tags, an empty icon, and the stylesheet from /static/."""
    if tag == "meta":
        return "http-equiv" not in attributes
    if tag == "link":
        return (attributes.get("rel"), attributes.get("href")) == ("icon", "data:,") or (
            attributes.get("rel") == "stylesheet" and (attributes.get("href") or "").startswith("/static/")
        )
    return False


def chart_image(tag: str, name: str, value: str) -> bool:
    """The dashboard's charts: SVG in an <img>, which runs no script."""
    return (tag, name) == ("img", "src") and value.startswith("data:image/svg+xml;base64,")


class MarkupFromData(HTMLParser):
    """Everything in a page that would run script or load something: none of it may come from stored text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.in_script = [], False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if own_head_element(tag, attributes):
            return
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self.problems.append(f"<{tag} {name}=...>")
            if (
                name in URL_ATTRIBUTES
                and value
                and DANGEROUS_SCHEME.match(INVISIBLE.sub("", value))
                and not chart_image(tag, name, value)
            ):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>")
        if tag in SCRIPTING_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script> not from /static/: {attributes.get('src')!r}")
            self.in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append(f"inline script: {data[:40]!r}")


def parsed_problems(body: str) -> list[str]:
    parser = MarkupFromData()
    parser.feed(body)
    parser.close()
    return parser.problems


def markup_problems(body: str) -> list[str]:
    unescaped = [payload[:30] for payload in PAYLOADS if escape(payload) != payload and payload in body]
    evaluated = [f"template evaluated: {TEMPLATE_PRODUCT}"] if TEMPLATE_PRODUCT in body else []
    return parsed_problems(body) + [f"unescaped payload {text!r}" for text in unescaped] + evaluated


def escaped_payloads_in(body: str) -> set[str]:
    return {payload for payload in PAYLOADS if str(escape(payload)) in body}


def html_rules(app):
    skipped = ("reports.download_", "static")
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and not rule.endpoint.startswith(skipped)),
        key=lambda rule: rule.rule,
    )


CRAWLERS = [(role, "own") for role in Role] + [(role, "other") for role in (Role.PRACTITIONER, Role.AGENCY_REP)]


@pytest.fixture(scope="module")
def crawled(app, world):
    """Every HTML page as each role: (problems found, payloads seen escaped)."""
    problems, shown = [], set()
    for role, agency in CRAWLERS:
        client = app.test_client()
        give_session(app, client, (world.users if agency == "own" else world.other_agency_users)[role])
        for rule in html_rules(app):
            response = client.get(real_url(rule, world.ids))
            assert response.status_code < 500, f"{role} GET {rule.rule} gave {response.status_code}"
            if response.mimetype == "text/html":
                body = response.get_data(as_text=True)
                problems += [f"{role} {rule.rule}: {problem}" for problem in markup_problems(body)]
                shown |= escaped_payloads_in(body)
    return problems, shown


def test_every_page_as_every_role_shows_stored_payloads_only_as_text(crawled):
    problems, _ = crawled

    assert problems == []


def test_every_payload_reached_a_page_escaped_so_the_crawl_could_have_failed(crawled):
    _, shown = crawled

    assert [payload for payload in PAYLOADS if payload not in shown] == []


# Put raw into a page these stay text or harmless tags to the parser (the unicode and encoded ones, template text
# for other engines, a tag name the parser reads as "scr<script"); the check for unescaped payloads catches them.
HARMLESS_WHEN_PARSED = {
    BOLD_CANARY,
    "<i>ITALICCANARY</i> & <u>U</u>",
    "javascript:alert('xss-21')",
    "<%= 1337*1337 %>",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "<scr<script>ipt>alert('xss-4')</scr</script>ipt>",
    "&lt;script&gt;alert('xss-50')&lt;/script&gt;",
    "%3Cscript%3Ealert('xss-51')%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert('xss-52')\\u003c/script\\u003e",
    "\uff1cscript\uff1ealert('xss-53')\uff1c/script\uff1e",
}
PAGE = (
    '<html><head><link rel="stylesheet" href="/static/app.css"><script type="module" '
    'src="/static/app.mjs"></script></head>'
    "<body><input value=\"{0}\"><input value='{0}'><p>{0}</p></body></html>"
)


def test_the_markup_check_finds_markup_that_came_from_data():
    """Shows the page check can fail: each payload unescaped is caught, escaped it passes."""
    assert markup_problems(PAGE.format(escape("\n".join(PAYLOADS)))) == []
    assert [
        payload for payload in PAYLOADS if escape(payload) != payload and markup_problems(PAGE.format(payload)) == []
    ] == []
    assert {
        payload for payload in PAYLOADS if escape(payload) != payload and parsed_problems(PAGE.format(payload)) == []
    } <= HARMLESS_WHEN_PARSED
    assert markup_problems(PAGE.format(TEMPLATE_PRODUCT)) != []


def test_no_free_text_column_is_left_out_and_the_skip_rule_is_narrow(app):
    with app.app_context():
        names = {f"{table.name}.{column.name}" for table, column in free_text_columns(db.metadata)}

    assert {
        "marac_action.description",
        "case_minutes.decisions",
        "person.given_name",
        "research_return.involvement",
        "excluded_person.name",
        "agency.name",
        "user_account.name",
        "import_batch.filename_shown",
        "meeting.venue",
    } <= names
    assert not names & {"user_account.email", "user_account.password_hash", "api_token.token_hash", "person.postcode"}


def document_urls(world) -> list[str]:
    meeting, agency, case = world.ids["meeting_id"], world.own_agency_id, world.ids["case_id"]
    return [
        f"/documents/meetings/{meeting}/research-pack",
        f"/documents/meetings/{meeting}/agenda",
        f"/documents/meetings/{meeting}/minutes",
        f"/documents/meetings/{meeting}/action-plan",
        f"/documents/meetings/{meeting}/action-plan/{agency}",
        f"/documents/cases/{case}/transfer-pack",
        "/reports/quarterly-report/pdf?quarter=2026-Q4",
    ]


# Documents that print a stored text field (action descriptions, minutes) carry every payload.
PRINTS_TEXT_FIELDS = ("/minutes", "/action-plan", "/transfer-pack")


def pdf_text(reader: PdfReader) -> str:
    return INVISIBLE.sub("", "".join(page.extract_text() for page in reader.pages))


def active_content(reader: PdfReader) -> list[str]:
    """Names that make a PDF run script or act on opening, anywhere in the catalogue, its names tree or the pages."""
    found = []
    root = reader.trailer["/Root"]
    for key in ("/OpenAction", "/AA", "/JavaScript", "/JS"):
        if key in root:
            found.append(f"catalogue {key}")
    names = root.get("/Names")
    if isinstance(names, IndirectObject):
        names = names.get_object()
    if names is not None and ("/JavaScript" in names or "/JS" in names):
        found.append("names /JavaScript")
    for number, page in enumerate(reader.pages):
        if "/AA" in page:
            found.append(f"page {number} /AA")
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and action.get_object().get("/S") in ("/JavaScript", "/Launch", "/URI"):
                found.append(f"page {number} annotation {action.get_object().get('/S')}")
    return found


def test_every_document_prints_payloads_as_literal_text_with_no_active_content(app, world):
    client = app.test_client()
    give_session(app, client, world.users[Role.COORDINATOR])
    failures = []
    for url in document_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/pdf", url
        reader = PdfReader(io.BytesIO(response.data))
        text = pdf_text(reader)
        printed = [payload for payload in ASCII_PAYLOADS if INVISIBLE.sub("", payload) in text]
        failures += [f"{url}: {problem}" for problem in active_content(reader)]
        if TEMPLATE_PRODUCT in text:
            failures.append(f"{url}: template evaluated")
        if url.endswith(PRINTS_TEXT_FIELDS):
            failures += [f"{url}: not literal {payload[:30]!r}" for payload in ASCII_PAYLOADS if payload not in printed]
        elif not url.startswith("/reports/") and not printed:
            failures.append(f"{url}: printed no stored text")

    assert failures == []
    assert BOLD_CANARY in ASCII_PAYLOADS


def test_the_data_return_holds_counts_only_so_no_stored_text_reaches_csv_or_xlsx(app, world):
    client = app.test_client()
    give_session(app, client, world.users[Role.COORDINATOR])
    csv_text = client.get("/reports/data-return/csv?quarter=2026-Q4").get_data(as_text=True)
    workbook = load_workbook(io.BytesIO(client.get("/reports/data-return/xlsx?quarter=2026-Q4").data), read_only=True)
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    rows = list(csv.reader(io.StringIO(csv_text)))

    assert len(rows) >= 2
    assert [
        cell
        for cell in [*(cell for row in rows for cell in row), *cells]
        if "xss" in cell.lower() or "CANARY" in cell or "<" in cell
    ] == []


TEMPLATES_AND_CODE = (
    "templates",
    "access",
    "risk",
    "meetings",
    "reports",
    "forms",
    "app.py",
    "config.py",
    "extensions.py",
)
UNSAFE = re.compile(r"\|\s*safe\b|Markup\(|render_template_string|autoescape\s+false|jinja_env\.autoescape\s*=\s*False")


def templates_and_code(root: Path) -> list[Path]:
    paths = [
        path
        for name in TEMPLATES_AND_CODE
        for path in ([root / name] if name.endswith(".py") else (root / name).rglob("*"))
    ]
    return [path for path in paths if path.suffix in (".py", ".html", ".txt", ".ics", ".xml")]


def test_no_template_or_module_marks_data_safe_or_renders_strings_as_templates():
    root = Path(__file__).resolve().parent.parent
    files = templates_and_code(root)
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if UNSAFE.search(line)
    ]

    assert len(files) > 50
    assert all(
        UNSAFE.search(line)
        for line in ("{{ note | safe }}", "Markup(text)", "render_template_string(source)", "{% autoescape false %}")
    )
    assert found == []
