import logging

import pytest
from flask import abort

from access.permissions import public

ADVICE = {
    400: "Go back, check what you entered",
    403: "ask your MARAC coordinator or administrator",
    404: "check it is correct",
    405: "use the buttons on the page",
    409: "reload the page to see the latest version",
    413: "Make it smaller",
    429: "Wait a minute, then try again",
    500: "Nothing you had already saved has been lost",
}


@pytest.fixture
def failing_app(app):
    @public
    def fail_with(status):
        abort(status)

    @public
    def crash():
        raise RuntimeError("Jane Victim, 12 Safe Street")

    app.add_url_rule("/test-abort/<int:status>", "fail_with", fail_with)
    app.add_url_rule("/test-crash", "crash", crash)
    return app


@pytest.mark.parametrize("status", sorted(ADVICE))
def test_each_error_page_says_what_to_do_next(failing_app, status):
    response = failing_app.test_client().get(f"/test-abort/{status}")

    assert response.status_code == status
    assert ADVICE[status] in response.get_data(as_text=True)
    assert "MARAC toolkit" in response.get_data(as_text=True)


def test_an_unexpected_error_gives_a_reference_and_no_traceback_or_data(failing_app, caplog):
    with caplog.at_level(logging.INFO, logger="marac"):
        response = failing_app.test_client().get("/test-crash")

    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in body
    assert "Jane Victim" not in body
    assert "give them this reference" in body
    assert "Jane Victim" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_unknown_methods_are_refused(client):
    assert client.open(client.url("access.sign_in"), method="TRACE").status_code == 405
    assert client.delete(client.url("access.sign_in")).status_code == 405


def test_log_lines_are_json_with_a_utc_time_and_no_forged_lines(app):
    import json

    from app import JsonLineFormatter

    record = logging.LogRecord("marac", logging.INFO, __file__, 1, {"endpoint": "x\nFAKE LOGIN OK"}, None, None)

    line = JsonLineFormatter().format(record)

    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["endpoint"] == "x\nFAKE LOGIN OK"
    assert parsed["time"].endswith("+00:00")
