"""Receiving uploaded files: size limit, temporary file removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from cesp.errors import CespError


class UploadTooLargeError(CespError):
    """The upload exceeds ``CESP_MAX_UPLOAD_MB``."""

    code = "upload_too_large"


@contextmanager
def spooled_upload(upload: UploadFile, max_bytes: int) -> Iterator[Path]:
    """Copy an upload to a private temporary file, refusing it past ``max_bytes``."""
    directory = Path(tempfile.mkdtemp(prefix="cesp-upload-"))
    try:
        name = Path(upload.filename or "upload").name or "upload"
        target = directory / name
        written = 0
        with target.open("wb") as sink:
            while chunk := upload.file.read(1 << 20):
                written += len(chunk)
                if written > max_bytes:
                    raise UploadTooLargeError(
                        f"upload larger than {max_bytes // (1024 * 1024)} MB",
                        message_fr=(
                            f"Fichier trop volumineux (maximum {max_bytes // (1024 * 1024)} Mo)."
                        ),
                        field="file",
                    )
                sink.write(chunk)
        yield target
    finally:
        shutil.rmtree(directory, ignore_errors=True)
