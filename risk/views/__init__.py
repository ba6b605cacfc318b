"""The risk package's pages: the scoring and evaluation API, the rules page, and the template filters
that name criteria, tiers, routes and tools wherever a decision is shown."""

from flask import Blueprint

from risk.criteria import CRITERION_LABELS, ROUTE_LABELS, tier_source_label, tool_name
from risk.schema import Tier

bp = Blueprint("risk", __name__)


@bp.app_template_filter("criterion_label")
def criterion_label(code: str) -> str:
    return CRITERION_LABELS.get(code, code)


@bp.app_template_filter("tier_label")
def tier_label(tier) -> str:
    return Tier(int(tier)).label


@bp.app_template_filter("route_label")
def route_label(code: str) -> str:
    return ROUTE_LABELS.get(code, code)


@bp.app_template_filter("tier_source_label")
def tier_source_label_filter(source: str) -> str:
    return tier_source_label(source)


@bp.app_template_filter("tool_name")
def tool_name_filter(tool_id: str) -> str:
    return tool_name(tool_id)
