"""HEAD answered wherever GET is: the same status and headers, no body (RFC 9110, 9.3.2).

Uptime probes, proxies and some GIS clients ask HEAD before (or instead of) GET; the
routes declare GET only, so every HEAD got 405. The request goes down as a GET, and the
answer comes back with its headers (``Content-Length`` included, as RFC 9110 allows)
and an empty body. Placed inside the access log, which records the HEAD as asked.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware turning a HEAD request into a GET whose body is not sent."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass anything but HEAD through untouched."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a chunk of a streamed body: not sent
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
