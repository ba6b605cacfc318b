from flask import Blueprint, g, jsonify, request

from access.audit import AuditAction, record_event
from access.permissions import api_error, api_token_required
from extensions import db
from risk.answers import AnswerError
from risk.cli import current_ruleset
from risk.criteria import evaluate
from risk.requests import RequestError, answers_from_request, facts_from_request
from risk.instruments import PackError, get_pack
from risk.scoring import score

bp = Blueprint("risk", __name__)


@bp.route("/api/v1/score", methods=["POST"])
@api_token_required
def score_api():
    body = request.get_json(silent=True)
    try:
        if not isinstance(body, dict) or not isinstance(body.get("tool"), str):
            raise RequestError('Send a JSON object with "tool" and "answers", like {"tool": "dash-ric", "answers": {"q1": "yes"}}')
        result = score(get_pack(body["tool"]), answers_from_request(body))
    except (RequestError, AnswerError, PackError) as problem:
        db.session.rollback()
        return api_error(400, str(problem))
    record_event(AuditAction.API_SCORE, agency_id=g.api_token.agency_id, object_type="api-token", object_id=g.api_token.id)
    db.session.commit()
    return jsonify(result.to_dict())


@bp.route("/api/v1/evaluate", methods=["POST"])
@api_token_required
def evaluate_api():
    try:
        facts = facts_from_request(request.get_json(silent=True))
    except (RequestError, AnswerError, PackError) as problem:
        db.session.rollback()
        return api_error(400, str(problem))
    decision = evaluate(facts, current_ruleset())
    record_event(AuditAction.API_EVALUATE, agency_id=g.api_token.agency_id, object_type="api-token", object_id=g.api_token.id)
    db.session.commit()
    return jsonify(decision.to_dict())
