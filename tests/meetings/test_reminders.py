"""Reminders against a real SMTP server on loopback, started by the tests."""

from datetime import date, timedelta

import pytest

from access.models import AuditEvent, Role
from extensions import db
from meetings.models import Action
from tests.meetings.conftest import free_port
from tests.meetings.factories import seed_meeting
from tests.meetings.test_actions import HEALTH, POLICE, add_action, count_audit, get_action, page

HOUSING = "Riverside Housing"


@pytest.fixture
def app_settings(request):
    """Mail goes to the loopback server unless a test passes its own settings (indirect parametrize)."""
    if hasattr(request, "param"):
        return request.param
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": request.getfixturevalue("inbox").port}


@pytest.fixture
def seeded(app, make_user):
    seeded = seed_meeting(app, cases=2)
    make_user(email="police-rep-1@example.org", role=Role.AGENCY_REP, agency=POLICE)
    make_user(email="police-rep-2@example.org", role=Role.AGENCY_REP, agency=POLICE)
    make_user(email="police-rep-gone@example.org", role=Role.AGENCY_REP, agency=POLICE, active=False)
    make_user(email="police-practitioner@example.org", role=Role.PRACTITIONER, agency=POLICE)
    make_user(email="health-rep@example.org", role=Role.AGENCY_REP, agency=HEALTH)
    return seeded


@pytest.fixture
def due_actions(app, seeded):
    return {
        "police_overdue": add_action(
            app,
            seeded,
            agency=POLICE,
            due_in_days=-2,
            description="Police to revisit the family home",
            owner="Officer Dana Smith",
        ),
        "police_soon": add_action(
            app,
            seeded,
            agency=POLICE,
            due_in_days=1,
            description="Police to flag the address",
            owner="Officer Dana Smith",
            case=1,
        ),
        "health_soon": add_action(
            app, seeded, agency=HEALTH, due_in_days=3, description="GP to review medication", owner="Dr Lee"
        ),
        "police_later": add_action(
            app, seeded, agency=POLICE, due_in_days=4, description="Police to review bail conditions"
        ),
        "police_done": add_action(
            app,
            seeded,
            agency=POLICE,
            due_in_days=-5,
            description="Police closed item",
            status="done",
            completion_note="Done",
        ),
    }


def send(app):
    return app.test_cli_runner().invoke(args=["meetings", "send-reminders"])


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_each_agency_gets_one_email_addressed_to_its_active_representatives(app, inbox, due_actions):
    result = send(app)

    assert result.exit_code == 0
    assert "Reminded 2 agencies about 3 actions." in result.output
    recipients = {tuple(rcpt): message for rcpt, message in inbox.messages}
    assert set(recipients) == {("police-rep-1@example.org", "police-rep-2@example.org"), ("health-rep@example.org",)}
    police = body(recipients[("police-rep-1@example.org", "police-rep-2@example.org")])
    assert (
        f"Action {due_actions['police_overdue']}: due {(date.today() - timedelta(days=2)).strftime('%-d %B %Y')} "
        "(overdue)" in police
    )
    assert f"Action {due_actions['police_soon']}: due" in police
    assert "1 overdue" in police and "1 due within 3 days" in police
    assert "/actions" in police
    assert f"Action {due_actions['police_later']}:" not in police
    assert f"Action {due_actions['police_done']}:" not in police


def test_the_email_holds_no_names_descriptions_or_notes(app, inbox, due_actions):
    send(app)

    assert len(inbox.messages) == 2
    for _, message in inbox.messages:
        whole = message.as_string()
        for secret in (
            "Victim1",
            "Victim2",
            "Perpetrator1",
            "Child1",
            "Officer Dana Smith",
            "Dr Lee",
            "revisit the family home",
            "flag the address",
            "medication",
            "Done",
        ):
            assert secret not in whole


def test_reminded_actions_are_marked_and_audited_once_per_agency(app, inbox, due_actions):
    send(app)

    for key in ("police_overdue", "police_soon", "health_soon"):
        assert get_action(app, due_actions[key]).last_reminded_on == date.today()
    assert get_action(app, due_actions["police_later"]).last_reminded_on is None
    assert count_audit(app, "action-reminders-sent") == 2


def test_marking_reminded_does_not_make_an_open_edit_stale(app, inbox, due_actions):
    send(app)

    assert get_action(app, due_actions["police_soon"]).version_id == 1


def test_reminders_are_not_sent_twice_the_same_day(app, inbox, due_actions):
    send(app)
    again = send(app)

    assert again.exit_code == 0
    assert "No reminders were due" in again.output
    assert len(inbox.messages) == 2
    assert count_audit(app, "action-reminders-sent") == 2


def test_an_action_reminded_yesterday_is_reminded_again_today(app, inbox, due_actions):
    with app.app_context():
        for action in db.session.scalars(db.select(Action)):
            action.last_reminded_on = date.today() - timedelta(days=1)
        db.session.commit()

    assert "Reminded 2 agencies about 3 actions." in send(app).output
    assert len(inbox.messages) == 2


def test_an_agency_without_active_representatives_is_not_marked_reminded(app, inbox, seeded):
    housing = add_action(app, seeded, agency=HOUSING, due_in_days=0)

    result = send(app)

    assert "1 agency has no active representative to e-mail." in result.output
    assert inbox.messages == []
    assert get_action(app, housing).last_reminded_on is None


def test_the_coordinator_sends_reminders_from_the_action_page(app, client, sign_in_as, inbox, seeded, due_actions):
    coordinator_id = sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")

    response = client.post(client.url("meetings.send_action_reminders"))

    assert response.status_code == 302
    assert response.location.endswith(client.url("meetings.list_actions"))
    assert "Reminded 2 agencies about 3 actions." in page(client, "meetings.list_actions")
    assert len(inbox.messages) == 2
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "action-reminders-sent")).all()
        assert [event.user_id for event in events] == [coordinator_id, coordinator_id]
        assert {event.object_id for event in events} == {str(seeded.agency_ids[POLICE]), str(seeded.agency_ids[HEALTH])}


@pytest.mark.parametrize("role", [Role.AGENCY_REP, Role.CHAIR, Role.PRACTITIONER])
def test_only_the_coordinator_may_send_reminders(app, client, sign_in_as, inbox, due_actions, role):
    sign_in_as(role, agency=POLICE)

    assert client.post(client.url("meetings.send_action_reminders")).status_code == 403
    assert inbox.messages == []


@pytest.mark.parametrize("app_settings", [{}], indirect=True)
def test_without_a_mail_server_nothing_is_sent_and_the_page_still_lists_reminders(app, client, sign_in_as, due_actions):
    result = send(app)

    assert result.exit_code == 0
    assert "E-mail is not configured" in result.output
    assert get_action(app, due_actions["police_overdue"]).last_reminded_on is None
    assert count_audit(app, "action-reminders-sent") == 0
    sign_in_as(Role.AGENCY_REP, agency=POLICE, email="reader@example.org")
    reminders = page(client, "meetings.list_actions").partition("Open actions, by agency")[0]
    assert "2 open actions overdue or due within 3 days" in reminders
    assert f"Action {due_actions['police_overdue']} " in reminders


@pytest.mark.parametrize("app_settings", [{"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port()}], indirect=True)
def test_an_unreachable_mail_server_is_reported_and_loses_nothing(app, client, sign_in_as, due_actions):
    result = send(app)

    assert result.exit_code == 1
    assert "Could not send the reminder e-mails; the reminders still show on the action page." in result.output
    assert get_action(app, due_actions["police_overdue"]).last_reminded_on is None
    assert count_audit(app, "action-reminders-sent") == 0
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")
    response = client.post(client.url("meetings.send_action_reminders"))
    assert response.status_code == 302
    assert "Could not send the reminder e-mails" in page(client, "meetings.list_actions")


def test_a_refused_message_is_reported_and_those_actions_stay_unreminded(app, inbox, due_actions):
    inbox.refuse = True

    result = send(app)

    assert result.exit_code == 1
    assert "Reminded 0 agencies about 0 actions. Could not send the reminder e-mails" in result.output
    assert get_action(app, due_actions["health_soon"]).last_reminded_on is None
    assert count_audit(app, "action-reminders-sent") == 0


def test_when_one_agency_cannot_be_reminded_the_others_stay_marked_and_the_command_fails(app, inbox, due_actions):
    inbox.refused_recipients = {"health-rep@example.org"}

    result = send(app)

    assert result.exit_code == 1
    assert "Reminded 1 agency about 2 actions. Could not send the reminder e-mails" in result.output
    assert get_action(app, due_actions["police_soon"]).last_reminded_on == date.today()
    assert get_action(app, due_actions["health_soon"]).last_reminded_on is None
    assert count_audit(app, "action-reminders-sent") == 1


def test_Z2_a_representative_named_on_a_cases_exclusion_list_is_not_reminded_of_its_action(
    app, inbox, seeded, due_actions, make_user
):
    from cases.models import ExcludedPerson

    make_user(email="jo.bloggs@example.org", role=Role.AGENCY_REP, agency=POLICE, name="Jo Bloggs")
    with app.app_context():
        db.session.add(
            ExcludedPerson(case_id=seeded.case_ids[1], name="Jo BLOGGS", note=None, recorded_by_id=seeded.referrer_id)
        )
        db.session.commit()

    assert send(app).exit_code == 0

    police = {tuple(rcpt): body(message) for rcpt, message in inbox.messages if "health-rep@example.org" not in rcpt}
    excluded_copy = police[("jo.bloggs@example.org",)]
    assert f"Action {due_actions['police_soon']}:" not in excluded_copy
    assert f"Action {due_actions['police_overdue']}:" in excluded_copy
    assert f"Action {due_actions['police_soon']}:" in police[("police-rep-1@example.org", "police-rep-2@example.org")]
    assert get_action(app, due_actions["police_soon"]).last_reminded_on == date.today()


# Escalation of overdue actions (issue 18) and absolute links.


@pytest.fixture
def people_above(app, seeded, make_user):
    """The MARAC coordinator, and the chair of the meeting that agreed the actions."""
    from meetings.models import Meeting

    make_user(email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside IDVA Service")
    chair_id, _ = make_user(email="chair@example.org", role=Role.CHAIR, agency=POLICE)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).chair_id = chair_id
        db.session.commit()


def escalations(app, action_id) -> set[str]:
    from meetings.models import ActionEscalation

    with app.app_context():
        query = db.select(ActionEscalation.raised_with).where(ActionEscalation.action_id == action_id)
        return {raised_with.value for raised_with in db.session.scalars(query)}


def sent_to(inbox, email) -> list[str]:
    return [body(message) for rcpt, message in inbox.messages if email in rcpt]


def test_the_email_links_to_the_action_with_an_absolute_address(app, inbox, due_actions):
    send(app)

    police = sent_to(inbox, "police-rep-1@example.org")[0]
    assert f"http://127.0.0.1:5000/actions/{due_actions['police_overdue']}" in police
    assert "open /actions " not in police


def test_an_action_overdue_a_week_is_escalated_to_the_coordinator_once(app, inbox, seeded, people_above):
    week = add_action(app, seeded, agency=POLICE, due_in_days=-7, description="Police to revisit the family home")
    six_days = add_action(app, seeded, agency=POLICE, due_in_days=-6)

    first = send(app)
    inbox.messages.clear()
    with app.app_context():
        db.session.execute(db.update(Action).values(last_reminded_on=date.today() - timedelta(days=1)))
        db.session.commit()
    send(app)

    assert first.exit_code == 0
    assert "Raised 1 overdue action with the MARAC coordinator." in first.output
    assert sent_to(inbox, "coordinator@example.org") == []
    assert escalations(app, week) == {"owner-agency", "coordinator"}
    assert escalations(app, six_days) == {"owner-agency"}
    assert get_action(app, week).version_id == 1
    assert count_audit(app, "action-escalated", week) == 1
    assert in_app(app, "coordinator@example.org") == [f"1 overdue action on {case_reference(app, week)}"]


def in_app(app, email: str) -> list[str]:
    from access.models import Notification, User

    with app.app_context():
        query = db.select(Notification.message).join(User, User.id == Notification.user_id).where(User.email == email)
        return list(db.session.scalars(query))


def case_reference(app, action_id: int) -> str:
    with app.app_context():
        return db.session.get(Action, action_id).agenda_item.referral.case.reference


def test_without_e_mail_the_owning_agencys_representatives_are_told_in_the_service_once(app, seeded):
    """In-app notice of an overdue action does not wait for e-mail; each due date is told once, and only to
    representatives the case is not kept from (Z2)."""
    from access.models import User
    from cases.models import ExcludedPerson

    app.config["MAIL_SERVER"] = ""
    overdue = add_action(app, seeded, agency=POLICE, due_in_days=-1)
    add_action(app, seeded, agency=POLICE, due_in_days=0)
    with app.app_context():
        kept_from = db.session.scalar(db.select(User).where(User.email == "police-rep-2@example.org"))
        kept_from.name = "Jo Bloggs"
        case_id = db.session.get(Action, overdue).case_id
        db.session.add(ExcludedPerson(case_id=case_id, name="Jo Bloggs", note=None, recorded_by_id=seeded.referrer_id))
        db.session.commit()

    send(app)
    send(app)

    assert in_app(app, "police-rep-1@example.org") == [f"1 overdue action on {case_reference(app, overdue)}"]
    assert in_app(app, "police-rep-2@example.org") == []
    assert in_app(app, "health-rep@example.org") == []
    assert escalations(app, overdue) == {"owner-agency"}


def test_without_e_mail_overdue_actions_are_raised_with_the_coordinator_and_chair_in_the_service_once(
    app, seeded, people_above
):
    app.config["MAIL_SERVER"] = ""
    late = add_action(app, seeded, agency=POLICE, due_in_days=-21)

    first = send(app)
    send(app)

    assert first.exit_code == 0 and "E-mail is not configured" in first.output
    assert "Raised 1 overdue action with the MARAC coordinator in the service." in first.output
    assert "Raised 1 overdue action with the chair of its meeting in the service." in first.output
    assert in_app(app, "coordinator@example.org") == [f"1 overdue action on {case_reference(app, late)}"]
    assert in_app(app, "chair@example.org") == [f"1 overdue action on {case_reference(app, late)}"]
    assert escalations(app, late) == {"owner-agency", "coordinator", "chair"}
    assert count_audit(app, "action-escalated", late) == 2


def test_the_coordinators_email_holds_only_references_and_counts(app, inbox, seeded, people_above):
    week = add_action(
        app, seeded, agency=POLICE, due_in_days=-8, description="Police to revisit the family home", owner="Dana Smith"
    )

    send(app)

    [text] = sent_to(inbox, "coordinator@example.org")
    [message] = [message for rcpt, message in inbox.messages if "coordinator@example.org" in rcpt]
    assert "1 MARAC action overdue" in message["Subject"]
    assert f"Action {week} (case MARAC-2026-0001): due " in text and "8 days overdue" in text
    assert f"http://127.0.0.1:5000/actions/{week}" in text
    for secret in ("Victim1", "revisit the family home", "Dana Smith", "Riverside Police"):
        assert secret not in message.as_string()


def test_after_three_weeks_the_meetings_chair_is_told_too_and_the_history_shows_both(
    app, inbox, client, sign_in_as, seeded, people_above
):
    late = add_action(app, seeded, agency=POLICE, due_in_days=-21)

    result = send(app)

    assert "Raised 1 overdue action with the chair of its meeting." in result.output
    assert len(sent_to(inbox, "chair@example.org")) == 1
    assert len(sent_to(inbox, "coordinator@example.org")) == 1
    assert escalations(app, late) == {"owner-agency", "coordinator", "chair"}
    sign_in_as(Role.COORDINATOR, email="reader@example.org", agency="Riverside IDVA Service")
    history = page(client, "meetings.update_action", action_id=late)
    assert "Overdue: raised with the MARAC coordinator" in history
    assert "Overdue: raised with the chair of the meeting" in history


@pytest.mark.parametrize(
    "app_settings",
    [{"ACTION_ESCALATE_TO_COORDINATOR_DAYS": 2, "ACTION_ESCALATE_TO_CHAIR_DAYS": 4}],
    indirect=True,
)
def test_the_escalation_days_are_settings(app, inbox, seeded, people_above):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
    two = add_action(app, seeded, agency=POLICE, due_in_days=-2)
    four = add_action(app, seeded, agency=POLICE, due_in_days=-4)

    send(app)

    assert escalations(app, two) == {"owner-agency", "coordinator"}
    assert escalations(app, four) == {"owner-agency", "coordinator", "chair"}


def test_Z2_an_excluded_chair_is_not_told_of_that_cases_action(app, inbox, seeded, people_above):
    from access.models import User
    from cases.models import ExcludedPerson

    late = add_action(app, seeded, agency=POLICE, due_in_days=-30)
    with app.app_context():
        chair = db.session.scalar(db.select(User).where(User.email == "chair@example.org"))
        chair.name = "Jo Bloggs"
        db.session.add(
            ExcludedPerson(case_id=seeded.case_ids[0], name="Jo Bloggs", note=None, recorded_by_id=seeded.referrer_id)
        )
        db.session.commit()

    send(app)

    assert all(f"Action {late} " not in text for text in sent_to(inbox, "chair@example.org"))
    assert len(sent_to(inbox, "coordinator@example.org")) == 1
