"""govuk_frontend_wtf's GOV.UK widgets, each rendered by calling its component's macro directly.

The library renders every field as a template of its own through Flask's render_template, which runs the
context processors and signals of a whole page each time; a form page of a dozen fields paid that a dozen
times. The same macro is called here with the same params, so the HTML is the same.
"""

import re
from functools import cache

from flask import current_app
from govuk_frontend_wtf import wtforms_widgets as gov

# Each of the library's widget templates is one import of a GOV.UK macro and one call of it with `params`.
MACRO_IMPORT = re.compile(r"""\{%-?\s*from\s+['"]([^'"]+)['"]\s+import\s+(\w+)\s*-?%\}""")


@cache
def macro_of(widget_template: str) -> tuple[str, str]:
    """(the macro's template, the macro's name) that the library's widget template calls: read once per process."""
    source, _, _ = current_app.jinja_env.loader.get_source(current_app.jinja_env, widget_template)
    template, name = MACRO_IMPORT.search(source).groups()
    return template, name


class DirectMacro:
    template: str

    def render(self, params):
        template, name = macro_of(self.template)
        macro = getattr(current_app.jinja_env.get_template(template).module, name)
        # The macro's output is already safe HTML (the templates escape); the line break is the one the widget
        # template puts before it, so the page is unchanged.
        return "\n" + macro(params)


class GovCheckboxInput(DirectMacro, gov.GovCheckboxInput):
    pass


class GovCheckboxesInput(DirectMacro, gov.GovCheckboxesInput):
    pass


class GovDateInput(DirectMacro, gov.GovDateInput):
    pass


class GovPasswordInput(DirectMacro, gov.GovPasswordInput):
    pass


class GovRadioInput(DirectMacro, gov.GovRadioInput):
    pass


class GovSelect(DirectMacro, gov.GovSelect):
    pass


class GovTextArea(DirectMacro, gov.GovTextArea):
    pass


class GovTextInput(DirectMacro, gov.GovTextInput):
    pass
