"""A local HTTP server on 127.0.0.1 playing the publishers, for ``cesp data fetch`` tests.

It serves the shared reference files under ``/<publisher>/<path>`` (the layout
``--base-url`` expects), honours ``Range`` like a real server (206, 416), and can be
told to misbehave per path: cut the connection midway, ignore ranges, answer 503, or
serve other bytes. Every request is recorded with its ``Range`` header.
"""

from __future__ import annotations

import io
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from cesp.geo.sources import Manifest, Source


@dataclass
class Fault:
    """How the server misbehaves for one path."""

    cut_after: int | None = None  # send Content-Length in full, then only this many bytes
    cut_times: int = 1  # how many responses are cut (then it behaves)
    ignore_range: bool = False
    status: int | None = None  # answer this status instead ...
    status_times: int = 1  # ... this many times
    body: bytes | None = None  # serve these bytes instead of the real file


@dataclass
class Recorded:
    """One request the server saw."""

    path: str
    range: str | None


@dataclass
class PublisherMirror:
    """Files by URL path, faults by URL path, and the requests seen."""

    files: dict[str, bytes]
    faults: dict[str, Fault] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def requests_for(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> PublisherMirror:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                mirror.requests.append(Recorded(self.path, self.headers.get("Range")))
                mirror.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        fault = self.faults.get(handler.path, Fault())
        body = fault.body if fault.body is not None else self.files.get(handler.path)
        if fault.status is not None and fault.status_times > 0:
            fault.status_times -= 1
            self._send(handler, fault.status, b"try later", {})
            return
        if body is None:
            self._send(handler, 404, b"not found", {})
            return
        start = self._range_start(handler.headers.get("Range"))
        if start is not None and not fault.ignore_range:
            if start >= len(body):
                self._send(handler, 416, b"", {"Content-Range": f"bytes */{len(body)}"})
                return
            headers = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
            self._send(handler, 206, body[start:], headers, fault)
            return
        self._send(handler, 200, body, {}, fault)

    @staticmethod
    def _range_start(header: str | None) -> int | None:
        if not header or not header.startswith("bytes=") or not header.endswith("-"):
            return None
        return int(header.removeprefix("bytes=").removesuffix("-"))

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str],
        fault: Fault | None = None,
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Accept-Ranges", "bytes")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if fault is not None and fault.cut_after is not None and fault.cut_times > 0:
            fault.cut_times -= 1
            handler.wfile.write(body[: fault.cut_after])
            handler.wfile.flush()
            handler.close_connection = True
            return
        handler.wfile.write(body)


def url_path(manifest: Manifest, source: Source) -> str:
    """The path part of ``source``'s URL on the mirror."""
    return urlsplit(manifest.url(source, "http://mirror")).path


def zipped(member: str, data: bytes) -> bytes:
    """A zip archive holding one member, as INSEE ships populations."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
        archive.writestr("donnees_regions.csv", "REG;Région\n11;Île-de-France\n")
    return buffer.getvalue()


def mirror_files(
    manifest: Manifest, data_dir: Path, sources: tuple[Source, ...]
) -> dict[str, bytes]:
    """The shared copies, at the paths the publishers use (populations zipped); an
    optional source absent from the shared data (the TVS correspondence) is not served."""
    files = {}
    for source in sources:
        if source.optional and not (data_dir / source.name).is_file():
            continue
        data = (data_dir / source.name).read_bytes()
        if source.archive_member:
            data = zipped(source.archive_member, data)
        files[url_path(manifest, source)] = data
    return files
