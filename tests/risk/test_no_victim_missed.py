"""Issue 14's findings, each tried as a coordinator or a calling system would: through `risk score`,
`risk evaluate`, the JSON API and the pages. Each test here failed before the fix it names."""

import json
import re
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from access.models import Role, User
from cases import store as cases_store
from cases.models import Referral, ReferralState
from extensions import db
from risk import store as risk_store
from risk.criteria import evaluate
from risk.models import Decision
from tests.cases.test_journey import complete_ric, start_assessment, start_case
from tests.conftest import build_test_app

ROOT = Path(__file__).parent.parent.parent
RIC_ITEMS = [f"q{number}" for number in range(1, 25)]
POLICE_ITEMS = [f"q{number}" for number in range(1, 28)]


def yes_to(count: int, items=RIC_ITEMS) -> dict:
    return {item: ("yes" if number < count else "no") for number, item in enumerate(items)}


def case(today="2026-03-20", assessments=(), incidents=(), referrals=(), judgement=None) -> dict:
    return {
        "today": today,
        "victim": {"date_of_birth": "1990-05-01"},
        "assessments": list(assessments),
        "professional_judgement": judgement,
        "incidents": list(incidents),
        "previous_referrals": list(referrals),
    }


def ric_on(day: str, yes: int) -> dict:
    return {"tool": "dash-ric", "date": day, "answers": yes_to(yes)}


def police_dash_on(day: str, yes: int, grade: str | None = None) -> dict:
    answers = yes_to(yes, POLICE_ITEMS) | ({"grade": grade} if grade else {})
    return {"tool": "police-dash", "date": day, "answers": answers}


@pytest.fixture
def build_app(database_url):
    return lambda **settings: build_test_app(database_url, **settings)


@pytest.fixture
def seed_heard_referral(app, make_agency):
    """A referral of the case taken to MARAC and heard, received on the given day."""
    agency_id = make_agency("Riverside IDVA Service")

    def seed(case_id: str, day: date) -> None:
        with app.app_context():
            author = db.session.scalars(select(User)).first()
            case = cases_store.get_case_by_id(case_id)
            decision = risk_store.save_decision(
                case.id, evaluate(cases_store.case_facts(case, day)), evaluated_by=author, today=day
            )
            referral = cases_store.create_referral(
                case,
                decision,
                referrer=author,
                victim_informed=True,
                consent_given=True,
                no_consent_reason=None,
                idempotency_key=str(uuid.uuid4()),
            )
            referral.state = ReferralState.HEARD
            referral.received_at = datetime.combine(day, time(10), tzinfo=UTC)
            db.session.commit()

    seed.agency_id = agency_id
    return seed


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


@pytest.fixture
def run(app):
    def invoke(*args, body) -> tuple[int, dict | None, str]:
        result = app.test_cli_runner().invoke(args=["risk", *args, "-"], input=json.dumps(body))
        output = json.loads(result.stdout) if result.exit_code == 0 else None
        return result.exit_code, output, result.stderr

    return invoke


def evaluated(run, body) -> dict:
    code, output, error = run("evaluate", body=body)
    assert code == 0, error
    return output


# 1. A later, lower form never cancels visible high risk; the order of the inputs never matters.


def test_a_later_lower_police_dash_does_not_cancel_a_ric_with_15_yes(run):
    decision = evaluated(run, case(assessments=[ric_on("2026-03-07", 15), police_dash_on("2026-03-09", 9)]))

    assert decision["eligible"] is True
    assert decision["criteria"] == ["visible-high-risk"]
    assert decision["evidence"]["visible-high-risk"] == {"assessments": [0]}


@pytest.mark.parametrize("order", [(15, 9), (9, 15)])
def test_two_rics_on_the_same_day_are_eligible_in_either_order(run, order):
    decision = evaluated(run, case(assessments=[ric_on("2026-03-07", yes) for yes in order]))

    assert decision["eligible"] is True
    assert decision["evidence"]["visible-high-risk"] == {"assessments": [order.index(15)]}


def test_the_web_app_counts_every_current_ric_not_the_one_typed_last(app, client, sign_in_as):
    sign_in_as(Role.PRACTITIONER, agency="Riverside IDVA Service")
    case_id = start_case(client)
    complete_ric(client, case_id, 15)
    complete_ric(client, case_id, 9)

    page = client.get(client.url("cases.view_case", case_id=case_id)).get_data(as_text=True)

    assert "Meets MARAC criteria Yes" in text_of(page)
    with app.app_context():
        latest = db.session.scalars(select(Decision).order_by(Decision.id.desc())).first()
        assert latest.eligible and latest.criteria == ["visible-high-risk"]


# 2. The officer's grade raises the common tier, never lowers it.


def test_police_dash_with_14_yes_graded_standard_keeps_its_band_and_is_tier_3(run):
    code, result, error = run(
        "score", "police-dash", body={"answers": yes_to(14, POLICE_ITEMS) | {"grade": "standard"}}
    )

    assert code == 0, error
    assert (result["band"], result["tier"]) == ("standard", 3)
    assert any(
        prompt["code"] == "rule-unverified" and "grade" in prompt["message"].lower() for prompt in result["prompts"]
    )


# 3. High on any tool that is not the RIC's count is visible high risk (other tool), confirmed by the coordinator.


def test_police_dash_graded_high_with_8_yes_is_visible_high_risk_on_another_tool(run):
    decision = evaluated(run, case(assessments=[police_dash_on("2026-03-19", 8, "high")]))

    assert decision["eligible"] is True
    assert decision["criteria"] == ["visible-high-risk-other-tool"]
    assert "coordinator-confirmation-needed" in {prompt["code"] for prompt in decision["prompts"]}


# 4. "Not applicable" only where the pack allows it.


def test_a_ric_answered_not_applicable_throughout_is_refused_naming_the_item(run):
    code, _, error = run("score", "dash-ric", body={"answers": {item: "not-applicable" for item in RIC_ITEMS}})

    assert code == 2
    assert error.startswith("q1:")
    assert "not applicable" in error
    assert len(error.strip().splitlines()) == 1


def test_the_form_offers_not_applicable_only_on_the_child_contact_item(client, sign_in_as):
    sign_in_as(Role.PRACTITIONER, agency="Riverside IDVA Service")
    case_id = start_case(client)
    assessment_id = start_assessment(client, case_id)

    page = client.get(client.url("cases.edit_assessment", case_id=case_id, assessment_id=assessment_id)).get_data(
        as_text=True
    )

    assert page.count('value="not-applicable"') == 1
    assert 'name="q7" type="radio" value="not-applicable"' in page


# 5 and 6. One repeat rule, and it looks at the perpetrator.


def test_an_incident_dated_before_the_last_marac_referral_does_not_return_the_case_again(
    app, client, sign_in_as, seed_heard_referral
):
    sign_in_as(Role.PRACTITIONER, agency="Riverside IDVA Service")
    case_id = start_case(client)
    today = date.today()
    seed_heard_referral(case_id, today - timedelta(days=300))
    seed_heard_referral(case_id, today - timedelta(days=10))
    agency_id = seed_heard_referral.agency_id

    occurred = today - timedelta(days=20)

    client.post(
        client.url("cases.add_incident", case_id=case_id),
        data={
            "occurred_on": [str(occurred.day), str(occurred.month), str(occurred.year)],
            "type": "violence",
            "agency_id": str(agency_id),
        },
    )

    with app.app_context():
        referrals = db.session.scalars(select(Referral).where(Referral.case_id == case_id)).all()
        assert len(referrals) == 2  # the incident was dealt with by the last referral: no third


def test_a_new_incident_by_a_different_known_perpetrator_is_not_a_repeat(run):
    decision = evaluated(
        run,
        case(
            incidents=[{"date": "2026-03-01", "agency": "police", "perpetrator": "B"}],
            referrals=[{"date": "2025-09-01", "perpetrators": ["A"]}],
        ),
    )

    assert "repeat" not in decision["criteria"]
    assert "new-perpetrator" in {prompt["code"] for prompt in decision["prompts"]}


# 7. An old assessment meets no criterion.


def test_a_danger_assessment_from_three_years_ago_meets_no_criterion(run, licensed_weights):
    decision = evaluated(
        run,
        case(
            assessments=[
                {
                    "tool": "danger-assessment",
                    "date": "2023-03-01",
                    "answers": {f"q{number}": "yes" for number in range(1, 21)},
                },
            ]
        ),
    )

    assert decision["eligible"] is False
    assert decision["tier"] == 1
    assert "reassess" in {prompt["code"] for prompt in decision["prompts"]}


# 8. Danger Assessment weights only from a licensed table.


def test_without_a_licensed_table_the_danger_assessment_gives_the_yes_count_and_no_tier(run):
    code, result, error = run("score", "danger-assessment", body={"answers": {"q2": "yes", "q3": "yes", "q4": "yes"}})

    assert code == 0, error
    assert (result["score"], result["band"], result["tier"]) == (3, None, None)
    assert "weights-not-loaded" in {prompt["code"] for prompt in result["prompts"]}


# 9. Unchecked rules are named wherever a result is shown.


@pytest.mark.parametrize(("tool", "answers"), [("dara", {"grade": "high"}), ("b-safer", {"priority": "high"})])
def test_a_result_names_the_unverified_rules_it_used(run, tool, answers):
    code, result, error = run("score", tool, body={"answers": answers})

    assert code == 0, error
    assert any(prompt["code"] == "rule-unverified" for prompt in result["prompts"])


# 10. Rule sets as data.


def test_rulesets_are_listed_with_the_one_in_force(app):
    result = app.test_cli_runner().invoke(args=["risk", "rulesets"])

    assert result.exit_code == 0, result.output
    assert "safelives-2026.1" in result.stdout
    assert "in force" in result.stdout


def test_an_override_file_gives_a_new_version_stored_on_the_decision(run, tmp_path, build_app):
    override = tmp_path / "riverside.json"
    override.write_text(
        json.dumps(
            {"rules": {"vhr_threshold": {"value": 12, "verified": False, "source": "Riverside steering group, 2026"}}}
        )
    )

    with build_app(RULESET_OVERRIDE_FILE=str(override)) as app:
        result = app.test_cli_runner().invoke(
            args=["risk", "evaluate", "-"], input=json.dumps(case(assessments=[ric_on("2026-03-19", 12)]))
        )

    decision = json.loads(result.stdout)
    assert decision["eligible"] is True
    assert decision["ruleset"].startswith("safelives-2026.1+")
    assert len(decision["ruleset"]) == len("safelives-2026.1+") + 8


# Contracts


@pytest.mark.parametrize(
    ("command", "body", "key"),
    [
        (("score", "dash-ric"), {"answers": {"q1": "yes"}, "note": "x"}, "note"),
        (("evaluate",), case() | {"victim": {"date_of_birth": "1990-05-01", "postcode": "RV1"}}, "victim.postcode"),
        (("evaluate",), case(incidents=[{"date": "2026-03-01", "agency": "police", "perp": "B"}]), "incidents[0].perp"),
        (("evaluate",), case(assessments=[ric_on("2026-03-19", 3) | {"by": "x"}]), "assessments[0].by"),
    ],
)
def test_a_key_not_in_the_contract_exits_2_naming_it(run, command, body, key):
    code, _, error = run(*command, body=body)

    assert code == 2
    assert key in error
    assert len(error.strip().splitlines()) == 1


def test_a_configuration_error_in_a_cli_command_is_one_line_and_exit_2(tmp_path):
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # production settings, and no SECRET_KEY

    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "risk", "tools"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
    assert "SECRET_KEY" in completed.stderr
