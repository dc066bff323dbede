"""Run the API under uvicorn with one or several worker processes (``cesp serve``).

Three things ``uvicorn.run`` does not do for us:

- **TCP_NODELAY with several workers.** uvicorn's supervisor binds the listening socket
  itself with ``proto=0``; accepted sockets inherit it, and asyncio only disables
  Nagle's algorithm on sockets whose ``proto`` is ``IPPROTO_TCP``. Every answer written
  in two parts (headers, then body) then waits for the client's delayed ACK: ~40 ms per
  keep-alive request on Linux (measured here: 46 ms with 2 workers against 2.5 ms with
  one). https://github.com/Kludex/uvicorn/issues/3149 (open). We bind the socket with
  ``IPPROTO_TCP`` and ``TCP_NODELAY`` and hand it to uvicorn's supervisor. Drop this
  once uvicorn binds it so. (uvloop, which we install, sets ``TCP_NODELAY`` on every
  connection whatever the socket: ``bench/serve_workers.py`` then measures 1.0x; the
  workaround still matters wherever uvicorn runs on asyncio's own loop.)
- **Metrics across workers.** With several workers, ``PROMETHEUS_MULTIPROC_DIR`` must
  name an empty directory before the workers start (``cesp.api.metrics``); we make one
  (or empty the one the operator named) and remove ours at exit.
- **Rate limits across workers.** The buckets live in one SQLite file that every worker
  opens (``cesp.api.rate_limit``); unless ``CESP_RATE_LIMIT_STORE`` names one, we make
  it in a private directory before the workers start and remove it at exit.
- **Publications seen in order across workers.** The workers share the newest index
  version any of them answers with in one small file (``cesp.eligibility.served_version``);
  unless ``CESP_INDEX_VERSION_FILE`` names one, we make it before the workers start and
  remove it at exit.
- **Log format.** The same JSON or text format in the supervisor and every worker
  (``cesp.api.log_format``).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess

from cesp.api.log_format import LogFormat, logging_config
from cesp.api.metrics import MULTIPROC_ENV
from cesp.api.rate_limit import prepare_store
from cesp.cpus import usable_cpus
from cesp.eligibility.served_version import prepare_version_file

log = logging.getLogger("cesp.server")

APP = "cesp.api.app:create_app"
STARTUP_FAILURE = 3  # uvicorn's exit status when the server could not start
# uvicorn's supervisor kills a worker that does not answer its ping within this time. A
# new worker answers only once it has imported the parent's main module again (spawn
# start method: ``cesp.cli.main``, 2.5 s on an idle machine here, several times that on
# a busy one); uvicorn's 5 s default killed starting workers on a loaded 2-core machine.
WORKER_HEALTHCHECK_SECONDS = 30


def default_workers() -> int:
    """Worker processes when ``--workers`` is not given: one per CPU this process may use.

    A worker answers on one core (the GIL); batches already run in child processes of
    the workers. With one worker, a 2-core machine leaves a core to the batches alone
    while checks queue behind each other (``bench/speed_limit.py`` measures both). The
    workers map the same index file, so each adds its own objects only."""
    return usable_cpus()


@dataclass(frozen=True)
class ServeOptions:
    """How to run the server (the faces fill it from options and settings)."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_format: LogFormat = "json"
    log_level: str = "INFO"
    forwarded_allow_ips: str = "127.0.0.1"
    database: str = ""  # for the start-up line, password hidden


def tcp_listener(host: str, port: int) -> socket.socket:
    """A bound TCP socket whose accepted connections get ``TCP_NODELAY``.

    ``proto=IPPROTO_TCP`` makes asyncio set ``TCP_NODELAY`` on each accepted socket;
    setting it on the listener too covers event loops that look at the option instead
    (Linux copies it to accepted sockets)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def prepare_metrics_dir() -> Path | None:
    """Empty the operator's ``PROMETHEUS_MULTIPROC_DIR``, or make a private one.

    Returns the directory to remove at exit (ours), None if it is the operator's. Stale
    files from a previous run would otherwise add old counts to the new ones."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        return None
    path = Path(tempfile.mkdtemp(prefix="cesp-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def run_server(options: ServeOptions) -> None:
    """Serve ``create_app`` until interrupted (blocks)."""
    config = uvicorn.Config(
        APP,
        factory=True,
        host=options.host,
        port=options.port,
        workers=options.workers,
        log_config=logging_config(options.log_format, options.log_level),
        log_level=options.log_level.lower(),
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=options.forwarded_allow_ips,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    log.info(
        "cesp-zones on http://%s:%d, %d worker(s), database %s",
        options.host,
        options.port,
        options.workers,
        options.database or "(from CESP_DATABASE_URL)",
    )
    buckets = prepare_store()
    versions = prepare_version_file()
    try:
        if options.workers == 1 and not os.environ.get(MULTIPROC_ENV):
            # One process: uvicorn binds through asyncio, which sets TCP_NODELAY itself.
            server = uvicorn.Server(config)
            server.run()
            if not server.started:
                raise SystemExit(STARTUP_FAILURE)
            return
        ours = prepare_metrics_dir()
        try:
            sock = tcp_listener(options.host, options.port)
            Multiprocess(config, sockets=[sock]).run()
        finally:
            if ours is not None:
                shutil.rmtree(ours, ignore_errors=True)
    finally:
        for private in (buckets, versions):
            if private is not None:
                shutil.rmtree(private, ignore_errors=True)
