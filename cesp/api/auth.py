"""Bearer API keys and the rate limits, as one app-wide dependency.

Who pays what (budgets in ``cesp.api.rate_limit``, sizes in the settings):

- a live API key pays nothing: keys are how heavy users (a GIS team copying every
  collection each night) get out of the anonymous budget;
- a wrong key, or a malformed ``Authorization`` header, is a 401 that spends one unit of
  the caller's ``failed-key`` budget; once it is spent the caller gets 429 *before* any
  database look-up, so a bogus header is never a way around the limit;
- an anonymous request spends one unit of the ``anonymous`` budget, except the
  continuation pages of OGC ``/items`` (``offset`` > 0, reached by following ``next``
  links), which spend the larger ``pages`` budget, one unit per 100 features asked:
  a paged download by GDAL or QGIS counts as one download, not as hundreds of requests,
  and a client asking for big pages pays for the features it gets.
"""

from __future__ import annotations

import math
import re

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from cesp.access import ANONYMOUS
from cesp.api.rate_limit import Budget, RateStore, client_key
from cesp.audit import Actor
from cesp.errors import RateLimitedError, UnauthorizedError
from cesp.keys import ApiKey, authenticate
from cesp.ogc.query import DEFAULT_LIMIT, MAX_LIMIT
from cesp.storage.settings import Settings

ITEMS_PATH = re.compile(r"/ogc/collections/[^/]+/items")
FEATURES_PER_UNIT = 100


class RateLimiter:
    """The three budgets of the service over one shared store."""

    def __init__(self, settings: Settings):
        self.anonymous = Budget(
            "anonymous", settings.rate_limit_per_minute, settings.rate_limit_burst
        )
        self.pages = Budget(
            "pages", settings.rate_limit_pages_per_minute, settings.rate_limit_pages_burst
        )
        self.failed_keys = Budget(
            "failed-key",
            settings.rate_limit_failed_keys_per_minute,
            settings.rate_limit_failed_keys_burst,
        )
        self.store = RateStore(settings.rate_limit_store or None, settings.rate_limit_max_clients)

    def charge(self, client: str, budget: Budget, cost: float = 1.0) -> None:
        """Spend ``cost`` of ``budget`` or raise ``RateLimitedError`` with the wait."""
        wait = self.store.take(client, budget, cost)
        if wait:
            raise RateLimitedError(wait)

    def close(self) -> None:
        """Close the store."""
        self.store.close()


def page_cost(request: Request) -> float | None:
    """Units of the ``pages`` budget a continuation page of OGC items costs, or None
    when the request is not one (it then pays the anonymous budget)."""
    if not ITEMS_PATH.fullmatch(request.url.path):
        return None
    params = request.query_params
    offset, limit = params.get("offset", ""), params.get("limit", "")
    if not offset.isdigit() or int(offset) == 0:
        return None
    size = min(int(limit), MAX_LIMIT) if limit.isdigit() and int(limit) > 0 else DEFAULT_LIMIT
    return max(1.0, float(math.ceil(size / FEATURES_PER_UNIT)))


def _lookup(request: Request, token: str) -> ApiKey | None:
    with request.app.state.engine.connect() as conn:
        return authenticate(conn, token)


def _refuse_key(limiter: RateLimiter, client: str, error: UnauthorizedError) -> UnauthorizedError:
    limiter.charge(client, limiter.failed_keys)
    return error


async def get_actor(request: Request) -> Actor:
    """The caller: a live API key's actor, or anonymous (rate-limited)."""
    cached: Actor | None = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    limiter: RateLimiter = request.app.state.rate_limiter
    client = client_key(request.client.host if request.client else None)
    header = request.headers.get("authorization")
    actor = ANONYMOUS
    if header:
        wait = limiter.store.exhausted(client, limiter.failed_keys)
        if wait:
            raise RateLimitedError(wait)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _refuse_key(
                limiter,
                client,
                UnauthorizedError(
                    "Authorization header must be 'Bearer <key>'",
                    message_fr="En-tête Authorization attendu : « Bearer <clé> ».",
                ),
            )
        key = await run_in_threadpool(_lookup, request, token.strip())
        if key is None:
            raise _refuse_key(
                limiter,
                client,
                UnauthorizedError(
                    "unknown or revoked API key",
                    message_fr="Clé d'API inconnue ou révoquée.",
                ),
            )
        actor = key.actor
    else:
        cost = page_cost(request)
        if cost is None:
            limiter.charge(client, limiter.anonymous)
        else:
            limiter.charge(client, limiter.pages, cost)
    request.state.actor = actor
    return actor
