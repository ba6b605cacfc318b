"""The cases package's pages: finding a victim, the case and its people, assessments, incidents,
judgements, referrals, and bulk import."""

from flask import Blueprint

bp = Blueprint("cases", __name__)
