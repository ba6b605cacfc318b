"""Documents, the data return and the dashboard: every download is made for, and audited against, the person who asked."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from reports import dashboard_views, data_return_views, document_views, distribution_views  # noqa: E402, F401  (routes register on bp)
