"""A return that says the agency is involved must say how; a part-written return can be kept as a draft."""

from datetime import timedelta

import pytest

from access.audit import AuditAction
from access.models import Role
from tests.meetings.factories import seed_meeting
from tests.meetings.test_research import FUTURE, POLICE, a_return, count_events, get_return, issue_list


@pytest.fixture
def issued(app):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    return seeded, issue_list(app, seeded, due_at=FUTURE - timedelta(days=3))


def test_involved_with_every_box_empty_is_refused_and_what_was_typed_is_kept(app, client, sign_in_as, url, issued):
    _, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]

    response = client.post(
        url("meetings.edit_research_return", return_id=return_id),
        data=a_return(involvement="   ", proposed_actions="Check the PNC again"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a summary of your agency&#39;s involvement: you said your agency is involved" in page
    assert "Check the PNC again" in page
    saved = get_return(app, return_id)
    assert (saved.returned_at, saved.known, saved.proposed_actions) == (None, None, None)
    assert count_events(app, AuditAction.RESEARCH_RETURNED, return_id) == 0


def test_not_involved_needs_no_summary(app, client, sign_in_as, url, issued):
    _, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    response = client.post(
        url("meetings.edit_research_return", return_id=ids[(POLICE, 0)]), data=a_return(known="no", involvement="")
    )

    assert response.status_code == 302
    assert get_return(app, ids[(POLICE, 0)]).returned_at is not None


def test_a_draft_keeps_what_was_written_without_returning_it_and_progress_says_draft_saved(
    app, client, sign_in_as, url, issued
):
    seeded, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]

    response = client.post(
        url("meetings.edit_research_return", return_id=return_id),
        data=a_return(known="", involvement="", risks="Half-written: checking", save_draft="y"),
    )

    assert response.status_code == 302
    saved = get_return(app, return_id)
    assert saved.returned_at is None
    assert saved.risks == "Half-written: checking"
    assert count_events(app, AuditAction.RESEARCH_DRAFT_SAVED, return_id) == 1
    assert count_events(app, AuditAction.RESEARCH_RETURNED, return_id) == 0
    assert "Draft saved. It has not been returned yet" in client.get(response.location).get_data(as_text=True)
    form = client.get(url("meetings.edit_research_return", return_id=return_id)).get_data(as_text=True)
    assert "Half-written: checking" in form and "Draft saved" in form

    sign_in_as(Role.COORDINATOR)
    progress = client.get(url("meetings.view_research_progress", meeting_id=seeded.meeting_id)).get_data(as_text=True)
    assert "1 draft saved" in progress
    assert f"{POLICE} (draft saved)" in progress
    assert "0 of 2 returns received" in progress


def test_a_return_already_sent_cannot_become_a_draft(app, client, sign_in_as, url, issued):
    _, ids = issued
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    return_id = ids[(POLICE, 0)]
    client.post(url("meetings.edit_research_return", return_id=return_id), data=a_return())

    response = client.post(
        url("meetings.edit_research_return", return_id=return_id),
        data=a_return(involvement="", version="2", save_draft="y"),
    )

    assert response.status_code == 400
    assert get_return(app, return_id).involvement == "Health visitor since March"
