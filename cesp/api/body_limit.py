"""Request bodies bounded before anything reads them (pure ASGI).

Without this, a 240 MB JSON batch was read whole before its 422, and a multipart upload
to ``/api/v1/decrees`` was spooled to disk in full before its 401. Here:

- a declared ``Content-Length`` over the limit is refused at once, the body unread;
- a streamed body (chunked, or a lying length) is counted as it arrives and refused
  the moment it passes the limit: the app is told the client left, and whatever it
  tries to answer after that is dropped in favour of our 413;
- the limit is per route (``limit_for``), and a caller without a valid API key gets
  ``body_limit_anonymous_kb`` at most on every route. A key is looked up only when a
  body would pass the anonymous limit, so ordinary requests cost no query here.

The 413 body is the service's error JSON, in French and English, with the limit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cesp.storage.settings import Settings

KeyCheck = Callable[[Scope, str], bool]
BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
MULTIPART_OVERHEAD = 64 * 1024  # form fields and part headers around an uploaded file


def limit_for(settings: Settings, method: str, path: str) -> int:
    """Largest body in bytes that ``method path`` accepts from a caller with a valid key."""
    if method == "POST" and path.rstrip("/") == "/api/v1/decrees":
        return settings.max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD
    if method == "POST" and path.rstrip("/") == "/api/v1/eligibility/batch":
        return settings.body_limit_batch_mb * 1024 * 1024
    return settings.body_limit_default_kb * 1024


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer":
                return None
            return token.strip() or None
    return None


def declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` header as an int (None when absent or not a number)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def too_large_body(limit: int, anonymous: bool) -> bytes:
    """The 413 error body, naming the limit (and the key that would raise it)."""
    size = f"{limit // 1024} kB" if limit < 1024 * 1024 else f"{limit // (1024 * 1024)} MB"
    size_fr = size.replace("kB", "ko").replace("MB", "Mo")
    hint = " without an API key" if anonymous else ""
    hint_fr = " sans clé d'API" if anonymous else ""
    return json.dumps(
        {
            "error": "body_too_large",
            "detail": f"request body larger than {size}{hint}: send a smaller file or batch",
            "detail_fr": (
                f"Requête trop volumineuse (au plus {size_fr}{hint_fr}) : envoyez un fichier "
                "ou un lot plus petit."
            ),
            "field": "body",
            "limit_bytes": limit,
        },
        ensure_ascii=False,
    ).encode()


class BodyLimit:
    """Refuse request bodies over the route's limit with 413, before they are read."""

    def __init__(self, app: ASGIApp, settings: Settings, key_is_valid: KeyCheck):
        """``key_is_valid(scope, token)`` says whether a bearer token is a live key (it
        may query the database: it is run in a thread, and only for large bodies)."""
        self.app = app
        self.settings = settings
        self.key_is_valid = key_is_valid
        self.anonymous_limit = settings.body_limit_anonymous_kb * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass small bodies through; count and cut large ones."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        streamed = any(name == b"transfer-encoding" for name, _ in scope["headers"])
        if scope["method"] in BODYLESS and not declared and not streamed:
            await self.app(scope, receive, send)
            return
        route_limit = limit_for(self.settings, scope["method"], scope["path"])
        allowed = min(route_limit, self.anonymous_limit)
        token = bearer_token(scope)
        checked = False

        async def raise_for_key() -> int:
            nonlocal checked
            checked = True
            if allowed >= route_limit or token is None:
                return allowed
            valid = await run_in_threadpool(self.key_is_valid, scope, token)
            return route_limit if valid else allowed

        if declared is not None and declared > allowed:
            allowed = await raise_for_key()
            if declared > allowed:
                await self._refuse(send, allowed, allowed < route_limit)
                return
        received = 0
        refused = False
        started = False

        async def counted() -> Message:
            nonlocal received, allowed, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowed and not checked:
                    allowed = await raise_for_key()
                if received > allowed:
                    refused = True
                    if not started:
                        await self._refuse(send, allowed, allowed < route_limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refused:
                return  # our 413 went out; the app's answer to the "disconnect" is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted, guarded)

    @staticmethod
    async def _refuse(send: Callable[[Message], Awaitable[None]], limit: int, anon: bool) -> None:
        body = too_large_body(limit, anon)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
