import json

import pytest
from sqlalchemy import func, select

from access import store
from access.models import AuditEvent
from extensions import db

OUTPUT_KEYS = {"eligible", "criteria", "tier", "prompts", "routes", "ruleset", "evidence"}
CASE = {
    "today": "2026-11-22",
    "victim": {"date_of_birth": "1990-05-01", "area": "Hillford"},
    "assessments": [{"tool": "dash-ric", "date": "2026-11-20", "answers": {f"q{n}": "yes" for n in range(1, 15)}}],
    "professional_judgement": None,
    "incidents": [{"date": "2026-10-01", "agency": "police"}],
    "previous_referrals": [{"date": "2026-01-10"}],
}


@pytest.fixture
def app_settings():
    return {"MARAC_AREA": "Riverside"}


def test_evaluate_prints_one_decision_with_exactly_the_contract_keys(app):
    result = app.test_cli_runner().invoke(args=["risk", "evaluate", "-"], input=json.dumps(CASE))

    assert result.exit_code == 0
    decision = json.loads(result.stdout)
    assert set(decision) == OUTPUT_KEYS
    assert decision["eligible"] is True
    assert decision["criteria"] == ["visible-high-risk", "repeat"]
    assert decision["tier"] == 3
    assert "marac-to-marac-transfer" in decision["routes"]
    assert decision["ruleset"] == "safelives-2026.1"
    assert decision["evidence"] == {
        "visible-high-risk": {"assessments": [0]},
        "repeat": {"incidents": [0], "previous_referrals": [0]},
    }
    assert "check-perpetrator" in {prompt["code"] for prompt in decision["prompts"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"today": "22/11/2026"}, "today must be a date written YYYY-MM-DD"),
        ({"victim": None}, "victim must be an object"),
        ({"victim": {"date_of_birth": "1990-02-30"}}, "victim.date_of_birth must be a date"),
        ({"assessments": [{"tool": "nope", "date": "2026-11-20", "answers": {}}]}, "There is no tool 'nope'"),
        (
            {"assessments": [{"tool": "dash-ric", "date": "2026-11-20", "answers": {"q1": "often"}}]},
            "q1: 'often' is not an answer",
        ),
        ({"assessments": {"tool": "dash-ric"}}, "assessments must be a list"),
        ({"professional_judgement": {"tier": 5, "rationale": "x"}}, "professional_judgement.tier must be 1, 2, 3 or 4"),
        ({"incidents": [{"date": "2026-10-01"}]}, "incidents[0].agency must name the reporting agency"),
        ({"previous_referrals": [{"perpetrators": []}]}, "previous_referrals[0].date must be a date"),
        ({"previous_referrals": [{"when": "2026-01-10"}]}, "previous_referrals[0].when: not a key the input takes"),
        (
            {"previous_referrals": [{"date": "2026-01-10", "perpetrators": "P1"}]},
            "previous_referrals[0].perpetrators must be a list",
        ),
        (
            {"incidents": [{"date": "2026-10-01", "agency": "police", "perpetrator": 7}]},
            "incidents[0].perpetrator must be the id",
        ),
        (
            {"assessments": [{"tool": "dash-ric", "date": "2026-11-20", "answers": {"q1": {"a": 1}}}]},
            "assessments[0].answers.q1 must be one answer",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(app, change, message):
    result = app.test_cli_runner().invoke(args=["risk", "evaluate", "-"], input=json.dumps(CASE | change))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def make_token(app, make_user) -> str:
    user_id, _ = make_user(email="admin@example.org")
    with app.app_context():
        admin = store.get_user(user_id)
        store.create_api_token(agency=admin.agency, name="Case system", token="e" * 43, created_by=admin)
        db.session.commit()
    return "e" * 43


def test_the_api_gives_the_same_decision_and_audits_the_call(app, make_user):
    token = make_token(app, make_user)
    cli_output = json.loads(app.test_cli_runner().invoke(args=["risk", "evaluate", "-"], input=json.dumps(CASE)).stdout)
    api = app.test_client()

    response = api.post(api.url("risk.evaluate_api"), json=CASE, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.get_json() == cli_output
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "api-evaluate"))
            == 1
        )


def test_the_api_refuses_bad_input_with_a_400_and_no_audit_row(app, make_user):
    token = make_token(app, make_user)
    api = app.test_client()

    response = api.post(
        api.url("risk.evaluate_api"), json=CASE | {"today": "soon"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 400
    assert "today must be a date" in response.get_json()["error"]
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "api-evaluate"))
            == 0
        )


@pytest.mark.parametrize(
    ("endpoint", "command", "body"),
    [
        (
            "risk.evaluate_api",
            ["risk", "evaluate", "-"],
            CASE | {"incidents": [{"date": "2026-10-01", "agency": "police", "perpetrator_id": "P1"}]},
        ),
        (
            "risk.score_api",
            ["risk", "score", "dash-ric", "-"],
            {"tool": "dash-ric", "answers": {"q1": "yes"}, "comment": "typed by hand"},
        ),
    ],
)
def test_a_key_not_in_the_contract_gets_the_same_words_from_the_api_and_the_command(
    app, make_user, endpoint, command, body
):
    """SECURITY V1: input is checked against the contract at every depth; nothing unknown is ignored silently."""
    token = make_token(app, make_user)
    api = app.test_client()

    response = api.post(api.url(endpoint), json=body, headers={"Authorization": f"Bearer {token}"})
    printed = app.test_cli_runner().invoke(args=command, input=json.dumps(body))

    assert response.status_code == 400
    assert printed.exit_code == 2
    assert response.get_json()["error"] == printed.stderr.strip()
    assert ("incidents[0].perpetrator_id" if "evaluate" in endpoint else "comment") in printed.stderr
