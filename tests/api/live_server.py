"""``cesp serve`` in a subprocess on a free loopback port, for tests that need a real
HTTP server (load, fault, schemathesis, logs)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port free on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """Start, kill, stop a server; its output goes to a log file the test can read."""

    def __init__(
        self,
        database_url: str,
        data_dir: Path,
        *,
        workers: int | None = 1,
        serve_args: Sequence[str] = (),
        cpus: set[int] | None = None,
        **env: str,
    ):
        """``workers`` > 1 starts uvicorn's supervisor; None leaves ``--workers`` out
        (``cesp serve``'s default). ``cpus`` restricts the server to those CPUs."""
        given = [] if workers is None else ["--workers", str(workers)]
        self.command = ["serve", *given, *serve_args]
        self.cpus = cpus
        self.env = {
            **os.environ,
            "CESP_DATABASE_URL": database_url,
            "CESP_DATA_DIR": str(data_dir),
            "CESP_RATE_LIMIT_PER_MINUTE": "0",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.base = ""
        self.log = Path(tempfile.mkstemp(prefix="cesp-server-", suffix=".log")[1])

    def start(self, timeout: float = 60) -> LiveServer:
        """Start and wait for ``/healthz`` to answer 200."""
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cesp.cli.main", *self.command, "--port", str(port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=None if self.cpus is None else self._pin,
                start_new_session=True,  # its own process group: ``kill`` takes it whole
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server died: {self.logs()}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"server did not start: {self.logs()}")

    def _pin(self) -> None:
        os.sched_setaffinity(0, self.cpus or set())

    def kill(self) -> None:
        """SIGKILL to the server and every process it started (its workers, its job
        processes): no shutdown, no cleanup, like a crash of the machine. Killing the
        supervisor alone would leave its children running, orphans holding an index
        each until the machine stops."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Terminate gracefully."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def logs(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")
