"""How ``cesp serve`` binds its socket and prepares the metrics directory."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest

from cesp.api.metrics import MULTIPROC_ENV
from cesp.api.server import prepare_metrics_dir, tcp_listener


def _accepted_nodelay(listener: socket.socket) -> int:
    """TCP_NODELAY of a connection accepted by an asyncio server on ``listener``, the
    way each uvicorn worker accepts them."""

    async def run() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(accepted, 10)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    return asyncio.run(run())


def test_workers_socket_disables_nagle_on_accepted_connections() -> None:
    """Without it every keep-alive answer waits ~40 ms for the client's delayed ACK."""
    assert _accepted_nodelay(tcp_listener("127.0.0.1", 0)) != 0


def test_uvicorns_own_socket_would_not() -> None:
    """The peer this works around (uvicorn's Config.bind_socket, proto 0): if uvicorn
    fixes it, this fails and ``tcp_listener`` can go."""
    import uvicorn

    config = uvicorn.Config("cesp.api.app:create_app", host="127.0.0.1", port=0)
    assert _accepted_nodelay(config.bind_socket()) == 0


def test_metrics_dir_is_made_or_emptied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    made = prepare_metrics_dir()
    assert made is not None and made.is_dir() and os.environ[MULTIPROC_ENV] == str(made)
    made.rmdir()
    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"stale")
    (given / "notes.txt").write_text("kept")
    monkeypatch.setenv(MULTIPROC_ENV, str(given))
    assert prepare_metrics_dir() is None, "the operator's directory is not ours to remove"
    assert sorted(p.name for p in given.iterdir()) == ["notes.txt"]
