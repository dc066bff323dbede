"""Conditional GETs for answers that follow the zoning: ``ETag``, ``If-None-Match``, 304.

Zones, eligible-commune lists, decrees and maps change only when a decree is imported or
published or reference geography is loaded (``cesp.zones.freshness``). Their ETag is a
hash of that state, the application version, the path and the query (and today's date,
since "in force" answers without ``date=`` move at midnight), so it is known *before*
the answer is computed: a client or proxy that already holds the answer gets a 304
without the server rebuilding a large GeoJSON.

The ETag is weak (``W/"..."``): the same answer may travel gzip-compressed or not
(``GZipMiddleware``), which a strong validator would have to tell apart (RFC 9110
8.8.1). ``Cache-Control: public, no-cache`` lets browsers and shared caches keep the
answer but revalidate it on every use, so a newly published decree is seen at once.

Usage in a route (any GET whose answer depends only on the zoning, the path and query)::

    @router.get("/thing")
    def get_thing(cache: Annotated[Conditional, Depends(zoning_conditional)], ...):
        if cache.fresh:
            return cache.not_modified()
        ...
        return cache.apply(JSONResponse(body))

Routes whose answer also depends on a request header (``Accept`` for content
negotiation) build their dependency with ``conditional_on("accept")``: the header goes
into the hash and into ``Vary``. Do not use this for answers that depend on the caller's
key (they are ``public``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa

from fastapi import Depends, Request
from fastapi.responses import Response

from cesp import __version__
from cesp.api.dependencies import get_connection
from cesp.zones.freshness import zoning_state

CACHE_CONTROL = "public, no-cache"
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag sent in If-None-Match is still current"}
}


@dataclass(frozen=True)
class Conditional:
    """The validator of one request's answer, and whether the client already has it."""

    etag: str
    fresh: bool
    vary: tuple[str, ...] = ()

    @property
    def headers(self) -> dict[str, str]:
        """Headers to send with the full answer (and with the 304)."""
        headers = {"ETag": self.etag, "Cache-Control": CACHE_CONTROL}
        if self.vary:
            headers["Vary"] = ", ".join(self.vary)
        return headers

    def not_modified(self) -> Response:
        """The 304 answer (no body; validators repeated, RFC 9110 15.4.5)."""
        return Response(status_code=304, headers=self.headers)

    def apply(self, response: Response) -> Response:
        """Add the validator headers to a full answer and return it."""
        for name, value in self.headers.items():
            if name == "Vary" and "vary" in response.headers:
                value = f"{response.headers['vary']}, {value}"
            response.headers[name] = value
        return response


def zoning_etag(
    state_token: str, path: str, query: list[tuple[str, str]], today: date, extra: str = ""
) -> str:
    """The weak ETag of an answer about the zoning (pure: same inputs, same tag)."""
    canonical = "\n".join(
        [__version__, state_token, today.isoformat(), path, extra]
        + [f"{k}={v}" for k, v in sorted(query)]
    )
    return f'W/"{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"'


def _tags(header: str) -> Iterator[str]:
    """The entity tags of an ``If-None-Match`` header, weak prefixes stripped."""
    for part in header.split(","):
        tag = part.strip()
        if tag:
            yield tag.removeprefix("W/")


def matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` with our tag (RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    ours = etag.removeprefix("W/")
    return any(tag == "*" or tag == ours for tag in _tags(if_none_match))


def conditional_on(*vary: str) -> Callable[..., Conditional]:
    """A dependency computing the ``Conditional`` of a request, also keyed on the
    request headers named in ``vary`` (lower case)."""
    names = tuple(h.lower() for h in vary)

    def dependency(
        request: Request, conn: Annotated[sa.Connection, Depends(get_connection)]
    ) -> Conditional:
        extra = "\n".join(f"{h}:{request.headers.get(h, '')}" for h in names)
        etag = zoning_etag(
            zoning_state(conn).token,
            request.url.path,
            request.query_params.multi_items(),
            date.today(),
            extra,
        )
        return Conditional(etag, matches(request.headers.get("if-none-match"), etag), names)

    dependency.__doc__ = "ETag and freshness of the answer, from the zoning state."
    return dependency


zoning_conditional = conditional_on()
