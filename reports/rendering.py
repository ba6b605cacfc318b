"""Where PDFs are rendered: in worker processes, at most two at once per app process, the rest waiting their turn.

WeasyPrint is Python work that holds the interpreter for seconds: in the request thread it would stall every
other request of this gunicorn worker, and a meeting's whole document set would use one core. So the HTML is
made in the request (database reads, policy, audit) and only WeasyPrint runs in a small pool of processes,
started on first use and reused. SECURITY §4.8: two renders at once per app process; a third waits its turn,
and one that cannot get a turn within PDF_QUEUE_WAIT_SECONDS is told so rather than left to time out.
"""

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from flask import current_app

from reports.pdf import log_refusals, pdf_from_html

RENDERS_AT_ONCE = 2
# How much lower the render processes' CPU priority is than the app's: a render holds a core for about half a
# second, and on a busy machine everyone's pages come first while a download takes a little longer (niceness 5 is
# about a quarter of the share of a process at 0 under Linux's scheduler, never none).
RENDER_NICENESS = 5
# Laid out with the documents' own stylesheet, so that a render process loads its fonts before its first document.
WARM_UP_HTML = '<link rel="stylesheet" href="print.css"><p>Ready.</p>'
# Well within gunicorn's 60-second worker timeout, which also counts while a worker starts.
WARM_UP_SECONDS = 30
log = logging.getLogger("marac")


class NoTurn(Exception):
    """Every render slot stayed taken for as long as a request may wait."""


class RenderSlots:
    """A count of renders under way in this process, which callers wait on for a turn."""

    def __init__(self, limit: int):
        self.limit = limit
        self.free = limit
        self.changed = threading.Condition()

    @contextmanager
    def turn(self, renders: int = 1, wait: float = 0):
        """Holds `renders` slots (at most all of them) while the block runs; NoTurn when none came in `wait` s."""
        renders = min(renders, self.limit)
        with self.changed:
            if not self.changed.wait_for(lambda: self.free >= renders, timeout=wait):
                raise NoTurn
            self.free -= renders
        try:
            yield
        finally:
            with self.changed:
                self.free += renders
                self.changed.notify_all()


SLOTS = RenderSlots(RENDERS_AT_ONCE)
_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def worker_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # Spawned, not forked: a fork would copy this process's database connections and other threads' locks.
            _pool = ProcessPoolExecutor(
                RENDERS_AT_ONCE,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=start_render_process,
                initargs=(os.getpid(),),
            )
        return _pool


def start_renderers() -> int:
    """As a served worker starts (deploy/gunicorn.conf.py): both render processes started, each through one small
    render. Starting one and its first render take about 3 s of CPU, which the first downloads of a meeting day
    would otherwise wait for. Returns how many warm-up renders succeeded. A pool that broke is discarded, and the
    first download starts a new one, as after any broken pool."""
    pool = worker_pool()
    # Submitted together: the pool starts a second process only while no started one is free.
    warming = [pool.submit(pdf_from_html, WARM_UP_HTML) for _ in range(RENDERS_AT_ONCE)]
    done, _ = wait(warming, timeout=WARM_UP_SECONDS)
    failures = [warm_up.exception() for warm_up in done if warm_up.exception() is not None]
    if any(isinstance(failure, BrokenProcessPool) for failure in failures):
        discard_pool()
    ready = len(done) - len(failures)
    log.info({"event": "pdf-renderers-started", "ready": ready, "of": RENDERS_AT_ONCE})
    return ready


def start_render_process(parent: int) -> None:
    os.nice(RENDER_NICENESS)
    end_with_parent(parent)


def end_with_parent(parent: int) -> None:
    """In each render process: a gunicorn worker killed outright (out of memory, past its graceful timeout) never
    shuts its pool down, and its render processes would wait for work forever, two more for each new worker."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="end-with-parent").start()


def discard_pool() -> None:
    """After a worker died (out of memory, killed) the pool refuses all work: the next render starts a new one."""
    global _pool
    with _pool_lock:
        broken, _pool = _pool, None
    if broken is not None:
        broken.shutdown(wait=False, cancel_futures=True)


def render_pdfs(htmls: list[str]) -> list[bytes]:
    """Each HTML as a PDF, in order, as many at once as there are slots; NoTurn when no slot frees in time."""
    config = current_app.config
    with SLOTS.turn(len(htmls), wait=config["PDF_QUEUE_WAIT_SECONDS"]):
        if not config["PDF_RENDER_IN_WORKERS"]:
            return [log_refusals(pdf_from_html(html)) for html in htmls]
        try:
            futures = in_workers(htmls)
            wait(futures)  # even when one fails, the slots stay taken until every render of this request has ended
            return [log_refusals(rendered.result()) for rendered in futures]
        except BrokenProcessPool:
            discard_pool()
            raise


def in_workers(htmls: list[str]) -> list[Future]:
    """Futures in the order given, submitted longest first so the long minutes do not start last."""
    pool = worker_pool()
    longest_first = sorted(range(len(htmls)), key=lambda index: len(htmls[index]), reverse=True)
    futures = {index: pool.submit(pdf_from_html, htmls[index]) for index in longest_first}
    return [futures[index] for index in range(len(htmls))]
