"""Bearer API keys and the anonymous rate limit, as one app-wide dependency."""

from __future__ import annotations

import math
import threading
import time

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from cesp.access import ANONYMOUS
from cesp.audit import Actor
from cesp.errors import RateLimitedError, UnauthorizedError
from cesp.keys import ApiKey, authenticate


class RateLimiter:
    """Token bucket per client address (per worker): ``per_minute`` with a burst."""

    def __init__(self, per_minute: int, burst: int):
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """Consume one token or raise ``RateLimitedError`` with the wait in seconds."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                raise RateLimitedError(max(1, math.ceil((1 - tokens) / self.rate)))
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > 100_000:
                self._buckets.clear()


def _lookup(request: Request, token: str) -> ApiKey | None:
    with request.app.state.engine.connect() as conn:
        return authenticate(conn, token)


async def get_actor(request: Request) -> Actor:
    """The caller: a live API key's actor, or anonymous (rate-limited)."""
    cached: Actor | None = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization")
    actor = ANONYMOUS
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError(
                "Authorization header must be 'Bearer <key>'",
                message_fr="En-tête Authorization attendu : « Bearer <clé> ».",
            )
        key = await run_in_threadpool(_lookup, request, token.strip())
        if key is None:
            raise UnauthorizedError(
                "unknown or revoked API key", message_fr="Clé d'API inconnue ou révoquée."
            )
        actor = key.actor
    else:
        client = request.client.host if request.client else "unknown"
        request.app.state.rate_limiter.take(client)
    request.state.actor = actor
    return actor
