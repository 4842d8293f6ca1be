"""Hover: why a finding is reported, or what an exemption exempts, in markdown or plain text.

Ranges are computed here from first principles (``lsputil.span``) in each client's encoding,
with non-ASCII text before the hovered token; the content format follows the client's
``textDocument.hover.contentFormat``; the same settings that hide a diagnostic hide its hover.
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import Session, capabilities, fresh_session, span

pytestmark = pytest.mark.asyncio(loop_scope="session")

TEXT = (
    "FROM python:3.12 AS base\n"
    "ENV PIP_NO_CACHE_DIR=0 UV_NO_CACHE=0\n"
    "FROM python:3.12\n"
    "RUN echo 'é🐍' && pip install `cat reqs` my_pkg\n"
    "RUN --mount=type=cache,target=/root/.cache/uv echo '🐍' && uv sync\n"
)


def uri(name: str) -> str:
    return f"file:///w/hover/{name}/Dockerfile"


async def hover(session: Session, u: str, offset: int) -> types.Hover | None:
    text = session.texts[u]
    position = span(text, offset, offset, session.encoding, session.lone_cr).start
    return await session.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=u), position=position))


def rng(session: Session, u: str, start: int, end: int) -> types.Range:
    return span(session.texts[u], start, end, session.encoding, session.lone_cr)


async def test_finding_hover_in_markdown(session: Session):
    u = uri("finding")
    session.open(u, TEXT)
    await session.diagnostics(u)
    start = TEXT.index("pip install")
    assert await hover(session, u, start + len("pip install")) is None  # the character after the range
    for at in (start, start + 5, start + len("pip install") - 1):  # any character of the finding's range
        result = await hover(session, u, at)
        assert result is not None
        assert result.range == rng(session, u, start, start + len("pip install"))
        assert isinstance(result.contents, types.MarkupContent)
        assert result.contents.kind == types.MarkupKind.Markdown
    value = result.contents.value
    lines = value.splitlines()
    assert lines[0].startswith("`pip-no-cache-dir` (warning): pip install without --no-cache-dir")
    assert "set PIP\\_NO\\_CACHE\\_DIR=1" in lines[0]  # user-facing text is escaped, code spans are not
    assert "- Command: ``pip install `cat reqs` my_pkg`` (line 4)" in lines  # a backtick in the command
    assert "- Stage: stage 1, `FROM python:3.12` (line 3)" in lines
    assert ("- Elsewhere: `PIP_NO_CACHE_DIR=0`: ENV on line 2 in stage base, which pip reads as 'cache off' — "
            "not reached here: this stage is `FROM python:3.12` (line 3), not built on `base`") in lines
    assert "**Fixes**" in lines and "**Exemptions checked**" in lines
    assert lines[-1] == ("- [Rule page: pip-no-cache-dir]"
                         "(https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/pip-no-cache-dir.md)")


async def test_mount_hover_and_the_command_it_covers(session: Session):
    u = uri("uv")
    session.open(u, TEXT)
    await session.diagnostics(u)
    assert await hover(session, u, TEXT.index("uv sync") + 1) is None  # the mount covers it: no finding to explain
    mount = TEXT.index("--mount")
    result = await hover(session, u, mount + 3)
    assert result is not None
    assert result.range == rng(session, u, mount, mount + len("--mount=type=cache,target=/root/.cache/uv"))
    assert result.contents.value.splitlines()[-1] == (
        "- Keeps uv's cache out of the layer for `uv sync` (line 5; `uv-no-cache`): on `/root/.cache/uv`, which is "
        "the cache directory `/root/.cache/uv` or a parent of it")


async def test_exemption_hover_range_is_the_env_word(session: Session):
    u = uri("env")
    session.open(u, TEXT)
    await session.diagnostics(u)
    word = TEXT.index("UV_NO_CACHE=0")
    assert await hover(session, u, word - 1) is None  # the blank before it
    assert await hover(session, u, word + len("UV_NO_CACHE=0") - 1) is not None
    result = await hover(session, u, word)
    assert result is not None
    assert result.range == rng(session, u, word, word + len("UV_NO_CACHE=0"))
    lines = result.contents.value.splitlines()
    assert lines[0] == "`ENV UV_NO_CACHE`: the off variable of `uv-no-cache`"
    assert "- Value `0`, which uv reads as 'cache on'" in lines


@pytest.mark.parametrize("needle", ["FROM python:3.12\nRUN", "echo 'é", "ENV PIP", "@@end"])
async def test_no_hover_off_finding(session: Session, needle: str):
    u = uri("null")
    text = TEXT + "@@end\n"
    session.open(u, text)
    await session.diagnostics(u)
    assert await hover(session, u, text.index(needle)) is None


async def test_no_hover_for_a_document_not_open(session: Session):
    result = await session.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri("never-opened")), position=types.Position(line=0,
                                                                                                     character=0)))
    assert result is None


def _plaintext_caps() -> types.ClientCapabilities:
    caps = capabilities("vscode")
    caps.text_document.hover = types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText,
                                                                             types.MarkupKind.Markdown])
    return caps


async def test_plaintext_client_gets_plain_text():
    async with fresh_session("vscode", caps=_plaintext_caps()) as session:
        u = uri("plain")
        session.open(u, TEXT)
        await session.diagnostics(u)
        start = TEXT.index("pip install")
        result = await hover(session, u, start)
        assert result is not None and result.contents.kind == types.MarkupKind.PlainText
        lines = result.contents.value.splitlines()
        assert lines[0].startswith("pip-no-cache-dir (warning): pip install without --no-cache-dir")
        assert "- Command: pip install `cat reqs` my_pkg (line 4)" in lines
        assert "What it saw:" in lines
        assert lines[-1] == ("- Rule page: pip-no-cache-dir: "
                             "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/pip-no-cache-dir.md")
        assert result.range == span(TEXT, start, start + len("pip install"), "utf-16")


async def test_utf8_range_after_emoji():
    async with fresh_session("neovim") as session:
        u = uri("utf8")
        session.open(u, TEXT)
        await session.diagnostics(u)
        start = TEXT.index("pip install")
        result = await hover(session, u, start)
        assert result is not None
        line = TEXT.count("\n", 0, start)
        column = len(TEXT[TEXT.rfind("\n", 0, start) + 1:start].encode())
        assert result.range == types.Range(start=types.Position(line=line, character=column),
                                           end=types.Position(line=line, character=column + len("pip install")))


BUILDER = "FROM python:3.12 AS build\nRUN pip install flask\nFROM python:3.12-slim\nRUN uv sync\n"


@pytest.mark.parametrize("options, pip_shown, uv_shown, severity", [
    ({}, True, True, "information"),  # a builder stage's finding is shown as information
    ({"builderStages": "report"}, True, True, "warning"),
    ({"builderStages": "ignore"}, False, True, None),
    ({"ignore": ["uv-no-cache"]}, True, False, "information"),
    ({"select": ["uv-no-cache"]}, False, True, None),
    ({"severity": "error", "builderStages": "report"}, True, True, "error"),
    ({"enable": False}, False, False, None),
])
async def test_settings_hide_hovers_with_their_diagnostics(options: dict, pip_shown: bool, uv_shown: bool,
                                                          severity: str | None):
    async with fresh_session("vscode", options) as session:
        u = uri("settings")
        session.open(u, BUILDER)
        await session.diagnostics(u)
        pip = await hover(session, u, BUILDER.index("pip install"))
        uv = await hover(session, u, BUILDER.index("uv sync"))
        assert (pip is not None) == pip_shown and (uv is not None) == uv_shown
        if pip is not None:
            assert pip.contents.value.startswith(f"`pip-no-cache-dir` ({severity}):")


async def test_honour_env_off_explains_a_covered_command():
    text = "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n"
    async with fresh_session("vscode", {"honourEnv": False}) as session:
        u = uri("honour")
        session.open(u, text)
        await session.diagnostics(u)
        result = await hover(session, u, text.index("pip install"))
        assert result is not None
        assert "- honourEnv is off: the environment, mounts and cleanups are not consulted; every such command is " \
               "reported" in result.contents.value.splitlines()
    async with fresh_session("vscode") as session:
        session.open(u, text)
        await session.diagnostics(u)
        assert await hover(session, u, text.index("pip install")) is None
        assert await hover(session, u, text.index("PIP_NO")) is not None  # the exemption itself


async def test_hover_follows_edits(session: Session):
    u = uri("edits")
    text = "FROM python:3.12\nRUN pip install flask\n"
    session.open(u, text)
    await session.diagnostics(u)
    session.edit(u, 0, 0, "# 🐍🐍\n")
    await session.diagnostics(u)
    text = session.texts[u]
    start = text.index("pip install")
    result = await hover(session, u, start)
    assert result is not None and result.range == rng(session, u, start, start + len("pip install"))
    assert "(line 3)" in result.contents.value
