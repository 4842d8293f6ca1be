"""Fixtures both raw-bytes suites share: an initialized server, and the probe of its health."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from abuse_rpc import RawServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RawServer]:
    s = RawServer(tmp_path / "server.stderr")
    try:
        response = s.initialize()
        assert "result" in response, response
        yield s
    finally:
        s.close()


@pytest.fixture
def probe(server: RawServer):  # noqa: ANN201  (test_protocol_abuse.Probe; imported here to keep one home)
    from test_protocol_abuse import Probe

    return Probe(server)
