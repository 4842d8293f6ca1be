"""The two hints through the real server, once per client kind.

Severity Hint, the Unnecessary tag, code, codeDescription, the quick fix's edit, and
the diagnostics after it is applied.  Runs once per client kind (push UTF-16, pull UTF-8, push UTF-32).
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import SOURCE, Session, as_json, span

pytestmark = pytest.mark.asyncio(loop_scope="session")

DOCS = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/"
COMMENT = "# hadolint ignore=DL3008,DL3042"
MOUNT = "RUN --mount=type=cache,target=/root/.cache/pip "
TEXT = (
    "FROM python\n"
    f"{COMMENT}\n"
    "RUN pip install --no-cache-dir a\n"
    "# pip-cache-lsp: ignore\n"
    "RUN pip install b\n"
    f"{MOUNT}pip install --no-cache-dir ñ\n"
)


def uri(name: str) -> str:
    return f"file:///w/hints/{name}/Dockerfile"


def hint(session: Session, u: str, start: int, end: int, code: str, message: str) -> types.Diagnostic:
    return types.Diagnostic(range=span(session.texts[u], start, end, session.encoding, session.lone_cr),
                            severity=types.DiagnosticSeverity.Hint, code=code, source=SOURCE, message=message,
                            code_description=types.CodeDescription(href=f"{DOCS}{code}.md"),
                            tags=[types.DiagnosticTag.Unnecessary])


def removal(session: Session, u: str, start: int, end: int, title: str, diag: types.Diagnostic) -> types.CodeAction:
    edit = types.TextEdit(range=span(session.texts[u], start, end, session.encoding, session.lone_cr), new_text="")
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diag], is_preferred=True,
                            edit=types.WorkspaceEdit(changes={u: [edit]}))


async def test_hints_their_fixes_and_after(session: Session):
    u = uri("both")
    session.open(u, TEXT)
    diags = await session.diagnostics(u)
    code_at = TEXT.index("DL3042")
    flag_at = TEXT.index("--no-cache-dir ñ")
    unused = hint(session, u, code_at, code_at + 6, "unused-suppression",
                  "unused suppression: DL3042 silences nothing here")
    mount = hint(session, u, flag_at, flag_at + 14, "useless-cache-mount",
                 "the cache mount on /root/.cache/pip is never used; remove --no-cache-dir to reuse downloads "
                 "across builds")
    assert as_json(diags) == as_json([unused, mount])  # "# pip-cache-lsp: ignore" silences pip install b

    actions = await session.actions(u, unused.range, diagnostics=[unused])
    assert as_json(actions) == as_json([removal(session, u, code_at - 1, code_at + 6, "Remove unused suppression",
                                                unused)])
    actions = await session.actions(u, mount.range, diagnostics=[mount])
    assert as_json(actions) == as_json([removal(session, u, flag_at, flag_at + 15,
                                                "Remove --no-cache-dir (the cache mount reuses downloads)", mount)])

    session.apply(u, actions[0].edit.changes[u])
    assert session.texts[u] == TEXT.replace("--no-cache-dir ñ", "ñ")
    after = await session.diagnostics(u)
    assert as_json(after) == as_json([unused])  # no pip finding: the mount keeps the cache out of the layer
    action = (await session.actions(u, after[0].range))[0]
    session.apply(u, action.edit.changes[u])
    assert session.texts[u] == TEXT.replace("--no-cache-dir ñ", "ñ").replace(COMMENT, "# hadolint ignore=DL3008")
    assert await session.diagnostics(u) == []


async def test_whole_comment_goes_with_its_line(session: Session):
    u = uri("whole")
    text = "FROM python\r\n  # pip-cache-lsp: ignore=pip-no-cache-dir\r\nRUN pip install --no-cache-dir a\r\n"
    session.open(u, text)
    diags = await session.diagnostics(u)
    at = text.index("# pip")
    want = hint(session, u, at, at + len("# pip-cache-lsp: ignore=pip-no-cache-dir"), "unused-suppression",
                "unused suppression: this comment silences nothing here")
    assert as_json(diags) == as_json([want])
    actions = await session.actions(u, want.range)
    line = text.index("  # pip")
    assert as_json(actions) == as_json([removal(session, u, line, text.index("RUN pip"), "Remove unused suppression",
                                                want)])
    assert session.apply(u, actions[0].edit.changes[u]) == "FROM python\r\nRUN pip install --no-cache-dir a\r\n"
    assert await session.diagnostics(u) == []


async def test_hint_follows_typing(session: Session):
    """Typing the flag that makes the comment unused brings the hint; deleting it brings the finding back."""
    u = uri("typing")
    text = "FROM python\n# pip-cache-lsp: ignore\nRUN pip install a\n"
    session.open(u, text)
    assert await session.diagnostics(u) == []
    at = text.index("install a") + len("install")
    session.edit(u, at, at, " --no-cache-dir")
    diags = await session.diagnostics(u)
    assert [(d.code, d.severity, list(d.tags or ())) for d in diags] == [
        ("unused-suppression", types.DiagnosticSeverity.Hint, [types.DiagnosticTag.Unnecessary])]
    session.edit(u, at, at + len(" --no-cache-dir"), "")
    assert await session.diagnostics(u) == []
