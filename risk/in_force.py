"""The rule set in force in this deployment: loaded and checked once when the app starts."""

from dataclasses import replace

from flask import current_app

from risk.rulesets import RuleSet

RULESET_EXTENSION = "marac_ruleset"


def current_ruleset() -> RuleSet:
    """The rule set in force, for this deployment's MARAC area."""
    return replace(current_app.extensions[RULESET_EXTENSION], marac_area=current_app.config.get("MARAC_AREA"))
