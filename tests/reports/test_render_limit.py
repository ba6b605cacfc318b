"""PDFs are rendered in worker processes, at most two at once per app process (SECURITY §4.8): a third
download waits its turn, and one that cannot get a turn soon enough is told so in plain words, never left to
time out. A meeting's whole document set is made at once on both cores, with SECURITY V5 holding in the workers."""

import io
import logging
import os
import runpy
import subprocess  # nosec B404: runs this test's own script with this Python
import sys
import threading
import time
import zipfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader
from weasyprint import HTML

from reports import downloads, rendering
from reports.pdf import PreparedFor, document_html
from tests.reports.pdf_helpers import pdf_text, render_without_sockets
from tests.reports.test_document_views import audit_rows, meeting_url, sign_in
from tests.reports.test_documents import seed_world
from tests.reports.test_pdf import HOSTILE

SLOW = 10  # seconds a test waits at most for something that should happen at once
QUEUE_WAIT = 3
POLICE, HEALTH, HOUSING = "Riverside Police", "Riverside Hospitals NHS Trust", "Riverside Housing"


@pytest.fixture
def app_settings():
    return {"PDF_QUEUE_WAIT_SECONDS": QUEUE_WAIT}


@pytest.fixture
def world(app):
    return seed_world(app)


@pytest.fixture
def in_workers(app):
    app.config["PDF_RENDER_IN_WORKERS"] = True


class HeldRenders:
    """Every WeasyPrint render in this process waits at its start until let go; counts those under way."""

    def __init__(self, monkeypatch):
        self.running = 0
        self.most_at_once = 0
        self.started = threading.Semaphore(0)
        self.go = threading.Event()
        self.lock = threading.Lock()
        real = HTML.write_pdf

        def held(html, *args, **kwargs):
            with self.lock:
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
            self.started.release()
            self.go.wait(SLOW)
            try:
                return real(html, *args, **kwargs)
            finally:
                with self.lock:
                    self.running -= 1

        monkeypatch.setattr("reports.pdf.HTML.write_pdf", held)

    def wait_for_starts(self, count: int) -> None:
        for _ in range(count):
            assert self.started.acquire(timeout=SLOW), "a render did not start"


def download_in_thread(app, world, who: str, results: list) -> threading.Thread:
    def download():
        client = app.test_client()
        sign_in(app, client, world, who)
        results.append(client.get(meeting_url(client, world, "agenda")))

    thread = threading.Thread(target=download)
    thread.start()
    return thread


@contextmanager
def slots_held(count: int):
    """Another thread holds `count` render slots until the block ends or sets the event it is given."""
    holding, release = threading.Event(), threading.Event()

    def hold():
        with rendering.SLOTS.turn(count):
            holding.set()
            release.wait(SLOW * 6)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(SLOW)
    try:
        yield release
    finally:
        release.set()
        holder.join(SLOW)


# At most two at once.


def test_three_renders_at_once_run_two_at_a_time_and_the_third_when_one_ends_security_4_8(app, monkeypatch):
    # Threads calling the render step itself, without requests: on SQLite each request holds the database
    # from its start, so downloads through the app could never overlap there and the limit would go untested.
    renders, results = HeldRenders(monkeypatch), []
    html = "<html><body><p>MARAC agenda</p></body></html>"

    def render():
        with app.app_context():
            results.extend(rendering.render_pdfs([html]))

    threads = [threading.Thread(target=render) for _ in range(3)]
    for thread in threads:
        thread.start()
    renders.wait_for_starts(2)
    started_early = renders.started.acquire(timeout=1)
    renders.go.set()
    for thread in threads:
        thread.join(SLOW)

    assert not started_early, "a third render ran while two were under way"
    assert renders.most_at_once == 2
    assert len(results) == 3 and all("MARAC agenda" in pdf_text(pdf) for pdf in results)


def test_with_both_render_slots_taken_a_download_is_queued_and_served_when_one_frees_security_4_8(app, client, world):
    sign_in(app, client, world, "coordinator")
    with slots_held(2) as release:
        threading.Timer(1, release.set).start()
        started = time.monotonic()
        response = client.get(meeting_url(client, world, "agenda"))
        waited = time.monotonic() - started

    assert response.status_code == 200
    assert "MARAC agenda" in pdf_text(response.data)
    assert waited >= 1, "the download did not wait for a slot"
    assert [row.action for row in audit_rows(app, "document-downloaded")] == ["document-downloaded"]


def test_with_one_render_slot_taken_a_download_is_served_the_limit_is_two_security_4_8(app, client, world):
    sign_in(app, client, world, "coordinator")
    # The other slot is held until the download has ended: were the limit one, it could only be refused.
    with slots_held(1):
        response = client.get(meeting_url(client, world, "agenda"))

    assert response.status_code == 200
    assert "MARAC agenda" in pdf_text(response.data)


def test_a_download_that_gets_no_turn_in_time_is_told_plainly_to_try_again_and_changes_nothing_security_4_8(
    app, client, world
):
    sign_in(app, client, world, "coordinator")
    # Both slots are held until the download has ended, so it can only end by giving up.
    with slots_held(2):
        started = time.monotonic()
        response = client.get(meeting_url(client, world, "agenda"))
        waited = time.monotonic() - started

    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.mimetype == "text/html"
    assert "Two documents are being made right now." in page
    assert "has not been started" in page
    assert "Try again in a minute" in page
    assert waited >= QUEUE_WAIT, "it gave up before the time set"
    assert audit_rows(app, "document-downloaded") == []
    assert audit_rows(app, "case-viewed") == []


def test_the_render_slots_allow_two_at_once_and_let_a_waiting_turn_in_when_one_ends():
    slots = rendering.RenderSlots(2)
    with slots.turn(), slots.turn():
        with pytest.raises(rendering.NoTurn):
            with slots.turn(wait=0.05):
                pass
    with slots.turn(2):
        pass


# In worker processes.


def test_a_download_is_rendered_in_a_worker_process_which_is_started_once_and_reused(
    app, client, world, in_workers, monkeypatch
):
    sign_in(app, client, world, "coordinator")
    rendering.discard_pool()

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint may not run in the app's own process")

    monkeypatch.setattr("reports.pdf.HTML.write_pdf", broken)  # only a worker process can make the PDFs now
    first = client.get(meeting_url(client, world, "agenda"))
    pool = rendering._pool
    second = client.get(meeting_url(client, world, "minutes"))

    assert first.status_code == second.status_code == 200
    assert "MARAC agenda" in pdf_text(first.data)
    assert "MARAC minutes" in pdf_text(second.data)
    assert pool is not None and rendering._pool is pool


def test_render_processes_run_below_the_app_processes_priority_so_pages_are_served_first(app, in_workers):
    # A render holds a core for about half a second; at a lower priority the pages of everyone else still using
    # the app are not kept waiting behind it on a busy machine, and the download takes a little longer instead.
    rendering.discard_pool()
    own = os.getpriority(os.PRIO_PROCESS, 0)

    in_worker = rendering.worker_pool().submit(os.getpriority, os.PRIO_PROCESS, 0).result(SLOW * 3)

    assert in_worker == min(own + rendering.RENDER_NICENESS, 19)
    assert rendering.RENDER_NICENESS > 0


def test_the_renderer_in_a_worker_fetches_only_print_assets_and_opens_no_socket_security_v5(app, in_workers, caplog):
    app.jinja_env.loader = ChoiceLoader([DictLoader({"reports/test-hostile.html": HOSTILE}), app.jinja_env.loader])
    reader = PreparedFor(name="Cora Coordinator", agency="Riverside IDVA Service", on=datetime.now(UTC))
    with app.test_request_context():
        html = document_html("reports/test-hostile.html", title="Hostile", document_id="TEST-1", prepared_for=reader)
        rendered, attempts = rendering.worker_pool().submit(render_without_sockets, html).result(SLOW * 3)
        with caplog.at_level(logging.WARNING, logger="marac"):
            [logged] = rendering.render_pdfs([html])

    refusals = [
        record.msg["scheme"]
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "pdf-fetch-refused"
    ]
    text = pdf_text(rendered.pdf)
    assert attempts == []
    assert sorted(rendered.refused) == sorted(refusals) == ["file", "http", "http"]
    assert "The text after the hostile references." in text
    assert "The text after the hostile references." in pdf_text(logged)
    for line in Path("/etc/passwd").read_text().splitlines()[:3]:
        assert line.split(":")[0] + ":x:" not in text


# The whole set.


def test_the_coordinator_downloads_a_meetings_whole_document_set_made_in_workers_as_one_zip(
    app, client, world, in_workers
):
    sign_in(app, client, world, "coordinator")

    page = client.get(client.url("reports.list_documents")).get_data(as_text=True)
    response = client.get(client.url("reports.download_document_set", meeting_id=world.meeting_id))

    assert client.url("reports.download_document_set", meeting_id=world.meeting_id) in page
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        texts = {name: pdf_text(archive.read(name)) for name in archive.namelist()}
    assert len(texts) == 6, sorted(texts)
    [agenda] = [text for name, text in texts.items() if "agenda" in name]
    [marac_list] = [text for name, text in texts.items() if "research-pack" in name]
    [minutes] = [text for name, text in texts.items() if "minutes" in name]
    plans = [text for name, text in texts.items() if "action-plan" in name]
    assert "MARAC agenda" in agenda
    assert "MARAC list and research pack" in marac_list
    assert "MARAC minutes" in minutes and "DECISION-1" in minutes
    assert sorted(
        agency for plan in plans for agency in (POLICE, HEALTH, HOUSING) if f"MARAC action plan: {agency}" in plan
    ) == sorted([POLICE, HEALTH, HOUSING])
    assert all("Prepared for Cora Coordinator" in text for text in texts.values())
    assert len(audit_rows(app, "document-downloaded")) == 6
    # The minutes also count as views of the earlier case whose actions the meeting reviewed.
    assert {row.object_id for row in audit_rows(app, "case-viewed")} == {*world.case_ids, world.earlier_case_id}


def test_the_document_set_is_the_coordinators_only(app, client, world):
    sign_in(app, client, world, "chair")

    page = client.get(client.url("reports.list_documents")).get_data(as_text=True)
    response = client.get(client.url("reports.download_document_set", meeting_id=world.meeting_id))

    assert "download_document_set" not in page and "document-set" not in page
    assert response.status_code == 403


def test_the_document_set_takes_both_render_slots_so_it_waits_while_any_render_is_under_way_security_4_8(
    app, client, world
):
    sign_in(app, client, world, "coordinator")
    with slots_held(1):
        response = client.get(client.url("reports.download_document_set", meeting_id=world.meeting_id))

    assert response.status_code == 503
    assert "Two documents are being made right now." in response.get_data(as_text=True)
    assert audit_rows(app, "document-downloaded") == []


def test_two_documents_with_the_same_file_name_are_both_in_the_zip():
    # Two agencies whose names give the same slug ("St. Mary's" and "St Marys") would otherwise share a name.
    plan = downloads.PdfDocument("plan", "meeting", "Action plan", "t.html", "action-plan-st-marys", {})
    archive = zipfile.ZipFile(io.BytesIO(downloads.zip_of([plan, plan], [b"%PDF first", b"%PDF second"])))

    assert archive.namelist() == ["action-plan-st-marys.pdf", "action-plan-st-marys-2.pdf"]
    assert [archive.read(name) for name in archive.namelist()] == [b"%PDF first", b"%PDF second"]


KILLED_APP_PROCESS = """
import os, signal, sys
from reports import rendering
pool = rendering.worker_pool()
print(*{pool.submit(os.getpid).result() for _ in range(8)}, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_render_processes_end_when_their_app_process_is_killed_outright():
    # A gunicorn worker killed with SIGKILL never shuts its pool down; its render processes must not live on.
    killed = subprocess.run(  # nosec B603: a fixed script of this test's, run with this Python
        [sys.executable, "-c", KILLED_APP_PROCESS],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=SLOW * 6,
    )
    workers = [int(pid) for pid in killed.stdout.split()]
    assert workers, killed.stderr

    deadline = time.monotonic() + SLOW
    while time.monotonic() < deadline and any(map(still_running, workers)):
        time.sleep(0.2)

    assert not [pid for pid in workers if still_running(pid)], "render processes outlived their parent"


def still_running(pid: int) -> bool:
    """Not ended, nor ended and waiting to be reaped (a zombie) by whoever adopted it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_a_served_worker_starts_both_render_processes_before_its_first_download():
    """Starting a render process and its first render take about 3 s of CPU: paid as a worker starts, not by the
    first people to download a document on a meeting day (deploy/gunicorn.conf.py calls this)."""
    rendering.discard_pool()

    ready = rendering.start_renderers()

    assert ready == rendering.RENDERS_AT_ONCE
    assert len(rendering._pool._processes) == rendering.RENDERS_AT_ONCE
    rendering.discard_pool()


def end_render_process(html: str):
    os._exit(1)  # as a render process killed for its memory would


def test_a_render_process_that_dies_as_it_starts_leaves_no_broken_pool_for_the_first_download(monkeypatch):
    rendering.discard_pool()
    monkeypatch.setattr(rendering, "pdf_from_html", end_render_process)

    ready = rendering.start_renderers()

    assert ready == 0
    assert rendering._pool is None


def test_gunicorns_settings_start_the_render_processes_in_each_worker_once_it_has_loaded_the_app(monkeypatch):
    started = []
    monkeypatch.setattr(rendering, "start_renderers", lambda: started.append(True))
    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"))

    settings["post_worker_init"](worker=None)

    assert started == [True]
    assert (settings["workers"], settings["threads"], settings["timeout"]) == (2, 4, 60)
