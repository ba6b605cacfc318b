"""Actions as living records (issue 18): a sane due date, an edit page for the coordinator and the
meeting's chair with a reason, and every change kept as history that the action and the case show."""

from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from access.models import Notification, Role
from extensions import db
from forms.actions import ActionForm
from meetings.models import Action, ActionUpdate, Meeting
from tests.meetings.test_actions import HEALTH, POLICE, add_action, count_audit, get_action, page

HOUSING = "Riverside Housing"


@pytest.fixture
def seeded(app):
    from tests.meetings.factories import seed_meeting

    return seed_meeting(app, cases=2)


def date_fields(name: str, day: date) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def edit_data(seeded, *, version="1", agency=POLICE, due=None, **fields) -> dict:
    due = due or date.today() + timedelta(days=10)
    return (
        {
            "description": "Check the address history",
            "owner_agency_id": str(seeded.agency_ids[agency]),
            "owner_name": "Pat Owner",
            "reason": "Agreed with the chair",
            "version": version,
        }
        | date_fields("due_on", due)
        | fields
    )


def history_of(app, action_id) -> list[ActionUpdate]:
    with app.app_context():
        rows = db.session.scalars(db.select(ActionUpdate).where(ActionUpdate.action_id == action_id)).all()
        db.session.expunge_all()
        return rows


def created_form(app, due: date) -> ActionForm:
    with app.test_request_context(method="POST"):
        form = ActionForm(
            formdata=MultiDict(
                [
                    ("description", "Assess for a safe move"),
                    ("owner_agency_id", "1"),
                    ("owner_name", "Jo Byrne"),
                    ("due_on", str(due.day)),
                    ("due_on", str(due.month)),
                    ("due_on", str(due.year)),
                ]
            )
        )
        form.owner_agency_id.choices = [(1, "Riverside Police")]
        form.validate()
        return form


def test_V1_a_due_date_years_ahead_is_refused_when_the_action_is_agreed(app):
    latest = date.today() + timedelta(days=183)

    far = created_form(app, date(2031, 11, 1))
    last_day = created_form(app, latest)

    assert far.errors["due_on"] == [
        f"Enter a due date on or before {latest.strftime('%-d %B %Y')}, at most 183 days ahead"
    ]
    assert "due_on" not in last_day.errors


def test_the_latest_due_date_is_a_setting(app):
    app.config["ACTION_LATEST_DUE_DAYS"] = 30

    assert "at most 30 days ahead" in created_form(app, date.today() + timedelta(days=31)).errors["due_on"][0]
    assert "due_on" not in created_form(app, date.today() + timedelta(days=30)).errors


def test_the_coordinator_fixes_a_far_due_date_with_a_reason_and_it_is_kept_as_history(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded, due_in_days=0)
    with app.app_context():
        db.session.get(Action, action_id).due_on = date(2031, 11, 1)
        db.session.commit()
    coordinator_id = sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")
    new_due = date.today() + timedelta(days=28)

    form = page(client, "meetings.edit_action", action_id=action_id)
    response = client.post(
        client.url("meetings.edit_action", action_id=action_id),
        data=edit_data(seeded, due=new_due, reason="Typed the wrong year at the meeting", version="2"),
    )

    assert "Edit action" in form and "Why are you changing it?" in form
    assert response.status_code == 302
    assert get_action(app, action_id).due_on == new_due
    [change] = history_of(app, action_id)
    assert change.kind.value == "edit"
    assert change.updated_by_id == coordinator_id
    assert change.reason == "Typed the wrong year at the meeting"
    assert change.changes == [{"field": "due_on", "old": "2031-11-01", "new": new_due.isoformat()}]
    assert count_audit(app, "action-edited", action_id) == 1
    shown = page(client, "meetings.edit_action", action_id=action_id)
    assert "Due date changed from 1 November 2031 to " + new_due.strftime("%-d %B %Y") in shown
    assert "Typed the wrong year at the meeting" in shown


def test_an_action_is_reassigned_to_another_agency_and_person(app, client, sign_in_as, make_user, seeded):
    action_id = add_action(app, seeded, agency=POLICE, owner="Pat Owner")
    housing_rep_id, _ = make_user(email="housing-rep@example.org", role=Role.AGENCY_REP, agency=HOUSING)
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")

    client.post(
        client.url("meetings.edit_action", action_id=action_id),
        data=edit_data(seeded, agency=HOUSING, owner_name="Jo Byrne", reason="Housing now holds the tenancy"),
    )

    saved = get_action(app, action_id)
    assert (saved.owner_agency_id, saved.owner_name) == (seeded.agency_ids[HOUSING], "Jo Byrne")
    [change] = history_of(app, action_id)
    assert {item["field"] for item in change.changes} == {"owner_agency_id", "owner_name"}
    reference = saved_reference(app)
    with app.app_context():
        told = db.session.scalars(db.select(Notification.message).where(Notification.user_id == housing_rep_id))
        assert [message.split(",")[0] for message in told] == [f"New action for your agency on {reference}"]


def saved_reference(app) -> str:
    from cases.models import Case

    with app.app_context():
        return db.session.scalars(db.select(Case.reference)).first()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": ""}, "Enter why you are changing the action"),
        ({"description": ""}, "Enter what needs doing"),
        ({"owner_name": ""}, "Enter the name of the person who will do it"),
        (date_fields("due_on", date(2031, 11, 1)), "Enter a due date on or before"),
        (date_fields("due_on", date.today() - timedelta(days=1)), "Enter a due date that is today or later"),
    ],
)
def test_V1_a_bad_edit_says_what_to_fix_keeps_what_was_typed_and_changes_nothing(
    app, client, sign_in_as, seeded, fields, message
):
    action_id = add_action(app, seeded)
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")

    response = client.post(
        client.url("meetings.edit_action", action_id=action_id),
        data=edit_data(seeded, owner_name=fields.pop("owner_name", "Sam Typed"), **fields),
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in text
    assert "Sam Typed" in text or message.startswith("Enter the name")
    saved = get_action(app, action_id)
    assert (saved.owner_name, saved.version_id) == ("Pat Owner", 1)
    assert history_of(app, action_id) == []


def test_an_overdue_action_keeps_its_past_due_date_when_only_the_description_changes(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded, due_in_days=-5)
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")

    response = client.post(
        client.url("meetings.edit_action", action_id=action_id),
        data=edit_data(seeded, due=date.today() - timedelta(days=5), description="Check the address history again"),
    )

    assert response.status_code == 302
    assert get_action(app, action_id).description == "Check the address history again"


def test_a_stale_edit_is_refused_and_shows_both_versions(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded)
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")
    with app.app_context():
        db.session.get(Action, action_id).owner_name = "Colleague Changed"
        db.session.commit()

    response = client.post(
        client.url("meetings.edit_action", action_id=action_id),
        data=edit_data(seeded, owner_name="My Typed Name"),
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This action changed while you were editing it" in text
    assert "Colleague Changed" in text and "My Typed Name" in text
    assert 'name="version" type="hidden" value="2"' in text
    assert get_action(app, action_id).owner_name == "Colleague Changed"
    assert history_of(app, action_id) == []


def test_the_meetings_own_chair_may_edit_but_another_chair_may_not(app, client, sign_in_as, make_user, seeded):
    action_id = add_action(app, seeded)
    chair_id = sign_in_as(Role.CHAIR, email="chair@example.org", agency=POLICE)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).chair_id = chair_id
        db.session.commit()

    assert client.get(client.url("meetings.edit_action", action_id=action_id)).status_code == 200
    other = app.test_client()
    other_id, _ = make_user(email="other-chair@example.org", role=Role.CHAIR, agency=POLICE)
    from tests.conftest import give_session

    give_session(app, other, other_id)
    assert other.get(client.url("meetings.edit_action", action_id=action_id)).status_code == 404


@pytest.mark.parametrize("role", [Role.AGENCY_REP, Role.PRACTITIONER])
def test_Z2_the_owning_agency_updates_status_but_may_not_edit_or_reassign(app, client, sign_in_as, seeded, role):
    action_id = add_action(app, seeded, agency=POLICE)
    sign_in_as(role, agency=POLICE)

    assert client.get(client.url("meetings.edit_action", action_id=action_id)).status_code == 403
    assert (
        client.post(
            client.url("meetings.edit_action", action_id=action_id), data=edit_data(seeded, agency=HEALTH)
        ).status_code
        == 403
    )
    assert get_action(app, action_id).owner_agency_id == seeded.agency_ids[POLICE]


def test_Z2_an_excluded_chair_gets_not_found(app, client, sign_in_as, seeded):
    from cases.models import ExcludedPerson

    action_id = add_action(app, seeded)
    chair_id = sign_in_as(Role.CHAIR, email="jo.bloggs@example.org", agency=POLICE)
    with app.app_context():
        from access.models import User

        db.session.get(User, chair_id).name = "Jo Bloggs"
        db.session.get(Meeting, seeded.meeting_id).chair_id = chair_id
        db.session.add(
            ExcludedPerson(case_id=seeded.case_ids[0], name="Jo Bloggs", note=None, recorded_by_id=seeded.referrer_id)
        )
        db.session.commit()

    assert client.get(client.url("meetings.edit_action", action_id=action_id)).status_code == 404


def test_the_status_page_shows_the_whole_history(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded)
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")
    client.post(
        client.url("meetings.edit_action", action_id=action_id),
        data=edit_data(seeded, owner_name="Jo Byrne", reason="Pat has left"),
    )
    client.post(
        client.url("meetings.update_action", action_id=action_id),
        data={"status": "done", "completion_note": "Checked", "version": "2"},
    )

    text = page(client, "meetings.update_action", action_id=action_id)

    assert "History of this action" in text
    assert "Named person changed from Pat Owner to Jo Byrne" in text and "Pat has left" in text
    assert "Marked done" in text


def test_the_cases_history_tells_the_change_in_words(app, client, sign_in_as, seeded):
    action_id = add_action(app, seeded, agency=POLICE)
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")
    client.post(
        client.url("meetings.edit_action", action_id=action_id),
        data=edit_data(seeded, agency=HEALTH, reason="Health holds the GP record"),
    )

    text = page(client, "cases.view_case", case_id=seeded.case_ids[0])

    assert "Action reassigned from Riverside Police to Riverside Hospitals NHS Trust" in text
    assert "Reason: Health holds the GP record" in text
    assert "owner_agency_id" not in text
