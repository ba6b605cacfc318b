"""The cases package's pages: finding a victim, the case and its people, assessments, incidents,
judgements, referrals, and bulk import."""

from flask import Blueprint

from cases.vocabulary import PARTY_ROLE_LABELS, PartyRole

bp = Blueprint("cases", __name__)


@bp.app_template_filter("party_role_label")
def party_role_label(role) -> str:
    return PARTY_ROLE_LABELS[PartyRole(role)]
