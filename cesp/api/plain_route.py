"""A route for the hottest request: FastAPI documents it, a short handler answers it.

FastAPI solves an endpoint's dependencies and parameters anew on every request: for
``GET /api/v1/eligibility`` (two app-wide checks, two dependencies, seven query
parameters) that is about 0.4 ms of CPU against under 0.1 ms for the same work done
directly (issue 17; measured in one process by calling the application). ``PlainRoute``
keeps everything FastAPI derives from the endpoint's signature (the OpenAPI parameters,
the schema, the route) and replaces only the per-request handler by one that

1. awaits the route's dependencies as FastAPI would have (the app's and the router's,
   merged by FastAPI when the router is included); each must be an ``async`` function
   of the request alone, such as the caller check and the parameters' characters;
2. validates the query string with the endpoint's one pydantic query model (the model
   the OpenAPI document shows), an error raised as FastAPI raises it
   (``RequestValidationError`` located in ``query``, answered by the same handler);
3. calls the endpoint with the request and the validated query.

It serves endpoints of the form ``async def f(request: Request, query: Model)``;
anything else is refused when the route is declared or included.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ValidationError

from fastapi import Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute

RequestCheck = Callable[[Request], Awaitable[object]]


def query_model(endpoint: Callable[..., Any]) -> type[BaseModel]:
    """The pydantic model of ``endpoint``'s second parameter (its query)."""
    hints = get_type_hints(endpoint, include_extras=True)
    names = list(inspect.signature(endpoint).parameters)
    if len(names) != 2 or hints.get(names[0]) is not Request:
        raise TypeError(f"{endpoint.__name__}: a PlainRoute takes (request: Request, query)")
    hint = hints[names[1]]
    model = get_args(hint)[0] if get_origin(hint) is not None else hint
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{endpoint.__name__}: the query must be a pydantic model")
    return model


def request_check(dependency: Callable[..., Any]) -> RequestCheck:
    """``dependency`` if it is an ``async`` function of the request alone."""
    hints = get_type_hints(dependency)
    names = list(inspect.signature(dependency).parameters)
    if (
        not inspect.iscoroutinefunction(dependency)
        or len(names) != 1
        or hints.get(names[0]) is not Request
    ):
        raise TypeError(
            f"{getattr(dependency, '__name__', dependency)}: a PlainRoute's dependencies "
            "are async functions of the request alone"
        )
    return dependency


class PlainRoute(APIRoute):
    """An ``APIRoute`` answered without FastAPI's per-request dependency solving."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The short handler (see the module docstring)."""
        # As APIRoute.get_route_handler does: when the router is included, FastAPI asks
        # for the handler again with the route as included (the app's dependencies too).
        included = routing._effective_route_context_var.get()
        route = included if included is not None and included.original_route is self else self
        checks = [request_check(d.dependency) for d in route.dependencies if d.dependency]
        endpoint = self.endpoint
        model = query_model(endpoint)

        async def handler(request: Request) -> Response:
            for check in checks:
                await check(request)
            try:
                query = model.model_validate(dict(request.query_params))
            except ValidationError as error:
                problems = [{**e, "loc": ("query", *e["loc"])} for e in error.errors()]
                raise RequestValidationError(problems) from None
            answer: Response = await endpoint(request, query)
            return answer

        return handler
