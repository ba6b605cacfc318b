"""Journey 2: the coordinator triages the queue, links a referral to a victim heard at MARAC four
months ago (so it becomes a repeat), plans the agenda and issues the MARAC list."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from access.models import Role
from app import format_local_datetime
from cases.models import Referral, ReferralState
from meetings.models import AgendaItem, Meeting, MeetingStatus, ResearchReturn
from tests.browser.journeys import go, in_database, next_week, signed_in_page
from tests.meetings.factories import seed_history_and_a_new_referral


def summary_value(page, key):
    return page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text=key)).locator("dd")


def test_the_coordinator_links_a_repeat_plans_the_agenda_and_issues_the_list(
    app, live_server, new_page, axe, make_user
):
    starts_at = next_week()
    referral_id, upcoming, last_referred_on = seed_history_and_a_new_referral(app, starts_at, incident_days_ago=2)
    _, secret = make_user(email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside Council")
    page = signed_in_page(new_page, axe, live_server, "coordinator@example.org", secret)

    go(page, axe, page.locator("nav").get_by_role("link", name="Referrals", exact=True))
    queue_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="VC", exact=True))
    expect(queue_row).to_contain_text("1 possible match")
    expect(queue_row).not_to_contain_text("Repeat")
    go(page, axe, queue_row.get_by_role("link", name="VC", exact=True))
    expect(summary_value(page, "Referral criteria")).to_have_text("Visible high risk (checklist score)")
    expect(summary_value(page, "Last MARAC")).to_have_text("None known")

    go(page, axe, page.get_by_role("button", name="Same person: link to Victim1 Case"))
    expect(page.get_by_text("Linked: this victim is recorded as the same person")).to_be_visible()
    expect(summary_value(page, "Referral criteria")).to_have_text("Visible high risk (checklist score), Repeat")
    expect(summary_value(page, "Last MARAC")).to_have_text(last_referred_on.strftime("%-d %B %Y"))
    go(page, axe, page.get_by_role("button", name="Accept for MARAC"))
    expect(page.get_by_text("Referral accepted")).to_be_visible()
    expect(queue_row).to_contain_text("Repeat")
    expect(queue_row).to_contain_text("Accepted")

    go(page, axe, page.locator("nav").get_by_role("link", name="Meetings", exact=True))
    go(page, axe, page.get_by_role("link", name="Plan agendas from the queue"))
    expect(page.get_by_role("heading", level=2, name=format_local_datetime(starts_at))).to_be_visible()
    proposed = page.get_by_role("table", name="Cases proposed for this meeting").get_by_role(
        "row",
        name=re.compile(r"^\S+ \(VC\)"),  # the case reference, then her initials
    )
    expect(proposed).to_contain_text("Visible high risk (checklist score), Repeat")
    expect(proposed.locator(".govuk-tag", has_text="Repeat")).to_be_visible()
    go(page, axe, page.get_by_role("button", name="Accept this plan"))
    expect(page.get_by_text("Plan accepted: 1 case placed on agendas.")).to_be_visible()
    # The plan filled one meeting, so accepting it leads to that meeting.
    expect(page.get_by_role("heading", level=1)).to_contain_text(format_local_datetime(starts_at))
    on_agenda = (
        page.get_by_role("table", name="Running order")
        .get_by_role("row")
        .filter(has=page.get_by_role("cell", name=re.compile(r"^\S+ VC$")))  # reference, then initials
    )
    expect(on_agenda.get_by_role("cell", name="Repeat", exact=True)).to_be_visible()
    go(page, axe, page.get_by_role("button", name="Issue the MARAC list"))  # its confirmation page
    expect(page.get_by_role("heading", level=2, name="Who will be told")).to_be_visible()
    go(page, axe, page.get_by_role("button", name="Issue the MARAC list"))
    expect(page.get_by_text("Done: issue the MARAC list.")).to_be_visible()
    assert page.console_errors == []

    ((item_id, meeting_id, flags),) = in_database(
        app, select(AgendaItem.id, AgendaItem.meeting_id, AgendaItem.flags).where(AgendaItem.referral_id == referral_id)
    )
    assert (meeting_id, "repeat" in flags) == (upcoming.meeting_id, True)
    assert in_database(app, select(Referral.state, Referral.criteria).where(Referral.id == referral_id)) == [
        (ReferralState.SCHEDULED, ["visible-high-risk", "repeat"])
    ]
    assert in_database(app, select(Meeting.status).where(Meeting.id == upcoming.meeting_id)) == [
        (MeetingStatus.LIST_ISSUED,)
    ]
    requested = in_database(
        app,
        select(ResearchReturn.agency_id)
        .where(ResearchReturn.agenda_item_id == item_id)
        .order_by(ResearchReturn.agency_id),
    )
    assert requested == sorted(
        (upcoming.agency_ids[name],) for name in ("Riverside Police", "Riverside Hospitals NHS Trust")
    )
