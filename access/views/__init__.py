"""The access package's pages: signing in, accounts, agencies, API tokens and security alerts."""

from flask import Blueprint

bp = Blueprint("access", __name__)
