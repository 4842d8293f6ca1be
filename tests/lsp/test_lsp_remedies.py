"""The three quick fixes per finding end to end: titles, kinds, edits, isPreferred, and refusals logged.

Every action offered is applied to the client's copy (and sent as didChange); the
server's diagnostics afterwards must show exactly the findings the action did not claim.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lsprotocol import types
from lsputil import FIX_ALL_KIND, Session, as_json, fresh_session, initialize, make_client, position, stop
from pytest_lsp import ClientServerConfig

pytestmark = pytest.mark.asyncio(loop_scope="session")

IGNORE_TITLE = "Ignore for this instruction (# pip-cache-lsp: ignore)"
SYNTAX = "# syntax=docker/dockerfile:1\n"
TEXT = (
    SYNTAX
    + "FROM python:3.12 AS build\n"
    "ENV HOME=/home/app\n"
    "USER 1000:1000\n"
    "RUN pip install a && \\\n"
    "    pip install b\n"
    "FROM build\n"
    "RUN uv sync\n"
)
MOUNT = "--mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000"
ENV_TITLE = "Turn the pip cache off for stage 'build' (ENV PIP_NO_CACHE_DIR=1): fixes 2 findings"
MOUNT_TITLE = f"Use a BuildKit cache mount for the pip cache ({MOUNT})"


def uri(name: str) -> str:
    return f"file:///w/remedies/{name}/Dockerfile"


def insertion(session: Session, u: str, at: int, text: str) -> types.TextEdit:
    pos = position(session.texts[u], at, session.encoding)
    return types.TextEdit(range=types.Range(start=pos, end=pos), new_text=text)


def quickfix(title: str, diags: list[types.Diagnostic], edit: types.TextEdit, u: str,
             preferred: bool | None = None) -> types.CodeAction:
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=diags,
                            is_preferred=preferred, edit=types.WorkspaceEdit(changes={u: [edit]}))


async def test_flag_env_mount_then_ignore(session: Session):
    u = uri("three")
    session.open(u, TEXT)
    diags = await session.diagnostics(u)
    pip_a, pip_b, uv = diags
    assert [d.code for d in diags] == ["pip-no-cache-dir", "pip-no-cache-dir", "uv-no-cache"]
    actions = await session.actions(u, pip_b.range, diagnostics=[pip_b])
    env_at = TEXT.index("ENV HOME")
    run_at = TEXT.index("pip install a")
    flag_at = TEXT.index("install b") + len("install")
    assert as_json(actions) == as_json([
        quickfix("Add --no-cache-dir", [pip_b], insertion(session, u, flag_at, " --no-cache-dir"), u, True),
        quickfix(ENV_TITLE, [pip_a, pip_b], insertion(session, u, env_at, "ENV PIP_NO_CACHE_DIR=1\n"), u),
        quickfix(MOUNT_TITLE, [pip_a, pip_b], insertion(session, u, run_at, f"{MOUNT} "), u),
        quickfix(IGNORE_TITLE, [pip_b], insertion(session, u, TEXT.index("RUN pip"), "# pip-cache-lsp: ignore\n"), u),
        types.CodeAction(title="Fix every pip-cache-lsp finding", kind=FIX_ALL_KIND, diagnostics=diags,
                         edit=actions[-1].edit),
    ])
    # the stage's ENV: both pip findings gone, uv's stays
    env = actions[1]
    assert session.apply(u, env.edit.changes[u]) == TEXT.replace("ENV HOME", "ENV PIP_NO_CACHE_DIR=1\nENV HOME")
    assert [d.code for d in await session.diagnostics(u)] == ["uv-no-cache"]


async def test_mount_applied_and_uv_env_in_the_descendant(session: Session):
    u = uri("mount")
    session.open(u, TEXT)
    diags = await session.diagnostics(u)
    mount = next(a for a in await session.actions(u, diags[0].range) if a.title == MOUNT_TITLE)
    assert mount.kind == types.CodeActionKind.QuickFix and not mount.is_preferred
    text = session.apply(u, mount.edit.changes[u])
    assert text == TEXT.replace("RUN pip install a", f"RUN {MOUNT} pip install a")
    remaining = await session.diagnostics(u)
    assert [d.code for d in remaining] == ["uv-no-cache"]
    titles = [a.title for a in await session.actions(u, remaining[0].range)]
    # root in the last stage? No: USER 1000 is inherited from 'build', and uv's mount needs its uid too
    assert titles == ["Add --no-cache", "Turn the uv cache off for stage '1' (ENV UV_NO_CACHE=1): fixes 1 finding",
                      "Use a BuildKit cache mount for the uv cache "
                      "(--mount=type=cache,target=/home/app/.cache/uv,uid=1000,gid=1000)",
                      IGNORE_TITLE, "Add --no-cache to every uv command"]
    env = (await session.actions(u, remaining[0].range))[1]
    assert session.apply(u, env.edit.changes[u]) == text.replace("FROM build\n", "FROM build\nENV UV_NO_CACHE=1\n")
    assert await session.diagnostics(u) == []


async def test_no_mount_without_a_buildkit_sign(session: Session):
    u = uri("no-sign")
    text = TEXT.removeprefix(SYNTAX)
    session.open(u, text)
    diags = await session.diagnostics(u)
    titles = [a.title for a in await session.actions(u, diags[0].range, only=[types.CodeActionKind.QuickFix])]
    assert titles == ["Add --no-cache-dir", ENV_TITLE, IGNORE_TITLE]


@pytest.mark.asyncio(loop_scope="function")
async def test_offer_cache_mount_setting():
    text = "FROM python\nRUN pip install a\n"
    mount = "Use a BuildKit cache mount for the pip cache (--mount=type=cache,target=/root/.cache/pip)"
    async with fresh_session("vscode", {"offerCacheMount": True}) as session:
        u = uri("setting")
        session.open(u, text)
        diags = await session.diagnostics(u)
        assert mount in [a.title for a in await session.actions(u, diags[0].range)]
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"pipCacheLsp": {"offerCacheMount": False}}))
        # notifications are handled in order: the request after the change sees it
        assert mount not in [a.title for a in await session.actions(u, diags[0].range)]
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"pipCacheLsp": {"offerCacheMount": "yes"}}))
        assert mount not in [a.title for a in await session.actions(u, diags[0].range)]  # the default applies
        assert any("offerCacheMount must be true or false" in m for m in session.logs(0, types.MessageType.Warning))


SERVER = [sys.executable, str(Path(__file__).parent.parent / "extra" / "serve_with_wrong_fix_rule.py")]


@pytest.mark.asyncio(loop_scope="function")
async def test_a_wrong_fix_is_refused_and_logged():
    """A test-only rule whose flag fixes nothing and whose ENV value its own reading rejects."""
    client = await ClientServerConfig(server_command=SERVER, client_factory=make_client).start()
    try:
        session = await initialize(client, "vscode", {"offerCacheMount": True})
        u = uri("wrong")
        text = "FROM python\nRUN wrongtool install a\nRUN badtool install b\n"
        session.open(u, text)
        diags = await session.diagnostics(u)
        assert [d.code for d in diags] == ["wrong-fix", "wrong-fix"]
        before = len(client.log_messages)
        actions = await session.actions(u, diags[0].range, only=[types.CodeActionKind.QuickFix])
        assert [a.title for a in actions] == [
            "Use a BuildKit cache mount for the wrong cache (--mount=type=cache,target=/root/.cache/wrong)", IGNORE_TITLE]
        assert session.logs(before, types.MessageType.Info) == [
            "not offering the flag fix for wrong-fix on line 2: the finding it is for would remain",
            "not offering the env fix for wrong-fix on line 2: the finding it is for would remain"]
        before = len(client.log_messages)  # asked again for the same text: nothing more is logged
        assert [a.title for a in await session.actions(u, diags[0].range)][0].startswith("Use a BuildKit")
        assert session.logs(before, types.MessageType.Info) == []
        actions = await session.actions(u, diags[1].range, only=[types.CodeActionKind.QuickFix])
        assert [a.title for a in actions][1:] == [IGNORE_TITLE]
        assert session.logs(before, types.MessageType.Info)[0] == (
            "not offering the flag fix for wrong-fix on line 3: a pip-no-cache-dir finding would appear on line 3")
        assert session.apply(u, actions[0].edit.changes[u]) == text.replace(
            "RUN badtool", "RUN --mount=type=cache,target=/root/.cache/wrong badtool")
        assert [d.range for d in await session.diagnostics(u)] == [diags[0].range]
        await client.shutdown_session()
    finally:
        await stop(client)


async def test_a_range_over_many_findings_gets_fixes_for_the_first_fifty(session: Session):
    """Each fix is checked on a copy of the document: a range over many findings is capped (and says so)."""
    u = uri("many")
    text = "FROM python\n" + "".join(f"RUN pip install p{i}\n" for i in range(60))
    session.open(u, text)
    diags = await session.diagnostics(u)
    assert len(diags) == 60
    before = len(session.client.log_messages)
    whole = types.Range(start=types.Position(0, 0), end=types.Position(61, 0))
    actions = await session.actions(u, whole, only=[types.CodeActionKind.QuickFix])
    titles = [a.title for a in actions]
    assert titles.count("Add --no-cache-dir") == 50 and titles.count(IGNORE_TITLE) == 60
    assert titles.count("Turn the pip cache off for stage '0' (ENV PIP_NO_CACHE_DIR=1): fixes 60 findings") == 1
    assert "60 findings in the requested range: fixes offered for the first 50 (each is checked on a copy of the " \
           "document first)" in session.logs(before)
