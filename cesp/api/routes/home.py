"""``/``: the service's home page (French), linking the map, the API docs and OGC."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from cesp import __version__
from cesp.maps.pages import home_page

router = APIRouter(tags=["maps"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def get_home() -> HTMLResponse:
    """The home page for people who open the service's address in a browser."""
    return HTMLResponse(home_page(__version__))
