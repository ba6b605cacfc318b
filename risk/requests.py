"""Reading the JSON that the CLI and the API accept, with messages that say what to fix."""

from datetime import date

from risk.criteria import (
    AssessmentFacts,
    CaseFacts,
    IncidentFacts,
    JudgementFacts,
    Victim,
)
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

SCORE_EXAMPLE = '{"answers": {"q1": "yes"}}'


class RequestError(ValueError):
    """A request that cannot be used; the message says what to fix."""


def answers_from_request(body: object) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        raise RequestError(f'The input needs an "answers" object, like {SCORE_EXAMPLE}')
    return body["answers"]


def facts_from_request(body: object) -> CaseFacts:
    if not isinstance(body, dict):
        raise RequestError('The input must be a JSON object with "today", "victim", "assessments", "professional_judgement", "incidents" and "previous_referrals"')
    victim = required_object(body, "victim")
    return CaseFacts(
        today=date_at(body, "today", "today"),
        victim=Victim(date_of_birth=date_at(victim, "date_of_birth", "victim.date_of_birth"), area=optional_text(victim, "area", "victim.area")),
        assessments=tuple(assessment_from(entry, f"assessments[{index}]") for index, entry in enumerate(list_at(body, "assessments"))),
        professional_judgement=judgement_from(body.get("professional_judgement")),
        incidents=tuple(incident_from(entry, f"incidents[{index}]") for index, entry in enumerate(list_at(body, "incidents"))),
        previous_referral_dates=tuple(
            date_at(object_at(entry, f"previous_referrals[{index}]"), "date", f"previous_referrals[{index}].date")
            for index, entry in enumerate(list_at(body, "previous_referrals"))
        ),
    )


def required_object(body: dict, key: str) -> dict:
    return object_at(body.get(key), key)


def object_at(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise RequestError(f"{where} must be an object")
    return value


def list_at(body: dict, key: str) -> list:
    value = body.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise RequestError(f"{key} must be a list (or left out)")
    return value


def date_at(body: dict, key: str, where: str) -> date:
    value = body.get(key)
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise RequestError(f"{where} must be a date written YYYY-MM-DD, like 2026-11-22")


def optional_text(body: dict, key: str, where: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise RequestError(f"{where} must be text")
    return value


def assessment_from(entry: object, where: str) -> AssessmentFacts:
    entry = object_at(entry, where)
    tool = entry.get("tool")
    if not isinstance(tool, str):
        raise RequestError(f'{where}.tool must name a tool, like "dash-ric"')
    answers = entry.get("answers")
    if not isinstance(answers, dict):
        raise RequestError(f'{where}.answers must be an object, like {{"q1": "yes"}}')
    return AssessmentFacts(tool=tool, date=date_at(entry, "date", f"{where}.date"), result=score(get_pack(tool), answers))


def judgement_from(value: object) -> JudgementFacts | None:
    if value is None:
        return None
    value = object_at(value, "professional_judgement")
    tier = value.get("tier")
    if isinstance(tier, bool) or tier not in (1, 2, 3, 4):
        raise RequestError("professional_judgement.tier must be 1, 2, 3 or 4")
    rationale = optional_text(value, "rationale", "professional_judgement.rationale") or ""
    return JudgementFacts(tier=Tier(tier), rationale=rationale)


def incident_from(entry: object, where: str) -> IncidentFacts:
    entry = object_at(entry, where)
    agency = entry.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        raise RequestError(f'{where}.agency must name the reporting agency, like "police"')
    return IncidentFacts(date=date_at(entry, "date", f"{where}.date"), agency=agency, type=optional_text(entry, "type", f"{where}.type"))
