"""A live server on loopback and Debian's Chromium, driven by Playwright. CSRF is on, as in real use."""

import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.browser.accessibility import Accessibility
from tests.conftest import build_test_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FAILURE_SCREENSHOTS = Path(__file__).parent.parent.parent / "test-results"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app(database_url, app_settings):
    settings = {"WTF_CSRF_ENABLED": True, "SERVER_NAME": None, "MARAC_AREA": "Riverside"} | app_settings
    with build_test_app(database_url, **settings) as app:
        yield app


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_failed = report.failed


@pytest.fixture
def new_page(browser, request):
    """Pages that collect console errors (CSP violations included) and are photographed on failure."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console", lambda message: page.console_errors.append(message.text) if message.type == "error" else None
        )
        contexts.append((context, page))
        if hasattr(request.node, "accessibility"):
            request.node.accessibility.watch(page)
        return page

    yield open_page
    for index, (context, page) in enumerate(contexts):
        if getattr(request.node, "call_failed", False):
            FAILURE_SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(FAILURE_SCREENSHOTS / f"{request.node.name}-{index}.png"), full_page=True)
        context.close()


@pytest.fixture
def axe(request):
    """Watches every page the test opens with new_page; the test calls axe.check(page) on each page it loads."""
    request.node.accessibility = Accessibility()
    yield request.node.accessibility
    if not getattr(request.node, "call_failed", True):
        request.node.accessibility.assert_every_page_checked()
