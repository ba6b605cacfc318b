"""The JSON API: score one tool's answers, or evaluate a case's facts against the rules in force."""

from flask import g, jsonify, request

from access.audit import AuditAction, record_event
from access.permissions import api_error, api_token_required
from extensions import db
from risk.answers import AnswerError
from risk.criteria import evaluate
from risk.in_force import current_ruleset
from risk.instruments import PackError, get_pack
from risk.requests import RequestError, answers_from_request, facts_from_request
from risk.scoring import score
from risk.views import bp


@bp.route("/api/v1/score", methods=["POST"])
@api_token_required
def score_api():
    body = request.get_json(silent=True)
    try:
        if not isinstance(body, dict) or not isinstance(body.get("tool"), str):
            raise RequestError(
                'Send a JSON object with "tool" and "answers", like {"tool": "dash-ric", "answers": {"q1": "yes"}}'
            )
        result = score(get_pack(body["tool"]), answers_from_request(body))
    except (RequestError, AnswerError, PackError) as problem:
        return bad_request(problem)
    record_event(
        AuditAction.API_SCORE, agency_id=g.api_token.agency_id, object_type="api-token", object_id=g.api_token.id
    )
    return jsonify(result.to_dict())


@bp.route("/api/v1/evaluate", methods=["POST"])
@api_token_required
def evaluate_api():
    try:
        facts = facts_from_request(request.get_json(silent=True))
    except (RequestError, AnswerError, PackError) as problem:
        return bad_request(problem)
    decision = evaluate(facts, current_ruleset())
    record_event(
        AuditAction.API_EVALUATE, agency_id=g.api_token.agency_id, object_type="api-token", object_id=g.api_token.id
    )
    return jsonify(decision.to_dict())


def bad_request(problem: Exception):
    # A refused request is committed, but a bad one writes nothing, not even the token's last use.
    db.session.rollback()
    return api_error(400, str(problem))
