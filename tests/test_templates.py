"""The app's page templates (app.PageTemplates): each template's globals are its own plain dict, so the question
Jinja asks whenever a page imports a macro file (which of the page's globals the file lacks) is one set
difference in C, not a walk of a ChainMap in Python for every name (issue 20: cheaper pages)."""

from flask import flash, render_template_string


def test_each_templates_globals_are_a_plain_dict_holding_the_apps(app):
    page = app.jinja_env.get_template("components/messages.html")

    assert type(page.globals) is dict
    assert page.globals.keys() >= {"url_for", "csrf_token", "get_flashed_messages"}


def test_a_macro_file_a_page_imports_sees_the_apps_globals(app):
    with app.test_request_context("/"):
        flash("Minutes saved.")
        html = render_template_string(
            '{% from "components/messages.html" import flashed_messages %}{{ flashed_messages() }}'
        )

    assert "Minutes saved." in html


def test_a_templates_own_globals_reach_neither_the_app_nor_another_template(app):
    own = app.jinja_env.from_string("{{ only_here }}", globals={"only_here": "kept to itself"})
    other = app.jinja_env.from_string("{{ only_here is defined }}")

    assert own.render() == "kept to itself"
    assert other.render() == "False"
    assert "only_here" not in app.jinja_env.globals
