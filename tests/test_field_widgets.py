"""The GOV.UK fields are rendered by calling their macros directly (forms/widgets.py, issue 20: cheaper pages):
each gives the same HTML as govuk_frontend_wtf's own widget, without rendering a template per field."""

import pytest
from flask import template_rendered
from govuk_frontend_wtf import wtforms_widgets as library
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice

from forms import widgets
from forms.base import BaseForm

CHOICES = [SelectChoice("a", "First"), SelectChoice("b", "Second <b>")]


def sample_form(widget_module, with_errors: bool):
    class Sample(BaseForm):
        text = StringField("Name", description="As she gives it", widget=widget_module.GovTextInput())
        notes = TextAreaField("Notes <i>", widget=widget_module.GovTextArea())
        secret = PasswordField("Password", widget=widget_module.GovPasswordInput())
        choice = RadioField("Outcome", choices=CHOICES, widget=widget_module.GovRadioInput())
        many = SelectMultipleField("Flags", choices=CHOICES, widget=widget_module.GovCheckboxesInput())
        agreed = BooleanField("Agreed", widget=widget_module.GovCheckboxInput())
        agency = SelectField("Agency", choices=CHOICES, widget=widget_module.GovSelect())
        day = DateField("Day", format="%d %m %Y", widget=widget_module.GovDateInput())

    form = Sample(
        data={"text": "Sam <script>", "notes": "Line one\nline two", "choice": "b", "many": ["a"], "agreed": True}
    )
    if with_errors:
        for field in form:
            field.errors = [f"Enter {field.label.text}"]
    return form


@pytest.mark.parametrize("with_errors", [False, True])
def test_each_field_gives_the_same_html_as_the_library_widget(app, with_errors):
    with app.test_request_context():
        ours, theirs = sample_form(widgets, with_errors), sample_form(library, with_errors)
        for name in ("text", "notes", "secret", "choice", "many", "agreed", "agency", "day"):
            assert str(ours[name](params={"classes": "extra"})) == str(theirs[name](params={"classes": "extra"})), name


def test_a_field_renders_without_rendering_a_template_of_its_own(app):
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    with app.test_request_context(), template_rendered.connected_to(record, app):
        sample_form(library, False)["notes"]()
        library_templates = list(rendered)
        rendered.clear()
        sample_form(widgets, False)["notes"]()

    assert library_templates == ["govuk_frontend_wtf/textarea.html"]
    assert rendered == []


def test_a_field_is_safe_html_with_what_was_typed_escaped(app):
    with app.test_request_context():
        html = sample_form(widgets, False)["text"]()

    assert hasattr(html, "__html__")
    assert "Sam &lt;script&gt;" in html and "<script>" not in html
