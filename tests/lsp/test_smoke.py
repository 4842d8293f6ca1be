from __future__ import annotations

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

pytestmark = pytest.mark.asyncio(loop_scope="session")

URI = "file:///work/Dockerfile"


async def test_open_publishes(client: LanguageClient):
    await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code")))
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=URI, language_id="dockerfile", version=1,
                                             text="FROM python\nRUN pip install x\n")))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    diags = client.diagnostics[URI]
    assert [(d.range, d.code) for d in diags] == [
        (types.Range(start=types.Position(line=1, character=4), end=types.Position(line=1, character=15)),
         "pip-no-cache-dir")]
