"""Reused serialized diagnostics follow changes made elsewhere in the document."""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import fresh_session

pytestmark = pytest.mark.asyncio(loop_scope="session")

RUN = "RUN PIP_NO_CACHE_DIR= pip install a && pip install b\n"


def uri(name: str) -> str:
    return f"file:///publish-cache/{name}/Dockerfile"


async def test_stage_edit_above_changes_a_kept_blocks_diagnostics() -> None:
    """The RUN is not re-parsed and does not move; only what the fold leaves on it changes."""
    u = uri("publish-cache")
    async with fresh_session("vscode") as session:
        session.open(u, "FROM x\nENV A=1\n" + RUN)
        assert len(await session.diagnostics(u)) == 2
        session.edit(u, 11, 12, "PIP_NO_CACHE_DIR")  # ENV A=1 -> ENV PIP_NO_CACHE_DIR=1 covers `pip install b`
        (left,) = await session.diagnostics(u)
        assert left.range.start == types.Position(line=2, character=22)
        session.edit(u, 11, 11 + len("PIP_NO_CACHE_DIR"), "A")
        assert len(await session.diagnostics(u)) == 2


async def test_honour_env_change_republishes_kept_blocks() -> None:
    u = uri("publish-cache-settings")
    async with fresh_session("vscode") as session:
        session.open(u, "FROM x\nENV PIP_NO_CACHE_DIR=1\n" + RUN)
        assert len(await session.diagnostics(u)) == 1
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"pipCacheLsp": {"honourEnv": False}}))
        published = await session.take(u)
        assert [len(p.diagnostics) for p in published] == [2]
