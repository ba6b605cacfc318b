"""The renderer fetches nothing but the app's own print assets (SECURITY V5): no local file, no network."""

import logging
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest_socket
from jinja2 import ChoiceLoader, DictLoader

from reports.pdf import PreparedFor, render_pdf
from tests.reports.pdf_helpers import marking_positions, pdf_text

HOSTILE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
  <title>{{ title }}</title>
  <link rel="stylesheet" href="print.css">
  <link rel="stylesheet" href="http://127.0.0.1:9/x.css">
  <style>@import url(http://127.0.0.1:9/imported.css);</style>
</head>
<body>
  <header class="document-header"><p class="marking">{{ marking }}</p><h1>{{ title }}</h1></header>
  <img src="file:///etc/passwd" alt="">
  <p>The text after the hostile references.</p>
</body>
</html>"""


def recording(blocked, attempts: list):
    """pytest-socket refuses the call; this also notes it, since the renderer would swallow the refusal."""

    def call(*args, **kwargs):
        attempts.append(args)
        return blocked(*args, **kwargs)

    return call


def test_file_and_network_urls_are_refused_without_opening_a_socket_and_the_document_still_renders(app, caplog):
    app.jinja_env.loader = ChoiceLoader([DictLoader({"reports/test-hostile.html": HOSTILE}), app.jinja_env.loader])
    attempts = []
    prepared_for = PreparedFor(
        name="Cora Coordinator", agency="Riverside IDVA Service", on=datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    )

    with app.test_request_context(), caplog.at_level(logging.WARNING, logger="marac"):
        pytest_socket.disable_socket(allow_unix_socket=True)
        guarded_socket, guarded_lookup = socket.socket, socket.getaddrinfo
        socket.socket = recording(guarded_socket, attempts)
        socket.getaddrinfo = recording(guarded_lookup, attempts)
        try:
            body = render_pdf(
                "reports/test-hostile.html", title="Hostile document", document_id="TEST-1", prepared_for=prepared_for
            )
        finally:
            socket.socket, socket.getaddrinfo = guarded_socket, guarded_lookup
            pytest_socket.enable_socket()

    refusals = [
        record.msg["scheme"]
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "pdf-fetch-refused"
    ]
    text = pdf_text(body)
    assert attempts == []
    assert sorted(refusals) == ["file", "http", "http"]
    assert "The text after the hostile references." in text
    assert marking_positions(body, "OFFICIAL-SENSITIVE") == [(1, 1)]  # the bundled print.css was still used
    for line in Path("/etc/passwd").read_text().splitlines()[:3]:
        assert line.split(":")[0] + ":x:" not in text
