"""The risk package's pages: the scoring and evaluation API and the rules page."""

from flask import Blueprint

bp = Blueprint("risk", __name__)
