"""The app's page templates (app.PageTemplates): each template's globals are its own plain dict, so the question
Jinja asks whenever a page imports a macro file (which of the page's globals the file lacks) is one set
difference in C, not a walk of a ChainMap in Python for every name (issue 20: cheaper pages). And the apps the
tests make in one process compile each template once between them (app.CompiledTemplatesInThisProcess)."""

from flask import flash, render_template_string
from jinja2 import DictLoader, Environment

from app import CompiledTemplatesInThisProcess, create_app
from config import common_settings
from config import test_settings as settings_for_tests


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


def test_an_app_made_for_the_tests_loads_the_templates_an_earlier_app_compiled(app, database_url, monkeypatch):
    app.jinja_env.get_template("meetings/edit-case-minutes.html")
    later = create_app(settings_for_tests(database_url))

    def compile_again(*args, **kwargs):
        raise AssertionError("a template compiled by the app before was compiled again")

    monkeypatch.setattr(later.jinja_env, "compile", compile_again)

    assert later.jinja_env.get_template("meetings/edit-case-minutes.html").name == "meetings/edit-case-minutes.html"


def test_a_template_whose_source_changed_is_compiled_again_not_loaded_as_it_was():
    kept = CompiledTemplatesInThisProcess()
    before = Environment(loader=DictLoader({"page.html": "before"}), bytecode_cache=kept)
    after = Environment(loader=DictLoader({"page.html": "after"}), bytecode_cache=kept)

    assert before.get_template("page.html").render() == "before"
    assert after.get_template("page.html").render() == "after"


def test_only_the_tests_keep_compiled_templates_for_the_next_app():
    assert common_settings()["SHARE_COMPILED_TEMPLATES"] is False
    assert settings_for_tests("sqlite://")["SHARE_COMPILED_TEMPLATES"] is True
