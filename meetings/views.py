from flask import Blueprint, render_template

from access.permissions import allow_any_role
from meetings import store

bp = Blueprint("meetings", __name__)


@bp.route("/")
@allow_any_role
def home():
    return render_template("meetings/home.html", next_meeting=store.get_next_meeting())
