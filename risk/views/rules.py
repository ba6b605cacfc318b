"""The rules page: the rule set in force and every unchecked rule in the tool packs."""

from flask import render_template

from access.models import Role
from access.permissions import allow
from risk.in_force import current_ruleset
from risk.instruments import load_all_packs
from risk.views import bp


@bp.route("/rules")
@allow(Role.COORDINATOR, Role.ADMIN)
def view_rules():
    return render_template(
        "risk/view-rules.html",
        ruleset=current_ruleset(),
        packs=sorted(load_all_packs().values(), key=lambda pack: pack.name),
    )
