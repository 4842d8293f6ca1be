"""A lone carriage return: each client's line model, so that no edit lands anywhere but where it was meant.

``FROM python:3.12\\nRUN echo a\\r&& pip install flask\\nRUN pip install b\\n``: VS Code ends a
line at the lone CR (as the LSP text says), Neovim and Emacs only at LF (as BuildKit and git
do).  The server chooses the model from ``clientInfo`` (eglot sends none) and
``initializationOptions.lineBreaks`` overrides it.  Positions and the fixed bytes are
computed here from first principles for each model.
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import Session, fresh_session

pytestmark = pytest.mark.asyncio(loop_scope="session")

TEXT = "FROM python:3.12\nRUN echo a\r&& pip install flask\nRUN pip install b\n"
FIXED = TEXT.replace("install flask", "install --no-cache-dir flask").replace("install b", "install --no-cache-dir b")
Position, Range = types.Position, types.Range


async def fix_everything(session: Session, uri: str, diagnostics: list[types.Diagnostic]) -> str:
    """Apply each quick fix the way the client would, one at a time, re-reading the diagnostics."""
    while diagnostics:
        actions = await session.actions(uri, diagnostics[0].range, only=[types.CodeActionKind.QuickFix])
        session.apply(uri, actions[0].edit.changes[uri])
        diagnostics = await session.diagnostics(uri)
    return session.texts[uri]


@pytest.mark.parametrize("client, options, lines", [
    ("neovim", None, [(1, 14, 1, 25), (2, 4, 2, 15)]),  # LF only: BuildKit's and grep -n's lines 2 and 3
    ("vscode", None, [(2, 3, 2, 14), (3, 4, 3, 15)]),  # a lone CR ends a line too
    ("utf32", None, [(1, 14, 1, 25), (2, 4, 2, 15)]),  # no clientInfo (eglot): LF only
    ("neovim", {"lineBreaks": "lsp"}, [(2, 3, 2, 14), (3, 4, 3, 15)]),
    ("vscode", {"lineBreaks": "lf"}, [(1, 14, 1, 25), (2, 4, 2, 15)]),
])
async def test_lone_cr_positions_and_fix(client: str, options: dict[str, str] | None,
                                         lines: list[tuple[int, int, int, int]]) -> None:
    async with fresh_session(client, options) as session:
        if options:  # the test's own mirror must count lines as the server was told to
            session.lone_cr_override = options["lineBreaks"] == "lsp"
        uri = f"file:///w/lone-cr/{client}/Dockerfile"
        session.open(uri, TEXT)
        diagnostics = await session.diagnostics(uri)
        got = [(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
               for d in diagnostics]
        assert got == lines
        assert await fix_everything(session, uri, diagnostics) == FIXED
