"""Document sync: open/change/close, every incremental edit re-checked, push vs pull.

Each test runs once per client kind (see conftest ``session``): VS Code (utf-16,
pushed diagnostics), Neovim (utf-8, pull diagnostics, so nothing may be pushed)
and a utf-32-only client (push).
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import Session

pytestmark = pytest.mark.asyncio(loop_scope="session")

BASE = "FROM python\nRUN pip install x\n"
FLAG = "--no-cache-dir"


def uri(name: str) -> str:
    return f"file:///w/sync/{name}/Dockerfile"


async def test_open_change_close_publishes_with_versions(session: Session):
    u = uri("lifecycle")
    session.open(u, BASE, version=7)
    if session.pull:
        assert await session.diagnostics(u) == session.expected(u, "pip install")
    else:
        assert [(p.version, p.diagnostics) for p in await session.take(u)] == [
            (7, session.expected(u, "pip install"))]

    at = BASE.index(" x")
    steps = [(at, at, f" {FLAG}", []), (at, at + len(FLAG) + 1, "", ["pip install"]), (0, 0, "# c\n", ["pip install"])]
    for start, end, new, needles in steps:
        session.edit(u, start, end, new)
        if session.pull:
            assert await session.diagnostics(u) == session.expected(u, *needles)
    if not session.pull:  # one publish per didChange, each carrying its version
        published = await session.take(u)
        assert [p.version for p in published] == [8, 9, 10]
        assert published[-1].diagnostics == session.expected(u, "pip install")
        assert published[0].diagnostics == []

    session.close(u)
    if session.pull:
        assert await session.take() == []
        report = await session.pull_report(u)
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport) and list(report.items) == []
    else:
        assert [(p.uri, p.diagnostics) for p in await session.take(u)] == [(u, [])]


async def test_typing_flag_clears_finding_from_unambiguous_prefix_no_ca(session: Session):
    """Keystroke by keystroke: the finding stays until pip would take the word as the flag.

    pip's optparse resolves unique prefixes: ``--no-ca`` and longer mean --no-cache-dir.
    """
    u = uri("typing")
    session.open(u, BASE)
    await session.diagnostics(u)
    at = BASE.index("install") + len("install")
    session.edit(u, at, at, " ")
    assert await session.diagnostics(u) == session.expected(u, "pip install")
    for i, char in enumerate(FLAG, start=1):
        session.edit(u, at + i, at + i, char)
        typed = FLAG[:i]
        want = [] if len(typed) >= len("--no-ca") else session.expected(u, "pip install")
        assert await session.diagnostics(u) == want, typed
    assert session.texts[u] == f"FROM python\nRUN pip install {FLAG} x\n"
    # and deleting it again, from the end, brings the finding back at "--no-c"
    for i in range(len(FLAG), 0, -1):
        session.edit(u, at + i, at + i + 1, "")
        want = [] if i - 1 >= len("--no-ca") else session.expected(u, "pip install")
        assert await session.diagnostics(u) == want, FLAG[: i - 1]


async def test_trailing_backslash_merges_and_splits_instructions(session: Session):
    u = uri("backslash")
    text = "FROM python\nRUN pip install a\nRUN pip install b\n"
    session.open(u, text)
    assert await session.diagnostics(u) == session.expected(u, "pip install", "pip install")
    eol = text.index("a\n") + 1
    session.edit(u, eol, eol, " \\")  # the next RUN line continues this one: one instruction
    assert await session.diagnostics(u) == session.expected(u, "pip install")
    session.edit(u, eol, eol + 2, "")  # split again
    assert await session.diagnostics(u) == session.expected(u, "pip install", "pip install")

    v = uri("continued-flag")
    session.open(v, "FROM python\nRUN pip install a \\\n    --no-cache-dir\n")
    assert await session.diagnostics(v) == []
    slash = session.texts[v].index("\\")
    session.edit(v, slash, slash + 1, "")  # the flag's line is cut off the install
    assert await session.diagnostics(v) == session.expected(v, "pip install")
    session.edit(v, slash, slash, "\\")
    assert await session.diagnostics(v) == []
    # a continued && list: removing the backslash loses the second install
    session.edit(v, len("FROM python\n"), len(session.texts[v]), "RUN pip install a && \\\n    pip install b\n")
    assert await session.diagnostics(v) == session.expected(v, "pip install", "pip install")
    slash = session.texts[v].index("\\")
    session.edit(v, slash, slash + 1, "")
    assert await session.diagnostics(v) == session.expected(v, "pip install")


async def test_multi_change_did_change_applies_in_order(session: Session):
    u = uri("multi")
    session.open(u, BASE)
    await session.diagnostics(u)
    t1 = "FROM python\nRUN pip install y\nRUN pip install x\n"
    t3 = f"from python\nRUN pip install y\nRUN pip install {FLAG} x\n"
    version = session.edits(
        u,
        (12, 12, "RUN pip install y\n"),  # the old line 1 moves down ...
        (t1.index(" x"), t1.index(" x"), f" {FLAG}"),  # ... and this range is on the moved line
        (0, 4, "from"),
        (len(t3), len(t3), "RUN pip3 install z\n"),  # at the very end
    )
    assert session.texts[u] == f"from python\nRUN pip install y\nRUN pip install {FLAG} x\nRUN pip3 install z\n"
    assert await session.diagnostics(u) == session.expected(u, "pip install", "pip3 install")
    if not session.pull:
        assert version == 2
    # further edits land where the mirror says: the server's text is the same
    line = session.texts[u].index("y\n")
    session.edit(u, line + 1, line + 1, f" {FLAG}")
    assert await session.diagnostics(u) == session.expected(u, "pip3 install")
    z = session.texts[u].index("install z") + len("install")
    session.edit(u, z, z, f" {FLAG}")
    assert await session.diagnostics(u) == []


async def test_full_text_change_replaces_document(session: Session):
    u = uri("full")
    session.open(u, BASE)
    await session.diagnostics(u)
    session.texts[u] = "FROM python\nRUN true\nRUN pip install q r\n"
    session.versions[u] += 1
    session.change_raw(u, session.versions[u], [types.TextDocumentContentChangeWholeDocument(text=session.texts[u])])
    assert await session.diagnostics(u) == session.expected(u, "pip install")


async def test_pull_client_gets_no_pushes_and_result_ids(session: Session):
    """A pull client (Neovim) is answered on textDocument/diagnostic and never pushed to.

    A push client gets the same answer when it asks anyway.
    """
    u = uri("pull")
    session.open(u, BASE)
    pushed = await session.take(u)
    assert len(pushed) == (0 if session.pull else 1)
    first = await session.pull_report(u)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert list(first.items) == session.expected(u, "pip install") and first.result_id
    assert await session.pull_report(u, first.result_id) == types.RelatedUnchangedDocumentDiagnosticReport(
        result_id=first.result_id)
    session.edit(u, 0, 0, "# comment\n")
    second = await session.pull_report(u, first.result_id)
    assert isinstance(second, types.RelatedFullDocumentDiagnosticReport)
    assert list(second.items) == session.expected(u, "pip install") and second.result_id != first.result_id
    assert len(await session.take(u)) == (0 if session.pull else 1)


async def test_reopened_document_never_reports_unchanged_for_the_old_text(session: Session):
    """A result id from before a close must not match the reopened document's."""
    u = uri("reopen")
    session.open(u, BASE)
    first = await session.pull_report(u)
    session.close(u)
    for n in range(5):  # a fresh entry may land on the freed one's address
        session.open(u, f"FROM python\nRUN true\nRUN pip install z{n}\n")
        report = await session.pull_report(u, first.result_id)
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport), n
        assert list(report.items) == session.expected(u, "pip install")
        session.close(u)
    await session.take()


async def test_did_save_with_other_text_resyncs(session: Session):
    """The editor's saved text wins over what the edits produced (logged)."""
    u = uri("save")
    session.open(u, BASE)
    await session.diagnostics(u)
    before = len(session.client.log_messages)
    session.texts[u] = "FROM python\nRUN echo saved\nRUN pip3 install q\n"
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=u), text=session.texts[u]))
    assert await session.diagnostics(u) == session.expected(u, "pip3 install")
    assert [m for m in session.logs(before, types.MessageType.Warning) if "resynced" in m]
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=u), text=session.texts[u]))
    assert await session.take(u) == []  # same text: nothing to do
    session.edit(u, 0, 0, "# more\n")
    assert await session.diagnostics(u) == session.expected(u, "pip3 install")
