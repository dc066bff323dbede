"""One log line and one metrics observation per request, and the request id.

Pure ASGI, so it costs microseconds, unlike a ``BaseHTTPMiddleware``. It sits outside
everything else (compression included) and measures the whole answer.

- Request id: an ``X-Request-ID`` sent by the client or the reverse proxy is kept (when
  it is a sane token), otherwise one is made; either way it is echoed in the response
  and written in the log line, so an operator can follow one request from nginx to us.
- Route: the route *template* that answered (``/api/v1/decrees/{decree_id}``), read
  from the scope after routing; ``None`` when nothing matched (404).
- Client: ``scope["client"]``, which uvicorn's proxy-headers middleware has already set
  from ``X-Forwarded-For`` when the peer is a trusted proxy (``--forwarded-allow-ips``),
  the same identity the anonymous rate limit uses.
- Actor: the name of the API key's holder when the request carried a valid key (set by
  ``auth.get_actor``). The key itself is never logged, nor any other header.
- Unexpected exceptions: whatever escapes the app is logged here with its traceback and
  the request id, and answered with the service's JSON 500 carrying that id (Starlette's
  own answer would be plain text without it, and would come from outside this
  middleware). The body names no exception, path or value: only the id to quote.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cesp.access import ANONYMOUS
from cesp.api.log_format import FIELDS_ATTRIBUTE
from cesp.api.metrics import Metrics

log = logging.getLogger("cesp.access")

REQUEST_ID_HEADER = b"x-request-id"
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's ``X-Request-ID`` if it is a plain token of at most 128 characters
    (anything else could forge log lines), else a new random one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            candidate = value.decode("latin-1")
            if REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def route_template(scope: Scope, root_path: str) -> str | None:
    """The path template of the route that answered, mounts included, or None."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return None
    mount_prefix = str(scope.get("root_path", ""))[len(root_path) :]
    return mount_prefix + path


def actor_name(scope: Scope) -> str | None:
    """The key holder's name, when the request was made with a valid key."""
    state = scope.get("state") or {}
    actor = state.get("actor") if isinstance(state, dict) else None
    if actor is None or actor == ANONYMOUS:
        return None
    return str(actor.name)


def internal_error(request_id: str) -> tuple[Message, Message]:
    """The two messages of the JSON 500 answer (start without the id header: ``capture``
    adds it)."""
    body = json.dumps(
        {
            "error": "internal_error",
            "detail": f"unexpected server error; quote request id {request_id} to the operator",
            "detail_fr": (
                "Erreur inattendue du service ; communiquez l'identifiant de requête "
                f"{request_id} à l'exploitant."
            ),
            "request_id": request_id,
        },
        ensure_ascii=False,
    ).encode()
    start: Message = {
        "type": "http.response.start",
        "status": 500,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class AccessLog:
    """Log and measure every HTTP request; add ``X-Request-ID`` to every response."""

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; log and count it when the response has gone."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = str(scope.get("root_path", ""))
        request_id = request_id_of(scope["headers"])
        scope.setdefault("state", {})
        status = 500
        answering = False  # the response has started: a late error cannot replace it

        async def capture(message: Message) -> None:
            nonlocal status, answering
            if message["type"] == "http.response.start":
                answering = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except Exception:
            log.exception("unexpected error, request_id=%s", request_id)
            status = 500
            if not answering:
                await capture(internal_error(request_id)[0])
                await send(internal_error(request_id)[1])
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope, root_path)
            if self.metrics is not None:
                self.metrics.observe_request(scope["method"], route, status, seconds)
            self._log(scope, route, status, seconds, request_id)

    @staticmethod
    def _log(scope: Scope, route: str | None, status: int, seconds: float, rid: str) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        fields: dict[str, Any] = {
            "method": scope["method"],
            "route": route,
            "path": scope["path"],
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "client": client[0] if client else None,
            "request_id": rid,
        }
        actor = actor_name(scope)
        if actor is not None:
            fields["actor"] = actor
        log.info(
            "%s %s %s %.1fms client=%s request_id=%s",
            scope["method"],
            scope["path"],
            status,
            seconds * 1000,
            fields["client"],
            rid,
            extra={FIELDS_ATTRIBUTE: fields},
        )
