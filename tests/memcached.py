"""A memcached of one's own on a free loopback port, for the tests and bench/two_servers.py (SECURITY A8: sign-in
limits counted where every server sees them)."""

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

MEMCACHED = "/usr/bin/memcached"


class MemcachedMissing(RuntimeError):
    """Debian's memcached package is not installed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_memcached(seconds_to_start: float = 10) -> Iterator[str]:
    """Yields its storage URI for Flask-Limiter (memcached://127.0.0.1:PORT); stopped on leaving, also on error."""
    if not os.access(MEMCACHED, os.X_OK):
        raise MemcachedMissing(f"{MEMCACHED} is missing: install Debian's memcached package (.ci/run lists it)")
    port = free_port()
    command = [MEMCACHED, "--listen=127.0.0.1", f"--port={port}", "--udp-port=0", "--memory-limit=16"]
    if os.geteuid() == 0:
        command.append("--user=nobody")  # memcached refuses to run as root
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process, seconds_to_start)
        yield f"memcached://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def wait_for_port(port: int, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"memcached stopped at once: {process.stderr.read().decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"memcached did not listen on 127.0.0.1:{port} within {seconds:.0f} s")
