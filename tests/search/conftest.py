"""Fixtures of the search tests."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from osmem_server import OsmemServer


@pytest.fixture(scope="session")
def osmem_server() -> Iterator[OsmemServer]:
    """The osmem plugin's session server, with its stdout pipe closed at the end (the plugin leaves it
    open, a ResourceWarning that pytest.ini turns into an error)."""
    server = OsmemServer.start(freeze=True)
    yield server
    server.close()
    if server.process.stdout:
        server.process.stdout.close()
