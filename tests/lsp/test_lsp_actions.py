"""Code actions: the quick fix, fix-all and ignore actions, applied back to the text.

Whole CodeAction values are compared in their wire form (``as_json``); every
edit is applied to the client's copy *and* sent to the server as a didChange,
and the server's diagnostics afterwards must agree with the new text.
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import FIX_ALL_KIND, Session, as_json, position, r, span

pytestmark = pytest.mark.asyncio(loop_scope="session")

FIX_TITLE = "Add --no-cache-dir"
FIX_ALL_TITLE = "Add --no-cache-dir to every pip install"
IGNORE_TITLE = "Ignore for this instruction (# pip-cache-lsp: ignore)"
IGNORE = "# pip-cache-lsp: ignore"
TEXT = (
    "FROM python\n"
    "RUN pip install a && \\\n"
    "    pip3 install b\n"
    "  RUN pip install c\n"
    "RUN echo ok\n"
)
NEEDLES = ("pip install", "pip3 install", "pip install")
FIXED = TEXT.replace("install a", "install --no-cache-dir a").replace("install b", "install --no-cache-dir b") \
    .replace("install c", "install --no-cache-dir c")


def uri(name: str) -> str:
    return f"file:///w/actions/{name}/Dockerfile"


def insertion(session: Session, u: str, at: int, text: str) -> types.TextEdit:
    pos = position(session.texts[u], at, session.encoding)
    return types.TextEdit(range=types.Range(start=pos, end=pos), new_text=text)


def fix(session: Session, u: str, diag: types.Diagnostic, at: int) -> types.CodeAction:
    return types.CodeAction(title=FIX_TITLE, kind=types.CodeActionKind.QuickFix, diagnostics=[diag], is_preferred=True,
                            edit=types.WorkspaceEdit(changes={u: [insertion(session, u, at, " --no-cache-dir")]}))


def ignore(session: Session, u: str, diag: types.Diagnostic, line_start: int, indent: str,
           eol: str = "\n") -> types.CodeAction:
    return types.CodeAction(title=IGNORE_TITLE, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                            edit=types.WorkspaceEdit(changes={u: [insertion(session, u, line_start,
                                                                            f"{indent}{IGNORE}{eol}")]}))


ENV_TITLE = "Turn the pip cache off for stage '0' (ENV PIP_NO_CACHE_DIR=1): fixes 3 findings"


def env(session: Session, u: str, diags: list[types.Diagnostic], eol: str = "\n",
        title: str = ENV_TITLE) -> types.CodeAction:
    """The stage-wide fix: one ENV line after ``FROM python``, for every finding of the stage."""
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=diags,
                            edit=types.WorkspaceEdit(changes={u: [insertion(session, u, len(f"FROM python{eol}"),
                                                                            f"ENV PIP_NO_CACHE_DIR=1{eol}")]}))


def fix_all(session: Session, u: str, diags: list[types.Diagnostic], ats: list[int]) -> types.CodeAction:
    return types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, diagnostics=diags, edit=types.WorkspaceEdit(
        changes={u: [insertion(session, u, at, " --no-cache-dir") for at in ats]}))


def fix_points(text: str) -> list[int]:
    return [text.index(f"install {p}") + len("install") for p in "abc"]


async def test_quickfix_per_diagnostic_applied_clears_it(session: Session):
    u = uri("quickfix")
    session.open(u, TEXT)
    diags = await session.diagnostics(u)
    assert diags == session.expected(u, *NEEDLES)
    lines = [TEXT.index("RUN pip install a"), TEXT.index("RUN pip install a"), TEXT.index("  RUN pip install c")]
    indents = ["", "", "  "]
    everything = fix_all(session, u, diags, fix_points(TEXT))
    for diag, at, line, indent in zip(diags, fix_points(TEXT), lines, indents, strict=True):
        actions = await session.actions(u, diag.range, diagnostics=[diag])
        assert as_json(actions) == as_json([fix(session, u, diag, at), env(session, u, diags),
                                            ignore(session, u, diag, line, indent), everything])
        edit = actions[0].edit.changes[u]
        assert len(edit) == 1 and edit[0].range.start == edit[0].range.end  # a pure insertion
    # applying one quick fix removes exactly that finding
    first = (await session.actions(u, diags[1].range))[0]
    session.apply(u, first.edit.changes[u])
    remaining = await session.diagnostics(u)
    assert remaining == session.expected(u, "pip install", "pip install")
    while remaining:  # fix the rest one by one, re-reading the diagnostics each time
        action = (await session.actions(u, remaining[0].range, only=[types.CodeActionKind.QuickFix]))[0]
        assert action.title == FIX_TITLE
        session.apply(u, action.edit.changes[u])
        remaining = await session.diagnostics(u)
    assert session.texts[u] == FIXED


async def test_fix_all_with_only_source_fix_all(session: Session):
    u = uri("fixall-only")
    session.open(u, TEXT)
    diags = await session.diagnostics(u)
    want = as_json([fix_all(session, u, diags, fix_points(TEXT))])
    nowhere = r(4, 0, 4, 0)  # "RUN echo ok": touches no finding, but a source action is for the file
    for only in (["source.fixAll"], [FIX_ALL_KIND], ["source"]):
        assert as_json(await session.actions(u, nowhere, only=only)) == want, only
    assert await session.actions(u, nowhere, only=["quickfix"]) == []
    assert await session.actions(u, nowhere, only=["refactor"]) == []
    action = (await session.actions(u, nowhere, only=["source.fixAll"]))[0]
    assert session.apply(u, action.edit.changes[u]) == FIXED
    assert await session.diagnostics(u) == []
    assert await session.actions(u, nowhere, only=["source.fixAll"]) == []  # nothing left to fix


async def test_fix_all_over_full_range(session: Session):
    u = uri("fixall-range")
    session.open(u, TEXT)
    diags = await session.diagnostics(u)
    whole = span(TEXT, 0, len(TEXT), session.encoding)
    actions = await session.actions(u, whole, diagnostics=diags)
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    # the stage's ENV fixes all three: offered once, with the first finding's fixes
    assert [a.title for a in quick] == [FIX_TITLE, ENV_TITLE, FIX_TITLE, FIX_TITLE] + [IGNORE_TITLE] * 3
    assert as_json(quick[1]) == as_json(env(session, u, diags))
    assert as_json([a for a in actions if a.kind == FIX_ALL_KIND]) == as_json(
        [fix_all(session, u, diags, fix_points(TEXT))])
    assert len(actions) == 8
    fixer = next(a for a in actions if a.kind == FIX_ALL_KIND)
    assert session.apply(u, fixer.edit.changes[u]) == FIXED
    assert await session.diagnostics(u) == []


async def test_ignore_inserts_comment_with_indent(session: Session):
    u = uri("ignore")
    session.open(u, TEXT)
    diags = await session.diagnostics(u)
    action = (await session.actions(u, diags[2].range))[2]
    assert action.title == IGNORE_TITLE
    text = session.apply(u, action.edit.changes[u])
    assert text == TEXT.replace("  RUN pip install c", f"  {IGNORE}\n  RUN pip install c")
    assert await session.diagnostics(u) == session.expected(u, "pip install", "pip3 install")
    # on the continued instruction: the comment goes above its first line, even from its second
    action = next(a for a in await session.actions(u, diags[1].range) if a.title == IGNORE_TITLE)
    session.apply(u, action.edit.changes[u])
    assert session.texts[u].startswith(f"FROM python\n{IGNORE}\nRUN pip install a && \\\n")
    assert await session.diagnostics(u) == []


async def test_ignore_in_crlf_document_ends_with_crlf(session: Session):
    u = uri("ignore-crlf")
    text = TEXT.replace("\n", "\r\n")
    session.open(u, text)
    diags = await session.diagnostics(u)
    assert diags == session.expected(u, *NEEDLES)
    actions = await session.actions(u, diags[2].range, diagnostics=[diags[2]])
    line = text.index("  RUN pip install c")
    at = text.index("install c") + len("install")
    assert as_json(actions) == as_json([
        fix(session, u, diags[2], at), env(session, u, diags, "\r\n"), ignore(session, u, diags[2], line, "  ", "\r\n"),
        fix_all(session, u, diags, fix_points(text))])
    new = session.apply(u, actions[2].edit.changes[u])
    assert new == text.replace("  RUN pip install c", f"  {IGNORE}\r\n  RUN pip install c")
    assert await session.diagnostics(u) == session.expected(u, "pip install", "pip3 install")
    fixer = next(a for a in await session.actions(u, r(0, 0, 0, 0), only=["source.fixAll"]))
    assert session.apply(u, fixer.edit.changes[u]) == new.replace("install a", "install --no-cache-dir a") \
        .replace("install b", "install --no-cache-dir b")
    assert await session.diagnostics(u) == []


async def test_no_actions_for_ranges_touching_no_finding(session: Session):
    u = uri("none")
    session.open(u, TEXT)
    await session.diagnostics(u)
    for rng in (r(0, 0, 0, 11), r(4, 0, 4, 11), r(1, 0, 1, 3), r(3, 0, 3, 1)):
        assert await session.actions(u, rng) == [], rng
        assert await session.actions(u, rng, only=["quickfix"]) == [], rng
    clean = uri("clean")
    session.open(clean, "FROM python\nRUN pip install --no-cache-dir a\n")
    assert await session.diagnostics(clean) == []
    assert await session.actions(clean, r(0, 0, 2, 0)) == []
    assert await session.actions(clean, r(0, 0, 2, 0), only=["source.fixAll"]) == []
    assert await session.actions("file:///w/actions/never-opened", r(0, 0, 0, 0)) == []


async def test_ignore_on_unterminated_last_line_of_crlf_document(session: Session):
    """No terminator of its own: the comment follows the file's CRLF, not a bare LF."""
    u = uri("ignore-crlf-last")
    text = "FROM python\r\n\tRUN pip install c"
    session.open(u, text)
    diags = await session.diagnostics(u)
    action = (await session.actions(u, diags[0].range))[2]
    assert as_json(action) == as_json(ignore(session, u, diags[0], text.index("\tRUN"), "\t", "\r\n"))
    assert session.apply(u, action.edit.changes[u]) == f"FROM python\r\n\t{IGNORE}\r\n\tRUN pip install c"
    assert await session.diagnostics(u) == []
