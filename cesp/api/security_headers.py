"""Security headers on every answer, and a strict Content-Security-Policy on HTML pages.

``/map`` is where interns type their API key: a script injected into it (a hostile
zone name that escaped an encoder, a compromised CDN) could read the key. So HTML
pages get a policy that allows scripts, styles, images and requests from the service
itself only, plus the inline ``<script>`` blocks the page itself carries, each allowed
by its SHA-256 (folium writes the map's set-up as inline scripts; a hash admits exactly
that text and nothing an attacker adds). Inline event-handler attributes stay refused.
Styles allow ``'unsafe-inline'``: folium and Leaflet write ``style`` attributes, and a
style cannot read a key. Images allow ``data:`` (Leaflet's icons) and the origin of
``CESP_MAP_TILES`` when a tile background is configured.

Every answer, JSON included, gets ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy: no-referrer``; HTML also gets ``X-Frame-Options: DENY`` for browsers
that predate ``frame-ancestors``. Pure ASGI; only HTML bodies are buffered (to hash
their scripts), which map pages are anyway (built in memory).
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)
EVERY_ANSWER = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


def tile_origin(template: str) -> str | None:
    """``scheme://host[:port]`` of a tile URL template, or None when there is none."""
    if not template:
        return None
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(html: bytes, image_origin: str | None = None) -> str:
    """The policy of one HTML page: own assets, plus its own inline scripts by hash."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in INLINE_SCRIPT.findall(html)
        }
    )
    images = " ".join(["'self'", "data:", *([image_origin] if image_origin else [])])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(["'self'", *hashes]),
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self' data:",
            # ReDoc (/redoc) runs its search in a worker made from a blob: of its own script.
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """Add the headers above to every HTTP answer."""

    def __init__(self, app: ASGIApp, map_tiles: str = ""):
        """``map_tiles``: the tile URL template, whose origin images may come from."""
        self.app = app
        self.image_origin = tile_origin(map_tiles)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; hold an HTML answer until its policy is known."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def secured(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(EVERY_ANSWER)
                message = {**message, "headers": headers}
                kind = dict(headers).get(b"content-type", b"")
                if kind.startswith(b"text/html"):
                    held = message
                    return
                await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            html = b"".join(chunks)
            policy = content_security_policy(html, self.image_origin)
            headers = [
                *held["headers"],
                (b"content-security-policy", policy.encode()),
                (b"x-frame-options", b"DENY"),
            ]
            await send({**held, "headers": headers})
            await send({"type": "http.response.body", "body": html})

        await self.app(scope, receive, secured)
