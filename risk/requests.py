"""Reading the JSON that the CLI and the API accept, with messages that say what to fix.

Only the keys of the contract are accepted, at every depth: a misspelt key would otherwise be
ignored silently, and a perpetrator or a date left out that way could change the decision.
"""

from datetime import date

from risk.criteria import (
    AssessmentFacts,
    CaseFacts,
    IncidentFacts,
    JudgementFacts,
    ReferralFacts,
    Victim,
)
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

SCORE_EXAMPLE = '{"answers": {"q1": "yes"}}'
SCORE_KEYS = ("tool", "answers")
CASE_KEYS = ("today", "victim", "assessments", "professional_judgement", "incidents", "previous_referrals")
VICTIM_KEYS = ("date_of_birth", "area")
ASSESSMENT_KEYS = ("tool", "date", "answers")
JUDGEMENT_KEYS = ("tier", "rationale")
INCIDENT_KEYS = ("date", "agency", "type", "perpetrator")
REFERRAL_KEYS = ("date", "perpetrators")


class RequestError(ValueError):
    """A request that cannot be used; the message says what to fix."""


def only_keys(body: dict, allowed: tuple[str, ...], where: str = "") -> None:
    unknown = [str(key) for key in body if key not in allowed]
    if unknown:
        name = f"{where}.{unknown[0]}" if where else unknown[0]
        raise RequestError(
            f"{name}: not a key the input takes; {where or 'the top level'} takes only {', '.join(allowed)}"
        )


def answers_from_request(body: object) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
        raise RequestError(f'The input needs an "answers" object, like {SCORE_EXAMPLE}')
    only_keys(body, SCORE_KEYS)
    check_answer_values(body["answers"], "answers")
    return body["answers"]


def check_answer_values(answers: dict, where: str) -> None:
    """Answers are single values; an object or a list inside them is a key the contract does not have."""
    for item_id, value in answers.items():
        if isinstance(value, (dict, list)):
            raise RequestError(f'{where}.{item_id} must be one answer, like "yes", not an object or a list')


def facts_from_request(body: object) -> CaseFacts:
    if not isinstance(body, dict):
        raise RequestError(f"The input must be a JSON object with {', '.join(CASE_KEYS)}")
    only_keys(body, CASE_KEYS)
    victim = required_object(body, "victim")
    only_keys(victim, VICTIM_KEYS, "victim")
    judgement = judgement_from(body.get("professional_judgement"))
    return CaseFacts(
        today=date_at(body, "today", "today"),
        victim=Victim(
            date_of_birth=date_at(victim, "date_of_birth", "victim.date_of_birth"),
            area=optional_text(victim, "area", "victim.area"),
        ),
        assessments=tuple(
            assessment_from(entry, f"assessments[{index}]") for index, entry in enumerate(list_at(body, "assessments"))
        ),
        judgements=(judgement,) if judgement else (),
        incidents=tuple(
            incident_from(entry, f"incidents[{index}]") for index, entry in enumerate(list_at(body, "incidents"))
        ),
        previous_referrals=tuple(
            referral_from(entry, f"previous_referrals[{index}]")
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
    only_keys(entry, ASSESSMENT_KEYS, where)
    tool = entry.get("tool")
    if not isinstance(tool, str):
        raise RequestError(f'{where}.tool must name a tool, like "dash-ric"')
    answers = entry.get("answers")
    if not isinstance(answers, dict):
        raise RequestError(f'{where}.answers must be an object, like {{"q1": "yes"}}')
    check_answer_values(answers, f"{where}.answers")
    return AssessmentFacts(
        tool=tool, date=date_at(entry, "date", f"{where}.date"), result=score(get_pack(tool), answers)
    )


def judgement_from(value: object) -> JudgementFacts | None:
    if value is None:
        return None
    value = object_at(value, "professional_judgement")
    only_keys(value, JUDGEMENT_KEYS, "professional_judgement")
    tier = value.get("tier")
    if isinstance(tier, bool) or tier not in (1, 2, 3, 4):
        raise RequestError("professional_judgement.tier must be 1, 2, 3 or 4")
    rationale = optional_text(value, "rationale", "professional_judgement.rationale") or ""
    return JudgementFacts(tier=Tier(tier), rationale=rationale)


def incident_from(entry: object, where: str) -> IncidentFacts:
    entry = object_at(entry, where)
    only_keys(entry, INCIDENT_KEYS, where)
    agency = entry.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        raise RequestError(f'{where}.agency must name the reporting agency, like "police"')
    return IncidentFacts(
        date=date_at(entry, "date", f"{where}.date"),
        agency=agency,
        type=optional_text(entry, "type", f"{where}.type"),
        perpetrator=person_id_at(entry, "perpetrator", f"{where}.perpetrator"),
    )


def person_id_at(body: dict, key: str, where: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RequestError(
            f'{where} must be the id of the person who caused harm, as text like "P1" (or left out if not known)'
        )
    return value.strip()


def referral_from(entry: object, where: str) -> ReferralFacts:
    entry = object_at(entry, where)
    only_keys(entry, REFERRAL_KEYS, where)
    perpetrators = entry.get("perpetrators", [])
    if perpetrators is None:
        perpetrators = []
    if not isinstance(perpetrators, list):
        raise RequestError(f'{where}.perpetrators must be a list of the perpetrators\' ids, like ["P1"] (or left out)')
    ids = []
    for index, value in enumerate(perpetrators):
        if not isinstance(value, str) or not value.strip():
            raise RequestError(f'{where}.perpetrators[{index}] must be a perpetrator\'s id, as text like "P1"')
        ids.append(value.strip())
    return ReferralFacts(date=date_at(entry, "date", f"{where}.date"), perpetrators=tuple(ids))
