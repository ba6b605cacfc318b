"""Break-glass (SECURITY Z7) and anomaly alerts (Z8): a case outside one's work opened for a reason,
for an hour, with a high-severity audit event and an alert the coordinator sees."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from access.models import AlertKind, AuditEvent, Role, SecurityAlert
from cases.models import BreakGlassGrant, Case, ExcludedPerson
from extensions import db
from tests.cases.test_journey import start_case
from tests.conftest import give_session
from tests.test_need_to_know import signed_in

REASON = "Victim attended A&E tonight; checking for a MARAC safety plan"
NOW = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)


def a_case(app, make_user, given="Jane", family="Doe") -> str:
    idva = signed_in(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", f"idva-{given}@example.org")
    return start_case(idva, given, family)


def alerts(app, kind=None):
    with app.app_context():
        query = select(SecurityAlert)
        if kind is not None:
            query = query.where(SecurityAlert.kind == kind)
        return [(row.kind, row.user_id, row.object_id) for row in db.session.scalars(query)]


def test_Z7_break_glass_needs_a_reason_of_20_characters_and_opens_the_case_for_an_hour(app, make_user):
    case_id = a_case(app, make_user)
    with time_machine.travel(NOW, tick=False):
        health = signed_in(app, make_user, Role.PRACTITIONER, "Riverside Hospitals NHS Trust", "health@example.org")
        refused_page = health.get(health.url("cases.view_case", case_id=case_id))
        too_short = health.post(health.url("cases.break_glass", case_id=case_id), data={"reason": "urgent"})
        opened = health.post(health.url("cases.break_glass", case_id=case_id), data={"reason": REASON})
        within_the_hour = health.get(health.url("cases.view_case", case_id=case_id))
        may_not_change = health.get(health.url("cases.start_assessment", case_id=case_id))

    assert refused_page.status_code == 404
    assert health.url("cases.break_glass", case_id=case_id) in refused_page.get_data(as_text=True)
    assert "Enter between 20 and 1,000 characters" in too_short.get_data(as_text=True)
    assert opened.status_code == 302 and within_the_hour.status_code == 200
    assert may_not_change.status_code == 404
    with time_machine.travel(NOW + timedelta(minutes=61), tick=False):
        give_session(app, health, health.user_id)  # signed in again: the idle limit has passed too
        assert health.get(health.url("cases.view_case", case_id=case_id)).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BreakGlassGrant)) == 1
        used = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "break-glass-used")).one()
        assert (used.user_id, used.object_id, used.severity) == (health.user_id, case_id, "high")
    assert alerts(app) == [(AlertKind.BREAK_GLASS, health.user_id, case_id)]


def test_Z7_the_coordinator_sees_the_alert_and_marks_it_looked_at(app, make_user):
    case_id = a_case(app, make_user)
    health = signed_in(
        app, make_user, Role.PRACTITIONER, "Riverside Hospitals NHS Trust", "health@example.org", name="Dr Ada Shah"
    )
    health.post(health.url("cases.break_glass", case_id=case_id), data={"reason": REASON})
    coordinator = signed_in(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")

    page = coordinator.get(coordinator.url("access.list_alerts")).get_data(as_text=True)
    with app.app_context():
        alert_id = db.session.scalars(select(SecurityAlert.id)).one()
    coordinator.post(coordinator.url("access.mark_alert_seen", alert_id=alert_id))

    assert "Dr Ada Shah, Riverside Hospitals NHS Trust" in page and "break-glass" in page
    assert REASON not in page
    with app.app_context():
        assert db.session.get(SecurityAlert, alert_id).seen_at is not None
    assert health.get(health.url("access.list_alerts")).status_code == 403


def test_Z7_break_glass_never_opens_a_case_to_someone_its_exclusion_list_names(app, make_user):
    case_id = a_case(app, make_user)
    health = signed_in(
        app, make_user, Role.PRACTITIONER, "Riverside Hospitals NHS Trust", "lee@example.org", name="Lee Grant"
    )
    with app.app_context():
        db.session.add(ExcludedPerson(case_id=case_id, name="Lee GRANT", note=None, recorded_by_id=health.user_id))
        db.session.commit()

    response = health.post(health.url("cases.break_glass", case_id=case_id), data={"reason": REASON})

    assert response.status_code == 404
    assert health.get(health.url("cases.view_case", case_id=case_id)).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BreakGlassGrant)) == 0
        refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "break-glass-refused")).one()
        assert refused.severity == "high"


def main_content(response) -> str:
    """The page's main part: the header's sign-out form carries a token that changes with the time."""
    html = response.get_data(as_text=True)
    return html[html.index("<main") : html.index("</main>")]


def test_Z7_the_page_is_the_same_for_a_case_that_does_not_exist(app, make_user):
    case_id = a_case(app, make_user)
    health = signed_in(app, make_user, Role.PRACTITIONER, "Riverside Hospitals NHS Trust", "health@example.org")
    missing = "00000000-0000-4000-8000-000000000000"

    real = main_content(health.get(health.url("cases.break_glass", case_id=case_id)))
    made_up = main_content(health.get(health.url("cases.break_glass", case_id=missing)))

    assert real.replace(case_id, "ID") == made_up.replace(missing, "ID")
    assert health.post(health.url("cases.break_glass", case_id=missing), data={"reason": REASON}).status_code == 404


def test_Z8_opening_more_than_30_cases_in_an_hour_alerts_the_coordinator_once(app, make_user):
    coordinator = signed_in(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")
    case_ids = [start_case(coordinator, f"Person{number}", "Case") for number in range(32)]

    for case_id in case_ids[:30]:
        coordinator.get(coordinator.url("cases.view_case", case_id=case_id))
    assert alerts(app, AlertKind.MANY_CASES_VIEWED) == []
    for case_id in case_ids[30:]:
        coordinator.get(coordinator.url("cases.view_case", case_id=case_id))

    assert alerts(app, AlertKind.MANY_CASES_VIEWED) == [(AlertKind.MANY_CASES_VIEWED, coordinator.user_id, None)]


def test_Z8_the_view_that_passes_the_limit_raises_the_alert_itself(app, make_user):
    """The count includes the view being recorded, which joins the audit trail only when its page commits."""
    coordinator = signed_in(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")
    case_ids = [start_case(coordinator, f"Person{number}", "Case") for number in range(31)]

    for case_id in case_ids:
        coordinator.get(coordinator.url("cases.view_case", case_id=case_id))

    assert alerts(app, AlertKind.MANY_CASES_VIEWED) == [(AlertKind.MANY_CASES_VIEWED, coordinator.user_id, None)]


def test_Z8_more_than_3_break_glass_uses_in_a_day_alerts_the_coordinator(app, make_user):
    case_ids = [a_case(app, make_user, f"Person{number}", "Case") for number in range(4)]
    health = signed_in(app, make_user, Role.PRACTITIONER, "Riverside Hospitals NHS Trust", "health@example.org")

    for case_id in case_ids:
        health.post(health.url("cases.break_glass", case_id=case_id), data={"reason": REASON})

    assert alerts(app, AlertKind.MANY_BREAK_GLASS) == [(AlertKind.MANY_BREAK_GLASS, health.user_id, None)]
    assert len(alerts(app, AlertKind.BREAK_GLASS)) == 4
    with app.app_context():
        assert db.session.get(Case, case_ids[0]) is not None


def test_Z7_breaking_glass_on_a_case_already_ones_own_just_opens_it(app, make_user):
    idva = signed_in(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "idva@example.org")
    case_id = start_case(idva, "Jane", "Doe")

    response = idva.post(idva.url("cases.break_glass", case_id=case_id), data={"reason": REASON})

    assert response.location.endswith(idva.url("cases.view_case", case_id=case_id))
    assert "The MARAC coordinator has been told" not in idva.get(response.location).get_data(as_text=True)
    assert alerts(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BreakGlassGrant)) == 0
