"""pytest-lsp fixtures: the real server as a subprocess behind a scripted client."""

from __future__ import annotations

import sys

import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

SERVER = [sys.executable, "-m", "pip_cache_lsp", "serve"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def client(lsp_client: LanguageClient):
    """A bare client; each test module initializes it with the capabilities it needs."""
    yield
    await lsp_client.shutdown_session()
