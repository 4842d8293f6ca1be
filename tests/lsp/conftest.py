"""pytest-lsp fixtures: the real server as a subprocess behind a scripted client.

The servers live for the whole session (a start costs ~0.5 s of imports), so every
test module here runs on the session event loop: each has
``pytestmark = pytest.mark.asyncio(loop_scope="session")`` -- fixture and test
loop scopes must match or the tests hang.
"""

from __future__ import annotations

import pytest_asyncio
import pytest_lsp
from lsputil import CLIENTS, CONFIG, SERVER, Session, initialize
from pytest_lsp import ClientServerConfig, LanguageClient


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="session")
async def client(lsp_client: LanguageClient):
    """A bare client; each test module initializes it with the capabilities it needs."""
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="session", params=CLIENTS)
async def any_client(lsp_client: LanguageClient, request):
    """One server per client kind (VS Code: utf-16 push; Neovim: utf-8 pull; utf-32 only: push)."""
    lsp_client.kind = request.param
    yield
    await lsp_client.shutdown_session()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def session(any_client: LanguageClient) -> Session:
    """The initialized session every client-agnostic test runs against (three times)."""
    return await initialize(any_client, any_client.kind)
