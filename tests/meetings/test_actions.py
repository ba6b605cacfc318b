from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role
from extensions import db
from meetings.actions import urgency
from meetings.models import Action, ActionStatus
from tests.meetings.factories import seed_meeting

POLICE, HEALTH = "Riverside Police", "Riverside Hospitals NHS Trust"


@pytest.fixture
def seeded(app):
    return seed_meeting(app, cases=2)


def add_action(
    app,
    seeded,
    *,
    agency=POLICE,
    due_in_days=10,
    description="Check the address history",
    owner="Pat Owner",
    case=0,
    **fields,
) -> int:
    with app.app_context():
        action = Action(
            case_id=seeded.case_ids[case],
            agenda_item_id=seeded.item_ids[case],
            description=description,
            owner_agency_id=seeded.agency_ids[agency],
            owner_name=owner,
            due_on=date.today() + timedelta(days=due_in_days),
            **fields,
        )
        db.session.add(action)
        db.session.commit()
        return action.id


def get_action(app, action_id) -> Action:
    with app.app_context():
        action = db.session.get(Action, action_id)
        db.session.expunge(action)
        return action


def count_audit(app, action: str, object_id=None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    with app.app_context():
        return db.session.scalar(query)


def page(client, endpoint, **values) -> str:
    response = client.get(client.url(endpoint, **values))
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("due_in_days", "status", "expected"),
    [
        (-1, ActionStatus.OPEN, "overdue"),
        (0, ActionStatus.OPEN, "due-soon"),
        (3, ActionStatus.OPEN, "due-soon"),
        (4, ActionStatus.OPEN, None),
        (-5, ActionStatus.DONE, None),
        (-5, ActionStatus.NOT_DONE, None),
    ],
)
def test_urgency_edges(due_in_days, status, expected):
    today = date(2026, 3, 10)
    action = Action(due_on=today + timedelta(days=due_in_days), status=status)

    assert urgency(action, today, 3) == expected


def test_a_representative_sees_only_their_own_agencys_actions(app, client, sign_in_as, seeded):
    add_action(app, seeded, agency=POLICE, description="Police to check the address history")
    add_action(app, seeded, agency=HEALTH, description="Health to book a GP review", case=1)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    text = page(client, "meetings.list_actions")

    assert "Actions for Riverside Police" in text
    assert "Police to check the address history" in text
    assert "Health to book a GP review" not in text
    assert "VC, MARAC 2 Dec 2026" in text
    assert "Victim1" not in text and "Victim2" not in text
    assert "Send reminders now" not in text


def test_a_practitioner_cannot_widen_the_list_with_the_agency_filter(app, client, sign_in_as, seeded):
    add_action(app, seeded, agency=POLICE, description="Police to check the address history")
    add_action(app, seeded, agency=HEALTH, description="Health to book a GP review")
    sign_in_as(Role.PRACTITIONER, agency=POLICE)

    text = page(client, "meetings.list_actions", agency=seeded.agency_ids[HEALTH])

    assert "Police to check the address history" in text
    assert "Health to book a GP review" not in text


def test_the_coordinator_sees_every_agency_and_can_filter_to_one(app, client, sign_in_as, seeded):
    add_action(app, seeded, agency=POLICE, description="Police to check the address history")
    add_action(app, seeded, agency=HEALTH, description="Health to book a GP review")
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")

    everything = page(client, "meetings.list_actions")
    health_only = page(client, "meetings.list_actions", agency=seeded.agency_ids[HEALTH])

    assert "Actions: all agencies" in everything
    assert "Police to check the address history" in everything and "Health to book a GP review" in everything
    assert "Send reminders now" in everything
    assert "Reminders</h2>" not in everything
    assert "Health to book a GP review" in health_only
    assert "Police to check the address history" not in health_only
    assert "Actions for Riverside Hospitals NHS Trust" in health_only


def test_the_chair_sees_every_action_but_has_nothing_to_update(app, client, sign_in_as, seeded):
    police = add_action(app, seeded, agency=POLICE, description="Police to check the address history")
    sign_in_as(Role.CHAIR, agency=POLICE)

    text = page(client, "meetings.list_actions")

    assert "Police to check the address history" in text
    assert client.url("meetings.update_action", action_id=police) not in text
    assert "Send reminders now" not in text


def test_overdue_and_due_soon_are_highlighted_and_listed_as_reminders(app, client, sign_in_as, seeded):
    overdue = add_action(app, seeded, due_in_days=-1, description="Overdue one")
    soon = add_action(app, seeded, due_in_days=2, description="Soon one")
    later = add_action(app, seeded, due_in_days=20, description="Later one")
    add_action(
        app,
        seeded,
        due_in_days=-9,
        description="Finished one",
        status=ActionStatus.DONE,
        completion_note="Done it",
        completed_on=date.today(),
    )
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    text = page(client, "meetings.list_actions")
    reminders, _, tables = text.partition("Open actions, by agency and due date")

    assert "2 open actions overdue or due within 3 days" in reminders
    assert f"Action {overdue} " in reminders and f"Action {soon} " in reminders
    assert f"Action {later} " not in reminders
    assert tables.count('govuk-tag--red">Overdue') == 1
    assert tables.count('govuk-tag--yellow">Due soon') == 1
    assert text.index("Overdue one") < text.index("Soon one") < text.index("Later one")
    assert "Closed in the last 90 days" in text and "Finished one" in text


def test_closed_actions_show_for_ninety_days_after_their_last_change(app, client, sign_in_as, seeded):
    long_ago = datetime.now(UTC) - timedelta(days=91)
    add_action(
        app, seeded, description="Closed recently", status=ActionStatus.NOT_DONE, completion_note="Could not reach"
    )
    add_action(
        app,
        seeded,
        description="Closed long ago",
        status=ActionStatus.DONE,
        completion_note="Done",
        created_at=long_ago,
        updated_at=long_ago,
    )
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    text = page(client, "meetings.list_actions")

    assert "Closed recently" in text
    assert "Closed long ago" not in text


def test_the_reminders_panel_shows_even_when_nothing_is_due(app, client, sign_in_as, seeded):
    add_action(app, seeded, due_in_days=30)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    text = page(client, "meetings.list_actions")

    assert "Reminders</h2>" in text
    assert "No open actions are overdue or due within 3 days" in text


def test_the_owning_agency_sees_the_action_and_the_view_is_audited(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded, description="Police to check the address history", owner="Pat Owner")
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    text = page(client, "meetings.update_action", action_id=action_id)

    assert "Update action" in text and "Police to check the address history" in text
    assert "Pat Owner, Riverside Police" in text
    assert "VC, MARAC 2 Dec 2026" in text
    assert "Victim1" not in text
    assert count_audit(app, "case-viewed", seeded.case_ids[0]) == 1


def test_marking_done_saves_the_note_and_date_and_is_audited(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded)
    sign_in_as(Role.PRACTITIONER, agency=POLICE)

    response = client.post(
        client.url("meetings.update_action", action_id=action_id),
        data={"status": "done", "completion_note": "Checked: two call-outs", "version": "1"},
    )

    assert response.status_code == 302
    assert response.location.endswith(client.url("meetings.list_actions"))
    saved = get_action(app, action_id)
    assert (saved.status, saved.completion_note, saved.completed_on) == (
        ActionStatus.DONE,
        "Checked: two call-outs",
        date.today(),
    )
    assert count_audit(app, "action-updated", action_id) == 1
    assert "saved as done" in page(client, "meetings.list_actions")


def test_reopening_an_action_clears_its_completion_date(app, client, sign_in_as, seeded):
    action_id = add_action(
        app, seeded, status=ActionStatus.DONE, completion_note="Done", completed_on=date.today() - timedelta(days=2)
    )
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    response = client.post(
        client.url("meetings.update_action", action_id=action_id),
        data={"status": "open", "completion_note": "", "version": "1"},
    )

    assert response.status_code == 302
    saved = get_action(app, action_id)
    assert (saved.status, saved.completion_note, saved.completed_on) == (ActionStatus.OPEN, None, None)


def test_the_coordinator_may_update_any_agencys_action(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded, agency=HEALTH)
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")

    response = client.post(
        client.url("meetings.update_action", action_id=action_id),
        data={"status": "not-possible-change-of-circumstances", "completion_note": "Moved out of area", "version": "1"},
    )

    assert response.status_code == 302
    assert get_action(app, action_id).status is ActionStatus.NOT_POSSIBLE


@pytest.mark.parametrize("role", [Role.AGENCY_REP, Role.PRACTITIONER])
def test_another_agency_gets_not_found_and_changes_nothing(app, client, sign_in_as, seeded, role):
    action_id = add_action(app, seeded, agency=HEALTH, description="Health to book a GP review")
    sign_in_as(role, agency=POLICE)

    viewed = client.get(client.url("meetings.update_action", action_id=action_id))
    posted = client.post(
        client.url("meetings.update_action", action_id=action_id),
        data={"status": "done", "completion_note": "Not mine", "version": "1"},
    )

    assert viewed.status_code == 404 and posted.status_code == 404
    assert "Health to book a GP review" not in viewed.get_data(as_text=True)
    assert get_action(app, action_id).status is ActionStatus.OPEN
    assert count_audit(app, "action-updated") == 0
    assert count_audit(app, "case-viewed") == 0


def test_the_chair_may_not_update_actions(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded)
    sign_in_as(Role.CHAIR, agency=POLICE)

    assert client.get(client.url("meetings.update_action", action_id=action_id)).status_code == 403


def test_an_unknown_action_is_not_found(app, client, sign_in_as, seeded):
    sign_in_as(Role.COORDINATOR)

    assert client.get(client.url("meetings.update_action", action_id=999)).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"status": "done", "completion_note": "  ", "version": "1"},
            "Enter a completion note: what was done, or why it was not possible or not done",
        ),
        (
            {"status": "not-done", "completion_note": "", "version": "1"},
            "Enter a completion note: what was done, or why it was not possible or not done",
        ),
        (
            {"status": "done", "completion_note": "x" * 10001, "version": "1"},
            "Enter a completion note of 10,000 characters or fewer",
        ),
        ({"completion_note": "Done", "version": "1"}, "Choose the status of the action"),
        ({"status": "finished", "completion_note": "Done", "version": "1"}, "Not a valid choice"),
        ({"status": "done", "completion_note": "Done"}, "Reload the page and try again"),
    ],
)
def test_bad_updates_say_what_to_fix_and_change_nothing(app, client, sign_in_as, seeded, data, message):
    action_id = add_action(app, seeded)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    response = client.post(client.url("meetings.update_action", action_id=action_id), data=data)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    saved = get_action(app, action_id)
    assert (saved.status, saved.completion_note, saved.version_id) == (ActionStatus.OPEN, None, 1)
    assert count_audit(app, "action-updated") == 0


def test_a_stale_update_shows_what_the_action_now_says_and_saves_nothing(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    assert 'name="version" type="hidden" value="1"' in page(client, "meetings.update_action", action_id=action_id)
    with app.app_context():
        action = db.session.get(Action, action_id)
        action.status, action.completion_note = ActionStatus.NOT_DONE, "Colleague: family would not engage"
        db.session.commit()

    response = client.post(
        client.url("meetings.update_action", action_id=action_id),
        data={"status": "done", "completion_note": "My note: visit made", "version": "1"},
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This action changed while you were editing it" in text
    assert "Colleague: family would not engage" in text
    assert 'Status</dt><dd class="govuk-summary-list__value">Not done</dd>' in text
    assert "My note: visit made" in text
    assert 'name="version" type="hidden" value="2"' in text
    saved = get_action(app, action_id)
    assert (saved.status, saved.completion_note, saved.version_id) == (
        ActionStatus.NOT_DONE,
        "Colleague: family would not engage",
        2,
    )
    assert count_audit(app, "action-updated") == 0


def test_saving_again_after_a_conflict_uses_the_new_version(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)
    with app.app_context():
        db.session.get(Action, action_id).completion_note = "Colleague's note"
        db.session.commit()

    first = client.post(
        client.url("meetings.update_action", action_id=action_id),
        data={"status": "done", "completion_note": "Visit made", "version": "1"},
    )
    second = client.post(
        client.url("meetings.update_action", action_id=action_id),
        data={"status": "done", "completion_note": "Visit made", "version": "2"},
    )

    assert (first.status_code, second.status_code) == (409, 302)
    assert get_action(app, action_id).completion_note == "Visit made"
    assert count_audit(app, "action-updated", action_id) == 1


def test_an_update_racing_another_is_refused_and_only_it_is_undone(app, seeded, make_user):
    from sqlalchemy import update

    from access.audit import AuditAction, record_event
    from access.models import User
    from meetings import actions

    action_id = add_action(app, seeded)
    rep_id, _ = make_user(email="racer@example.org", role=Role.AGENCY_REP, agency=POLICE)
    with app.test_request_context(method="POST"):
        rep, action = db.session.get(User, rep_id), db.session.get(Action, action_id)
        record_event(AuditAction.CASE_VIEWED, user=rep, object_type="case", object_id=action.case_id)
        # A colleague's save, made after this person opened the action at version 1.
        db.session.execute(
            update(Action).where(Action.id == action_id).values(version_id=2, completion_note="Colleague's note"),
            execution_options={"synchronize_session": False},
        )

        with pytest.raises(actions.ActionChanged) as changed:
            actions.save_update(
                action, status=ActionStatus.DONE, note="My note", version=1, user=rep, today=date.today()
            )
        assert changed.value.action.completion_note == "Colleague's note"
        db.session.commit()  # as the request's end would

    saved = get_action(app, action_id)
    assert (saved.status, saved.completion_note, saved.version_id) == (ActionStatus.OPEN, "Colleague's note", 2)
    assert (count_audit(app, "action-updated"), count_audit(app, "case-viewed")) == (0, 1)
