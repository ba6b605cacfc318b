"""The shared glossary: public, built from its data file, and linked from every page's footer."""

import json
from pathlib import Path

import pytest
from markupsafe import escape

from access.models import Role

GLOSSARY = json.loads((Path(__file__).parents[2] / "meetings" / "data" / "glossary.json").read_text(encoding="utf-8"))
FOOTER_LINK = '<a class="govuk-footer__link" href="/glossary">Glossary</a>'


def test_the_page_shows_every_term_and_meaning_without_signing_in(client):
    response = client.get(client.url("meetings.view_glossary"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for entry in GLOSSARY["terms"]:
        assert escape(entry["term"]) in page
        assert escape(entry["meaning"]) in page


def test_the_page_shows_what_each_agency_calls_the_person_at_risk(client):
    page = client.get(client.url("meetings.view_glossary")).get_data(as_text=True)

    assert "What each agency calls the person at risk" in page
    for row in GLOSSARY["names_for_the_person_at_risk"]:
        assert escape(row["agency"]) in page
        assert escape(row["calls_them"]) in page


@pytest.mark.parametrize(
    "term",
    [
        "MARAC",
        "IDVA",
        "DASH / RIC",
        "Police DASH",
        "PJ",
        "Visible high risk",
        "Potential escalation",
        "Repeat",
        "12-month watch",
        "Transfer",
        "Research return",
        "MARAC list",
        "Action",
        "Chair",
        "Coordinator",
        "MAPPA",
        "MASH",
        "DHR",
        "Safe contact",
        "OFFICIAL-SENSITIVE",
        "Risk tiers",
    ],
)
def test_the_data_explains_the_terms_of_the_process(term):
    entry = next((entry for entry in GLOSSARY["terms"] if entry["term"] == term), None)

    assert entry is not None
    assert len(entry["meaning"]) > 40


@pytest.mark.parametrize(
    "word", ["victim", "client or survivor", "patient", "tenant or applicant", "parent or carer", "service user"]
)
def test_the_agency_table_covers_the_usual_words(word):
    assert any(word in row["calls_them"] for row in GLOSSARY["names_for_the_person_at_risk"])


def test_the_tiers_are_all_explained():
    tiers = next(entry for entry in GLOSSARY["terms"] if entry["term"] == "Risk tiers")["meaning"]

    for tier in ("Standard:", "Medium:", "High:", "Very high:"):
        assert tier in tiers


def test_the_footer_links_to_the_glossary_on_the_sign_in_page(client):
    page = client.get(client.url("access.sign_in")).get_data(as_text=True)

    assert FOOTER_LINK in page


def test_the_footer_links_to_the_glossary_when_signed_in(client, sign_in_as):
    sign_in_as(Role.PRACTITIONER)

    page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert "Signed in as" in page
    assert FOOTER_LINK in page
