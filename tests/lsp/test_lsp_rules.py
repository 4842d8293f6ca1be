"""Both rules in the editor: uv's diagnostics and fix, builder-stage severities, and the rule settings.

Each test starts a server of its own where it needs initializationOptions; the
expected diagnostics are built here from first principles (lsputil's positions).
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import SOURCE, Session, fresh_session, span

pytestmark = pytest.mark.asyncio(loop_scope="session")

Severity = types.DiagnosticSeverity
PIP_MESSAGE = ("pip install without --no-cache-dir: pip's download cache stays in the image layer; "
               "add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)")
UV_MESSAGE = "uv without --no-cache: uv's cache stays in the image layer; add --no-cache (or set UV_NO_CACHE=1)"
DOCS = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/"
BUILDER = " (stage 'builder' is not part of the final image)"
TEXT = (
    "FROM python:3.12 AS builder\n"
    "RUN pip install flask && uv pip install --system ruff\n"
    "FROM python:3.12-slim\n"
    "COPY --from=builder /app /app\n"
    "RUN uv sync\n"
)


def diag(session: Session, uri: str, needle: str, code: str, message: str, severity: Severity,
         nth: int = 0) -> types.Diagnostic:
    text = session.texts[uri]
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return types.Diagnostic(range=span(text, start, start + len(needle), session.encoding), severity=severity,
                            code=code, code_description=types.CodeDescription(href=f"{DOCS}{code}.md"),
                            source=SOURCE, message=message)


def expected(session: Session, uri: str, builder: Severity | None = Severity.Information,
             builder_suffix: str = BUILDER) -> list[types.Diagnostic]:
    out = []
    if builder is not None:
        out += [diag(session, uri, "pip install", "pip-no-cache-dir", PIP_MESSAGE + builder_suffix, builder),
                diag(session, uri, "uv pip install", "uv-no-cache", UV_MESSAGE + builder_suffix, builder)]
    out.append(diag(session, uri, "uv sync", "uv-no-cache", UV_MESSAGE, Severity.Warning))
    return out


@pytest.mark.parametrize("client", ["vscode", "neovim"])
async def test_builder_stage_findings_are_information_and_named(client: str) -> None:
    async with fresh_session(client) as session:
        uri = "file:///w/rules/Dockerfile"
        session.open(uri, TEXT)
        assert await session.diagnostics(uri) == expected(session, uri)
        # the final image now copies pip's cache out of the builder: those findings ship
        at = TEXT.index("/app /app")
        session.edit(uri, at, at + len("/app /app"), "/root/.cache /root/.cache")
        got = await session.diagnostics(uri)
        assert [(d.code, d.severity, d.message) for d in got] == [
            ("pip-no-cache-dir", Severity.Warning, PIP_MESSAGE), ("uv-no-cache", Severity.Warning, UV_MESSAGE),
            ("uv-no-cache", Severity.Warning, UV_MESSAGE)]


async def test_editing_the_last_from_changes_which_stages_reach_the_image() -> None:
    async with fresh_session("vscode") as session:
        uri = "file:///w/rules/last-from/Dockerfile"
        session.open(uri, TEXT)
        assert await session.diagnostics(uri) == expected(session, uri)
        at = TEXT.index("python:3.12-slim")
        session.edit(uri, at, at + len("python:3.12-slim"), "builder")  # FROM builder: it reaches the image
        assert await session.diagnostics(uri) == expected(session, uri, Severity.Warning, "")
        at = session.texts[uri].index("FROM builder") + len("FROM ")
        session.edit(uri, at, at + len("builder"), "python")
        assert await session.diagnostics(uri) == expected(session, uri)


@pytest.mark.parametrize("setting, builder, suffix", [
    ("ignore", None, ""), ("report", Severity.Warning, ""), ("information", Severity.Information, BUILDER)])
async def test_builder_stages_setting(setting: str, builder: Severity | None, suffix: str) -> None:
    async with fresh_session("vscode", {"builderStages": setting}) as session:
        uri = "file:///w/rules/setting/Dockerfile"
        session.open(uri, TEXT)
        assert await session.diagnostics(uri) == expected(session, uri, builder, suffix)


async def test_select_and_ignore_rules_live() -> None:
    async with fresh_session("neovim", {"select": ["uv-no-cache"]}) as session:
        uri = "file:///w/rules/select/Dockerfile"
        session.open(uri, TEXT)
        assert [d.code for d in await session.diagnostics(uri)] == ["uv-no-cache", "uv-no-cache"]
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"pipCacheLsp": {"ignore": ["uv-no-cache"]}}))
        assert [d.code for d in await session.diagnostics(uri)] == ["pip-no-cache-dir"]
        before = len(session.client.log_messages)
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"pipCacheLsp": {"select": ["npm-cache", "uv-no-cache"]}}))
        assert [d.code for d in await session.diagnostics(uri)] == ["uv-no-cache", "uv-no-cache"]
        assert any("unknown rule code(s) 'npm-cache'" in m for m in session.logs(before, types.MessageType.Warning))


async def test_uv_quick_fix_and_fix_all_cover_both_rules() -> None:
    async with fresh_session("vscode", {"builderStages": "report"}) as session:
        uri = "file:///w/rules/fix/Dockerfile"
        session.open(uri, TEXT)
        diagnostics = await session.diagnostics(uri)
        uv_sync = diagnostics[2]
        actions = await session.actions(uri, uv_sync.range)
        assert [a.title for a in actions] == [
            "Add --no-cache", "Turn the uv cache off for stage '1' (ENV UV_NO_CACHE=1): fixes 1 finding",
            "Ignore for this instruction (# pip-cache-lsp: ignore)", "Fix every pip-cache-lsp finding"]
        assert list(actions[0].diagnostics or []) == [uv_sync] and actions[0].is_preferred
        assert list(actions[1].diagnostics or []) == [uv_sync] and not actions[1].is_preferred
        fixed = session.apply(uri, actions[3].edit.changes[uri])
        assert fixed == TEXT.replace("pip install flask", "pip install --no-cache-dir flask").replace(
            "uv pip install --system", "uv pip install --no-cache --system").replace("uv sync", "uv sync --no-cache")
        assert await session.diagnostics(uri) == []
