"""A fixed-rate HTTP load on 127.0.0.1: ``rate`` GET requests a second, open loop.

Request ``i`` is due at ``start + i / rate`` whatever the answers before it (the way
wrk2 and ``hey -q`` pace, which plain wrk cannot); ``connections`` keep-alive sockets
take the requests in turn, each in its own thread, as ``hey -c 20`` (the issue's
figures: 4 clients x 5 connections). Raw sockets and pre-built requests keep the
client's own CPU small: on a 2-core machine it shares the cores with the server.
Latency counts from the time a request was due, so a server that falls behind shows
in the tail instead of slowing the client down (coordinated omission).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LoadResult:
    """Latencies (ms, from due time) of one run, and how many answers were not 200."""

    latency_ms: np.ndarray
    errors: int
    seconds: float

    def summary(self) -> str:
        """p50 / p99 / max in one line."""
        lat = self.latency_ms
        return (
            f"{len(lat)} requests in {self.seconds:.1f} s ({len(lat) / self.seconds:.0f} req/s), "
            f"errors {self.errors}: p50 {np.percentile(lat, 50):.1f} ms, "
            f"p99 {np.percentile(lat, 99):.1f} ms, max {lat.max():.1f} ms"
        )


def _read_response(sock: socket.socket, pending: bytes) -> tuple[int, bytes]:
    """Status of one HTTP/1.1 answer with a Content-Length; returns the bytes after it."""
    data = pending
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        rest += chunk
    return status, rest[length:]


def run_load(
    port: int, paths: list[str], rate: float, seconds: float, connections: int = 20
) -> LoadResult:
    """Send ``rate`` requests a second for ``seconds`` to ``paths`` (cycled) on port."""
    total = int(rate * seconds)
    requests = [
        f"GET {paths[i % len(paths)]} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Accept-Encoding: gzip\r\n\r\n".encode()
        for i in range(total)
    ]
    latency = np.full(total, np.nan)
    status = np.zeros(total, dtype=np.int64)
    ready = threading.Barrier(connections + 1)
    start = [0.0]

    def sender(k: int) -> None:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(requests[0])
        _, pending = _read_response(sock, b"")  # connected and warm before the clock
        ready.wait()
        for i in range(k, total, connections):
            due = start[0] + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sock.sendall(requests[i])
            status[i], pending = _read_response(sock, pending)
            latency[i] = (time.perf_counter() - due) * 1000
        sock.close()

    threads = [threading.Thread(target=sender, args=(k,), daemon=True) for k in range(connections)]
    for thread in threads:
        thread.start()
    start[0] = time.perf_counter() + 0.5
    ready.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start[0]
    return LoadResult(latency, int((status != 200).sum()), elapsed)
