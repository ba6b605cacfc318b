"""Hypothesis strategies for arbitrary form and JSON input, and the forms a page offers (read from its HTML)."""

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import strategies as st

# Text a browser could never send as well as text it could: NUL, every non-surrogate code point, and very long.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
LONG_TEXT = st.builds(
    lambda piece, times: piece * times,
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=3),
    st.integers(300, 3000),
)
NUMBER_TEXT = st.one_of(st.integers(-(10**30), 10**30), st.floats()).map(str)
AWKWARD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\t\n",
        "0",
        "-1",
        "1e309",
        "NaN",
        "inf",
        "9" * 40,
        "true",
        "on",
        "None",
        "null",
        "[]",
        "{}",
        "0000-00-00",
        "9999-12-31",
        "31 02 2024",
        "2024-02-30",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "00000000-0000-0000-0000-000000000000",
        "\u202e",
        "\ufeff",
        "a\r\nb",
    ]
)
DATE_PART = st.one_of(
    st.integers(-1, 13), st.sampled_from([0, 29, 31, 32, 1899, 1900, 2024, 9999, 10000, 99999999])
).map(str)
SCALAR = st.one_of(ANY_TEXT, LONG_TEXT, NUMBER_TEXT, AWKWARD_TEXT)
FIELD_NAME = st.one_of(
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.sampled_from(["id", "csrf_token", "next", "role", "agency_id", "status"]),
)
UPLOAD = st.builds(
    lambda body, name: (io.BytesIO(body), name),
    st.binary(max_size=300),
    st.sampled_from(["export.csv", "x", "a.pdf", "\u00e9.csv"]),
)

JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4),
    max_leaves=15,
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/xml",
        "",
        "application/json; charset=utf-16",
    ]
)
INVALID_UTF8 = st.builds(
    lambda head, bad, tail: head + bad + tail,
    st.binary(max_size=20),
    st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]),
    st.binary(max_size=20),
)


@dataclass
class Form:
    """One <form method="post">: each field's name, the values the page would send, any offered choices, and
    the first few pages it was seen on."""

    action: str
    defaults: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, set[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    shown_on: list[str] = field(default_factory=list)

    def merge(self, other: "Form") -> None:
        for name, values in other.defaults.items():
            self.defaults.setdefault(name, values)
        for name, values in other.choices.items():
            self.choices.setdefault(name, set()).update(values)
        self.files |= other.files
        self.shown_on = list(dict.fromkeys(self.shown_on + other.shown_on))[:3]


class FormReader(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.first_option: str | None = None
        self.textarea: str | None = None
        self.autosave: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self.form = Form(urlsplit(attributes.get("action") or self.page_path).path, shown_on=[self.page_path])
            self.forms.append(self.form)
            self.autosave = attributes.get("data-autosave-url")
        if tag == "option" and self.form is not None and self.select:
            self.read_option(attributes)
        if self.form is None or not attributes.get("name"):
            return
        name = attributes["name"]
        if tag in ("input", "button"):
            self.read_input(
                name,
                (attributes.get("type") or "text").lower(),
                attributes.get("value") or "",
                "checked" in attributes,
                tag,
            )
        elif tag == "select":
            self.select, self.first_option = name, None
            self.form.choices.setdefault(name, set())
        elif tag == "textarea":
            self.textarea = name
            self.form.defaults[name] = [""]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def read_input(self, name, kind, value, checked, tag):
        if kind == "file":
            self.form.files.add(name)
            self.form.defaults.setdefault(name, [])
        elif kind in ("checkbox", "radio"):
            self.form.choices.setdefault(name, set()).add(value)
            self.form.defaults.setdefault(name, [])
            if checked:
                self.form.defaults[name].append(value)
        elif tag == "button" or kind == "submit":
            self.form.choices.setdefault(name, set()).add(value)
            self.form.defaults.setdefault(name, [value])
        else:
            self.form.defaults.setdefault(name, []).append(value)

    def read_option(self, attributes):
        value = attributes.get("value") or ""
        self.form.choices[self.select].add(value)
        if "selected" in attributes or self.select not in self.form.defaults:
            self.form.defaults[self.select] = [value]

    def form_also_sent_to(self, action: str) -> Form:
        """static/app.mjs sends a form with data-autosave-url, as it stands, to that URL too."""
        copy = Form(action, shown_on=[self.page_path])
        copy.merge(self.form)
        return copy

    def handle_data(self, data):
        if self.form is not None and self.textarea:
            self.form.defaults[self.textarea] = [self.form.defaults[self.textarea][0] + data]

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None and self.autosave:
            self.forms.append(self.form_also_sent_to(urlsplit(self.autosave).path))
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_on(page_path: str, html: str) -> list[Form]:
    reader = FormReader(page_path)
    reader.feed(html)
    return reader.forms


def field_values(form: Form, name: str) -> st.SearchStrategy:
    """The page's own value, nothing at all, a choice the page offers, or arbitrary values (three for a date)."""
    options = [
        st.just(form.defaults.get(name, [])),
        st.just([]),
        st.lists(SCALAR, min_size=1, max_size=4),
        st.lists(DATE_PART, min_size=3, max_size=3),
    ]
    if form.choices.get(name):
        options.append(st.lists(st.sampled_from(sorted(form.choices[name])), min_size=1, max_size=3))
    if name in form.files:
        options.append(st.lists(UPLOAD, min_size=1, max_size=1))
    return st.one_of(options)


def form_data(form: Form) -> st.SearchStrategy:
    """The form's fields, each kept, dropped or replaced, plus a few keys the form does not have."""
    fields = st.fixed_dictionaries({name: field_values(form, name) for name in sorted(form.defaults)})
    extras = st.dictionaries(FIELD_NAME, st.lists(SCALAR, max_size=2), max_size=3)
    return st.builds(
        lambda extra, own: {name: values for name, values in (extra | own).items() if values}, extras, fields
    )


def api_body(tool_ids: list[str], answer_ids: list[str]) -> st.SearchStrategy:
    """Arbitrary JSON, and JSON shaped like a real request so the checks past the first one are reached."""
    shaped_score = st.fixed_dictionaries(
        {
            "tool": st.sampled_from(tool_ids) | ANY_TEXT,
            "answers": st.dictionaries(st.sampled_from(answer_ids) | ANY_TEXT, JSON_VALUE, max_size=6),
        }
    )
    shaped_evaluate = st.fixed_dictionaries(
        {
            "today": st.dates().map(str) | ANY_TEXT,
            "victim": st.fixed_dictionaries({"date_of_birth": st.dates().map(str) | JSON_VALUE, "area": JSON_VALUE}),
            "assessments": st.lists(
                shaped_score.map(lambda body: body | {"date": "2026-01-02"}) | JSON_VALUE, max_size=2
            ),
            "professional_judgement": JSON_VALUE,
            "incidents": st.lists(JSON_VALUE, max_size=2) | JSON_VALUE,
            "previous_referrals": st.lists(
                st.fixed_dictionaries({"date": st.dates().map(str) | JSON_VALUE}), max_size=2
            )
            | JSON_VALUE,
        }
    )
    return st.one_of(JSON_VALUE, shaped_score, shaped_evaluate)
