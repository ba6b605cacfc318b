"""Issue 17, the case at the centre: the case page tells the case's whole story, newest first, from every
package that holds a part of it, each entry linking to its page; a reader sees only what the policy gives
them; the kind filter works without JavaScript; and the history costs the same few queries however long."""

import html
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role, User
from access.policy import CaseScope
from cases import chronology, standing
from cases import store as cases_store
from cases.models import Case, Referral
from cases.vocabulary import EntryKind
from demo.cases import add_assessment, yes_to
from extensions import db, utcnow
from meetings.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    CaseMinutes,
    CaseOutcome,
    Meeting,
    MeetingStatus,
    Transfer,
)
from risk import store as risk_store
from risk.instruments import get_pack
from tests.cases.test_case_access import sign_in_with
from tests.cases.test_journey import complete_ric, refer, start_case
from tests.meetings.factories import seed_meeting
from tests.meetings.test_meeting_cycle import accept_plan, date_fields, minutes_data, step
from tests.sql_statements import statements_run

TODAY = date.today()
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
POLICE, HOUSING = "Riverside Police", "Riverside Housing"
DECISIONS = "Target-harden the home; police to flag the address."
NOTE = "Flag added to the address record."


@dataclass(frozen=True)
class Story:
    case_id: str
    coordinator: object
    police_rep: object


def as_form_date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def one(app, query):
    with app.app_context():
        return db.session.scalar(query)


def tell_a_whole_story(app, make_user, make_agency) -> Story:
    """A case carried through every step, through the pages, by the people who take each step."""
    police_id = make_agency(POLICE)
    referrer = app.test_client()
    sign_in_with(app, referrer, make_user, Role.PRACTITIONER, email="referrer@example.org")
    case_id = start_case(referrer)
    complete_ric(referrer, case_id, 15)
    referrer.post(
        referrer.url("cases.record_judgement", case_id=case_id),
        data={"tier": "3", "rationale": "Threats to kill since she left"},
    )
    referrer.post(
        referrer.url("cases.add_incident", case_id=case_id),
        data={"occurred_on": as_form_date(TODAY - timedelta(days=1)), "type": "threats", "agency_id": str(police_id)},
    )
    assert refer(referrer, case_id).status_code == 302

    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    referral_id = one(app, select(Referral.id).where(Referral.case_id == case_id))
    coordinator.post(coordinator.url("meetings.accept_referral", referral_id=referral_id))
    meeting_id = seed_meeting(
        app, cases=0, starts_at=SOON, invited=(POLICE, "Riverside Hospitals NHS Trust")
    ).meeting_id
    accept_plan(coordinator)
    assert step(coordinator, meeting_id).status_code == 302  # the MARAC list goes out
    with app.app_context():
        db.session.get(Meeting, meeting_id).starts_at = utcnow()  # the meeting's day comes
        db.session.commit()
    step(coordinator, meeting_id)  # the meeting starts
    item_id = one(app, select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))
    coordinator.post(
        coordinator.url("meetings.edit_case_minutes", meeting_id=meeting_id, item_id=item_id),
        data=minutes_data(0, decisions=DECISIONS, outcome="new"),
    )
    housing_id = make_agency(HOUSING)
    for agency_id, description in ((police_id, "Flag the address"), (housing_id, "Fit new locks")):
        coordinator.post(
            coordinator.url("meetings.add_action", meeting_id=meeting_id, item_id=item_id),
            data={"description": description, "owner_agency_id": str(agency_id), "owner_name": "Pat Owner"}
            | date_fields("due_on", TODAY + timedelta(days=14)),
        )
    for _ in range(3):  # minutes to a draft, approved (the chair has read the draft), distributed
        step(coordinator, meeting_id, read_draft="y")
    police_action_id = one(app, select(Action.id).where(Action.owner_agency_id == police_id))

    police_rep = app.test_client()
    sign_in_with(app, police_rep, make_user, Role.AGENCY_REP, agency=POLICE, email="police-rep@example.org")
    updated = police_rep.post(
        police_rep.url("meetings.update_action", action_id=police_action_id),
        data={"status": "done", "completion_note": NOTE, "version": "1"},
    )
    assert updated.status_code == 302
    coordinator.post(
        coordinator.url("meetings.record_transfer", case_id=case_id),
        data={
            "direction": "out",
            "other_area": "Northshire",
            "transferred_on": as_form_date(TODAY),
            "sent": ["previous-minutes"],
            "note": "",
        },
    )
    return Story(case_id, coordinator, police_rep)


@pytest.fixture
def story(app, make_user, make_agency) -> Story:
    return tell_a_whole_story(app, make_user, make_agency)


def case_page(client, case_id, **args) -> str:
    response = client.get(client.url("cases.view_case", case_id=case_id, **args))
    assert response.status_code == 200
    return response.get_data(as_text=True)


ENTRY = re.compile(r'<h3 class="govuk-heading-s govuk-!-margin-bottom-1">(.*?)</h3>', re.DOTALL)
LINK = re.compile(r'href="([^"]+)"')


def history_of(page: str) -> list[tuple[str, str | None]]:
    """(title, link) of each entry of the page's history, in the order shown."""
    shown = page.split('id="chronology"', 1)[1] if 'id="chronology"' in page else ""
    entries = []
    for heading in ENTRY.findall(shown):
        link = LINK.search(heading)
        entries.append(
            (html.unescape(re.sub(r"<[^>]+>", "", heading)).strip(), html.unescape(link.group(1)) if link else None)
        )
    return entries


def titles(page: str) -> list[str]:
    return [title for title, _ in history_of(page)]


def test_the_whole_story_is_told_newest_first_and_every_entry_opens_its_page(app, story):
    day = f"{TODAY.day} {TODAY.strftime('%B %Y')}"

    entries = history_of(case_page(story.coordinator, story.case_id))

    assert [title for title, _ in entries] == [
        "Action for Riverside Police marked done",
        f"Minutes and action plans distributed for the meeting on {day}",
        "Action agreed for Riverside Housing",
        "Action agreed for Riverside Police",
        f"Minutes of the MARAC meeting on {day}",
        f"Heard at the MARAC meeting on {day}",
        f"MARAC list issued for the meeting on {day}",
        f"Placed on the agenda of the MARAC meeting on {day}",
        "Referral accepted by the MARAC coordinator",
        "Referred to the MARAC",
        "Professional judgement: high risk",
        "Transferred out to the Northshire MARAC",
        f"Risk assessment: {get_pack('dash-ric').name}",
        "Incident: threats",
    ]
    for title, link in entries:
        assert link is not None, title
        assert story.coordinator.get(link).status_code == 200, (title, link)


def test_an_entry_shows_what_happened_in_plain_words(app, story):
    page = html.unescape(case_page(story.coordinator, story.case_id))

    assert f"Decisions: {DECISIONS}" in page and "Outcome: New case." in page
    assert f"Note: {NOTE}" in page and "Updated by Riverside Police" in page
    assert "risk tier: High" in page and "Risk factors: " in page
    assert "The answers given" in page and "Q1. " in page
    assert "Reported to Riverside Police" in page
    assert "Documents: Minutes; Action plan, all agencies" in page
    for code in ("visible-high-risk", "dash-ric", "transfer-out", "not-possible"):
        assert code not in re.sub(r'(href|value|id|class|name|for|action|src)="[^"]*"', "", page), code


def test_the_history_can_be_narrowed_to_one_kind_without_javascript(app, story):
    page = case_page(story.coordinator, story.case_id, kind=EntryKind.ACTION.value)

    assert titles(page) == [
        "Action for Riverside Police marked done",
        "Action agreed for Riverside Housing",
        "Action agreed for Riverside Police",
    ]
    assert '<option value="action" selected>Action</option>' in page
    assert f'action="{story.coordinator.url("cases.view_case", case_id=story.case_id)}#history"' in page
    assert len(titles(case_page(story.coordinator, story.case_id, kind="no-such-kind"))) == 14


def test_an_agency_representative_sees_only_their_own_agencys_actions(app, story):
    seen = titles(case_page(story.police_rep, story.case_id))

    assert "Action agreed for Riverside Police" in seen and "Action for Riverside Police marked done" in seen
    assert "Action agreed for Riverside Housing" not in seen
    assert any(title.startswith("Minutes of the MARAC meeting") for title in seen)  # invited, and distributed


def test_a_practitioner_sees_no_minutes_and_no_actions_of_other_agencies(app, story, make_user):
    police_worker = app.test_client()
    sign_in_with(app, police_worker, make_user, Role.PRACTITIONER, agency=POLICE, email="police-worker@example.org")

    seen = titles(case_page(police_worker, story.case_id))

    assert not any(title.startswith("Minutes of") for title in seen)
    assert "Action agreed for Riverside Housing" not in seen
    assert "Action agreed for Riverside Police" in seen


def test_where_the_case_stands_counts_the_open_actions_the_reader_may_see(app, story):
    for_coordinator = html.unescape(case_page(story.coordinator, story.case_id))
    for_police = html.unescape(case_page(story.police_rep, story.case_id))

    assert "Where the case stands" in for_coordinator
    assert re.search(r"Open actions</dt>\s*<dd[^>]*>(<a[^>]*>)?1, none overdue", for_coordinator)
    assert re.search(r"Open actions for your agency</dt>\s*<dd[^>]*>(<a[^>]*>)?None", for_police)
    assert "Transferred out to the Northshire MARAC on" in for_coordinator
    assert "heard at the MARAC" in for_coordinator  # the referral's status, as before


def test_each_view_of_the_case_page_is_one_audit_row(app, story):
    def views() -> int:
        return one(
            app,
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case-viewed", AuditEvent.object_id == story.case_id),
        )

    before = views()
    case_page(story.coordinator, story.case_id)

    assert views() == before + 1


def declined_case(app, make_user, make_agency) -> tuple[object, str]:
    referrer = app.test_client()
    sign_in_with(app, referrer, make_user, Role.PRACTITIONER, email="referrer@example.org")
    case_id = start_case(referrer)
    complete_ric(referrer, case_id, 15)
    refer(referrer, case_id)
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    referral_id = one(app, select(Referral.id).where(Referral.case_id == case_id))
    coordinator.post(
        coordinator.url("meetings.decline_referral", referral_id=referral_id),
        data={"reason": "Held by the neighbouring MARAC: she has moved."},
    )
    return referrer, case_id


def test_the_reason_a_referral_was_declined_is_kept_from_those_the_policy_does_not_tell(app, make_user, make_agency):
    referrer, case_id = declined_case(app, make_user, make_agency)
    colleague = app.test_client()
    sign_in_with(app, colleague, make_user, Role.AGENCY_REP, email="colleague@example.org")  # the referrer's agency

    for_referrer = html.unescape(case_page(referrer, case_id))
    for_colleague = html.unescape(case_page(colleague, case_id))

    assert "Referral declined by the MARAC coordinator" in titles(for_colleague)
    assert "Reason: Held by the neighbouring MARAC: she has moved." in for_referrer
    assert "Held by the neighbouring MARAC" not in for_colleague


# The history costs a fixed number of queries.


def add_to_the_story(app, case_id: str, times: int) -> None:
    """`times` more of each kind of entry on the case, written straight to the database."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        referral = db.session.scalars(select(Referral).where(Referral.case_id == case_id)).one()
        user = db.session.scalars(select(User).where(User.id == referral.referrer_id)).one()
        for number in range(times):
            add_assessment(case, user, "dash-ric", yes_to(10 + number), TODAY - timedelta(days=number))
            risk_store.add_judgement(case_id, tier=3, rationale=f"Reason {number}", author=user)
            db.session.add(
                Transfer(
                    case_id=case_id,
                    incoming=True,
                    other_area=f"Area {number}",
                    transferred_on=TODAY,
                    what_was_sent="",
                    recorded_by_id=user.id,
                )
            )
            meeting = Meeting(
                area="Riverside",
                starts_at=SOON - timedelta(days=30 + number),
                venue="Room 2",
                status=MeetingStatus.DISTRIBUTED,
                list_issued_at=utcnow(),
                distributed_at=utcnow(),
            )
            db.session.add(meeting)
            db.session.flush()
            item = AgendaItem(
                meeting_id=meeting.id,
                referral_id=referral.id,
                position=1,
                section="adult-only",
                starts_at=meeting.starts_at,
                ends_at=meeting.starts_at,
                flags=[],
                placed_at=utcnow(),
            )
            db.session.add(item)
            db.session.flush()
            db.session.add(CaseMinutes(agenda_item_id=item.id, decisions="Agreed", outcome=CaseOutcome.NEW))
            action = Action(
                case_id=case_id,
                agenda_item_id=item.id,
                description=f"Action {number}",
                owner_agency_id=user.agency_id,
                owner_name="Pat Owner",
                due_on=TODAY,
            )
            db.session.add(action)
            db.session.flush()
            for status in (ActionStatus.OPEN, ActionStatus.DONE):
                db.session.add(
                    ActionUpdate(
                        action_id=action.id,
                        status=status,
                        updated_by_id=user.id,
                        agency_id=user.agency_id,
                        reviewed_at_meeting_id=meeting.id,
                    )
                )
        db.session.commit()


def queries_for_history(app, case_id: str, email: str) -> tuple[int, int]:
    """(statements, entries) for the history and the panel of one case, read as the user with this email."""
    with app.test_request_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        case = db.session.get(Case, case_id)
        scope = cases_store.case_scope(user, case)
        chronology.entries_for(user, case, scope)  # packs and rules loaded once, as on any page
        with statements_run(app) as statements:
            entries = chronology.entries_for(user, case, scope)
            standing.facts_for(user, case, scope)
        return len(statements), len(entries)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.PRACTITIONER])
def test_the_history_makes_as_many_queries_for_a_long_story_as_for_a_short_one(app, make_user, role):
    seeded = seed_meeting(app, cases=2)
    make_user(email="reader@example.org", role=role, agency="Riverside IDVA Service")
    add_to_the_story(app, seeded.case_ids[0], 1)
    add_to_the_story(app, seeded.case_ids[1], 5)

    short_queries, short_entries = queries_for_history(app, seeded.case_ids[0], "reader@example.org")
    long_queries, long_entries = queries_for_history(app, seeded.case_ids[1], "reader@example.org")

    assert long_entries > short_entries + 20
    assert long_queries == short_queries


# The registry


def test_a_source_registered_twice_gives_its_entries_once_and_ties_keep_a_fixed_order(app, monkeypatch):
    monkeypatch.setattr(chronology, "_sources", [])
    moment = datetime(2026, 12, 1, 10, tzinfo=UTC)

    def source(user, case, scope, records):
        return [
            chronology.Entry(moment, EntryKind.ASSESSMENT, "B"),
            chronology.Entry(moment, EntryKind.ACTION, "A"),
            chronology.Entry(moment, EntryKind.ASSESSMENT, "A"),
            chronology.Entry(moment - timedelta(days=1), EntryKind.DOCUMENT, "Earlier"),
        ]

    chronology.register(source)
    chronology.register(source)
    practitioner = User(id=1, role=Role.PRACTITIONER, agency_id=1, name="Sam Worker")
    scope = CaseScope(involved_agency_ids=frozenset({1}), idva_agency_ids=frozenset(), excluded=False)

    entries = chronology.entries_for(practitioner, None, scope)

    assert [(entry.kind, entry.title) for entry in entries] == [
        (EntryKind.ACTION, "A"),
        (EntryKind.ASSESSMENT, "B"),
        (EntryKind.ASSESSMENT, "A"),
        (EntryKind.DOCUMENT, "Earlier"),
    ]
    assert chronology.entries_for(practitioner, None, replace(scope, excluded=True)) == []


# One read of each of the case's lists for the whole page


CASE_LISTS = ("assessment", "professional_judgement", "incident", "referral")


def reads_of_the_case_lists(statements: list[str]) -> dict[str, int]:
    """How many statements read each list's rows by the case's id (its summary, panel and history each once read
    them), with or without what each row has one of joined to it; a count or a latest date over the table (for the
    policy or retention) is not a read of the list."""
    return {
        table: sum(
            1
            for statement in statements
            if re.match(
                rf"SELECT {table}\.id, .*\sFROM {table}\s+(LEFT OUTER JOIN .*)?WHERE {table}\.case_id = ",
                statement,
                re.DOTALL,
            )
        )
        for table in CASE_LISTS
    }


def test_the_case_page_reads_each_of_the_cases_lists_once(app, story):
    case_page(story.coordinator, story.case_id)
    with statements_run(app) as statements:
        case_page(story.coordinator, story.case_id)

    assert reads_of_the_case_lists(statements) == dict.fromkeys(CASE_LISTS, 1)
