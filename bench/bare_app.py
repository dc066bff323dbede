"""The peer of the API benchmark: a bare FastAPI route returning a constant JSON.

uvicorn bench.bare_app:app --port 8001
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()
ANSWER = {"eligible": True, "status": "eligible", "commune": {"code": "93008"}}


@app.get("/bare")
async def bare() -> dict[str, object]:
    """The same constant answer every time."""
    return ANSWER
