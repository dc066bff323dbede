from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.storage.settings import Settings


@pytest.fixture
def client(reference_engine: sa.Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
