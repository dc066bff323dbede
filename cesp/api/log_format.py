"""How the server writes its logs: one JSON object per line, or plain text.

JSON (``CESP_LOG_FORMAT=json``, the default of ``cesp serve``) is for log shippers:
every line parses on its own, request lines carry their fields (method, route, status,
duration, client, request id, actor) as keys, and uvicorn's own messages get the same
shape. Text (``CESP_LOG_FORMAT=text``) is for a person reading a terminal.

The configuration is a ``logging.config.dictConfig`` dictionary handed to uvicorn,
which applies it in the supervisor and again in every worker process it starts.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["json", "text"]
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s %(message)s"
FIELDS_ATTRIBUTE = "fields"
QUIET_LOGGERS = ("alembic", "pyogrio", "fiona")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time, level, logger, message, pid, and the
    structured ``fields`` a caller passed with ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record``."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        fields = getattr(record, FIELDS_ATTRIBUTE, None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(log_format: LogFormat, level: str) -> dict[str, Any]:
    """The ``dictConfig`` for the server: everything to stdout in ``log_format``.

    uvicorn's loggers propagate to the root logger so that they share the format;
    uvicorn's own access log stays off (``cesp.access`` writes one line per request).
    """
    level = level.upper()
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"cesp": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "cesp",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": False},
            **{name: {"level": "WARNING"} for name in QUIET_LOGGERS},
        },
    }
