from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cases import store as cases_store
from cases.models import Case, Person, Referral, ReferralState
from extensions import db
from reports.models import SubjectAccessRequest
from reports.quarters import uk_today
from reports.vocabulary import ItemDecision, RequesterKind
from risk.criteria import evaluate
from tests.conftest import build_test_app


@pytest.fixture
def seeded_app(database_url, tmp_path):
    with build_test_app(database_url, DEMO_MODE=True, MARAC_AREA="Riverside (demo)") as app:
        app.instance_path = str(tmp_path / "instance")
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        yield app


def criteria_of_waiting_referrals(app) -> list[list[str]]:
    with app.app_context():
        referrals = db.session.scalars(select(Referral).where(Referral.state == ReferralState.RECEIVED))
        return sorted(referral.criteria for referral in referrals)


def test_the_demo_queue_has_a_repeat_an_escalation_and_a_judgement_referral(seeded_app):
    criteria = criteria_of_waiting_referrals(seeded_app)

    assert ["visible-high-risk"] in criteria
    assert any("repeat" in entry for entry in criteria)
    assert any("potential-escalation" in entry for entry in criteria)
    assert any("professional-judgement" in entry for entry in criteria)


def test_the_demo_has_an_under_age_victim_who_is_routed_to_childrens_safeguarding(seeded_app):
    with seeded_app.app_context():
        case = db.session.scalars(select(Case).join(Case.victim).where(Person.given_name == "Ellie")).one()
        decision = evaluate(cases_store.case_facts(case, date.today()))

    assert not decision.eligible
    assert "children-safeguarding" in decision.routes


def test_the_demo_has_a_past_meeting_with_overdue_actions_and_an_upcoming_one_with_research_coming_in(seeded_app):
    from meetings.models import Action, ActionStatus, AgendaItem, Meeting, MeetingStatus, ResearchReturn

    with seeded_app.app_context():
        # The retention review's cases were heard years ago (test_demo_retention.py); these are this year's.
        this_year = datetime.now(UTC) - timedelta(days=365)
        meetings = list(
            db.session.scalars(select(Meeting).where(Meeting.starts_at > this_year).order_by(Meeting.starts_at))
        )
        earlier, past, upcoming = meetings[:2], meetings[2], meetings[3]
        overdue = [
            action
            for action in db.session.scalars(select(Action))
            if action.status is ActionStatus.OPEN and action.due_on < date.today()
        ]
        requests = list(
            db.session.scalars(select(ResearchReturn).join(AgendaItem).where(AgendaItem.meeting_id == upcoming.id))
        )

        assert all(meeting.status is MeetingStatus.DISTRIBUTED for meeting in earlier)
        assert past.status is MeetingStatus.DISTRIBUTED and past.starts_at.date() < date.today()
        assert upcoming.status is MeetingStatus.LIST_ISSUED and upcoming.starts_at.date() > date.today()
        assert len(overdue) >= 2
        assert 0 < sum(1 for request in requests if request.returned_at) < len(requests)


def test_a_seed_that_fails_part_way_loads_nothing_and_can_be_run_again(database_url, tmp_path, monkeypatch):
    from access.models import Agency, User

    def broken(*args, **kwargs):
        raise RuntimeError("the meeting could not move on")

    with build_test_app(database_url, DEMO_MODE=True) as app:
        app.instance_path = str(tmp_path / "instance")
        # Fails after the agenda is planned, the last step of the demo meetings.
        monkeypatch.setattr("demo.meetings.schedule.take_next_step", broken)
        failed = app.test_cli_runner().invoke(args=["demo", "seed"])
        with app.app_context():
            left = [db.session.scalar(select(func.count()).select_from(model)) for model in (Agency, User, Case)]
        monkeypatch.undo()
        again = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert failed.exit_code != 0 and "Demo data loaded" not in failed.output
    assert left == [0, 0, 0]
    assert again.exit_code == 0 and "Demo data loaded" in again.output


def test_the_demo_has_a_case_whose_history_has_an_entry_of_every_kind(seeded_app):
    from access.models import Role, User
    from cases import chronology
    from cases.vocabulary import EntryKind

    with seeded_app.test_request_context():
        coordinator = db.session.scalars(select(User).where(User.role == Role.COORDINATOR)).one()
        case = db.session.scalars(select(Case).join(Case.victim).where(Person.given_name == "Farah")).one()
        entries = chronology.entries_for(coordinator, case, cases_store.case_scope(coordinator, case))

    assert {entry.kind for entry in entries} == set(EntryKind)
    assert any(entry.title.endswith("answers changed") for entry in entries)  # and the version it replaced
    assert sum(entry.kind is EntryKind.ASSESSMENT for entry in entries) == 2
    assert [entry.when for entry in entries] == sorted((entry.when for entry in entries), reverse=True)
    assert all(entry.link for entry in entries)


def test_D6_the_demo_has_a_perpetrators_subject_access_request_in_progress(seeded_app):
    with seeded_app.app_context():
        request = db.session.scalars(select(SubjectAccessRequest)).one()
        decisions = {item.decision for item in request.items}

        assert request.requester_kind is RequesterKind.PERPETRATOR
        assert (uk_today() - request.received_on).days == 12
        assert {ItemDecision.DISCLOSED, ItemDecision.TO_REVIEW, ItemDecision.WITHHELD} <= decisions
        assert all(
            item.decision is ItemDecision.WITHHELD and item.exemption == "third-party"
            for item in request.items
            if not item.about_requester
        )
        assert len({item.case_id for item in request.items}) >= 1
