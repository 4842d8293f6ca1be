"""The server applies the ``[tool.pip-cache-lsp]`` table of a document's project, as the CLI does."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from lsputil import fresh_session

pytestmark = pytest.mark.asyncio(loop_scope="session")

COVERED = "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n"


async def test_project_table_overrides_editor_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pip-cache-lsp]\nhonour-env = false\nseverity = "error"\nexclude = ["legacy"]\n')
    (tmp_path / "svc").mkdir()
    app = (tmp_path / "svc" / "Dockerfile").as_uri()
    old = (tmp_path / "legacy" / "Dockerfile").as_uri()
    elsewhere = "untitled:Untitled-1"
    async with fresh_session("vscode", options={"severity": "hint", "honourEnv": True}) as session:
        session.open(app, COVERED)
        (diag,) = await session.diagnostics(app)
        assert (diag.severity, diag.range.start.line) == (types.DiagnosticSeverity.Error, 2)
        session.open(old, COVERED.replace("ENV PIP_NO_CACHE_DIR=1\n", ""))
        assert await session.diagnostics(old) == []
        session.open(elsewhere, COVERED)
        assert await session.diagnostics(elsewhere) == [], "no project: the editor's honourEnv applies"


async def test_broken_project_table_is_logged_and_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pip-cache-lsp]\nseverity = "loud"\n')
    uri = (tmp_path / "Dockerfile").as_uri()
    async with fresh_session("vscode") as session:
        session.open(uri, "RUN pip install a\n")
        (diag,) = await session.diagnostics(uri)
        assert diag.severity == types.DiagnosticSeverity.Warning
        assert any("ignoring project settings" in m and "severity must be one of" in m
                   for m in session.logs(kind=types.MessageType.Warning))
