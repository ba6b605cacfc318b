"""Issue 18, the documents list: search, filter by meeting date and document kind, and pages with counts."""

import html
from datetime import timedelta

import pytest

from tests.conftest import give_session
from tests.reports.test_documents import MEETING_START, seed_world


@pytest.fixture
def world(app):
    return seed_world(app)


def documents_page(app, client, world, status=200, **query) -> str:
    give_session(app, client, world.user_ids["coordinator"])
    response = client.get("/documents", query_string=query)
    assert response.status_code == status
    return html.unescape(response.get_data(as_text=True))


def meeting_sections(page: str) -> list[str]:
    return [part.split('"', 1)[0] for part in page.split('id="meeting-')[1:]]


def test_the_list_filters_by_meeting_date(app, client, world):
    day = MEETING_START.date()

    only_current = documents_page(app, client, world, **{"from": day.isoformat()})
    only_earlier = documents_page(app, client, world, to=(day - timedelta(days=1)).isoformat())

    assert meeting_sections(only_current) == [str(world.meeting_id)]
    assert meeting_sections(only_earlier) == [str(world.earlier_meeting_id)]
    assert "Showing 1 to 1 of 1 meeting" in only_current


def test_the_list_filters_by_document_kind(app, client, world):
    page = documents_page(app, client, world, kind="agenda")
    page = page[page.index('id="meeting-') :]  # the list, after the search form's choices

    assert "Agenda" in page
    assert "Action plan, all agencies" not in page and "MARAC list and research pack" not in page


def test_the_list_searches_document_names(app, client, world):
    page = documents_page(app, client, world, q="housing")
    page = page[page.index('id="meeting-') :]

    assert "Action plan for Riverside Housing" in page
    assert "Action plan for Riverside Police" not in page


def test_the_list_sorts_newest_meeting_first_or_oldest_first(app, client, world):
    newest_first = meeting_sections(documents_page(app, client, world))
    oldest_first = meeting_sections(documents_page(app, client, world, sort="oldest"))

    assert len(newest_first) > 1
    assert oldest_first == list(reversed(newest_first))


def test_the_list_is_paged_with_counts(app, client, world):
    app.config["DOCUMENTS_PER_PAGE"] = 1

    first = documents_page(app, client, world)
    second = documents_page(app, client, world, page=2)

    assert meeting_sections(first) == [str(world.meeting_id)]
    assert meeting_sections(second) == [str(world.earlier_meeting_id)]
    assert "Showing 1 to 1 of 2 meetings" in first and "Showing 2 to 2 of 2 meetings" in second
    assert "page=2" in first


def test_a_bad_date_says_what_to_fix_and_keeps_what_was_typed(app, client, world):
    page = documents_page(app, client, world, status=400, **{"from": "31/13/2026"}, q="agenda")

    assert "Enter the date as a real date" in page
    assert 'value="31/13/2026"' in page and 'value="agenda"' in page
