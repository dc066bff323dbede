"""``/healthz``: does the database answer, and which reference data is loaded."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from cesp.api.dependencies import get_engine
from cesp.api.schemas import Health
from cesp.geo.tables import reference_loads
from cesp.storage.engine import backend_name
from cesp.storage.schema import current_revision, head_revision

router = APIRouter(tags=["operations"])


def _reference(conn: sa.Connection) -> dict[str, Any] | None:
    t = reference_loads
    row = conn.execute(
        sa.select(
            # The load time is reported as the database holds it (text on SQLite), as
            # before: parsing it would drop the zero microseconds SQLite keeps.
            sa.type_coerce(t.c.loaded_at, sa.String).label("loaded_at"),
            t.c.departements,
            t.c.communes,
            t.c.former_units,
            t.c.approximate_units,
            t.c.data_dir,
        )
        .order_by(t.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {
        "loaded_at": str(row.loaded_at),
        "departements": row.departements,
        "communes": row.communes,
        "former_units": row.former_units,
        "approximate_units": row.approximate_units,
        "data_dir": row.data_dir,
    }


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
def healthz(request: Request, engine: Annotated[sa.Engine, Depends(get_engine)]) -> Any:
    """200 when the database answers with the current schema and reference data; else 503."""
    database: dict[str, Any] = {"backend": backend_name(engine), "ok": False}
    reference = None
    try:
        revision = current_revision(engine)
        database.update(revision=revision, expected_revision=head_revision())
        with engine.connect() as conn:
            conn.execute(sa.select(sa.literal(1)))  # the cheapest round trip: is it up?
            database["ok"] = revision == head_revision()
            if database["ok"]:
                reference = _reference(conn)
    except Exception as exc:  # report, don't crash: that is what a health check is for
        database["error"] = type(exc).__name__
    ok = database["ok"] and reference is not None
    holder = getattr(request.app.state, "holder", None)
    built = holder.built if holder is not None else None
    index = None
    if built is not None:
        index = {
            "version": built.version,
            "build_seconds": round(built.build_seconds, 3),
            "decrees": len(built.decrees),
        }
    body = Health(
        status="ok" if ok else "degraded", database=database, reference=reference, index=index
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)
