"""Documents, the data return and the dashboard: every download is made for, and audited against, the
person who asked."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
