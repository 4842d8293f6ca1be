"""Bad input and process lifecycle: the server logs, keeps serving, keeps the right text.

After every mishap the document is checked through diagnostics after further
edits: if the server's copy had drifted from the client's, the ranges (or the
findings) would differ from what the client's mirror predicts.
"""

from __future__ import annotations

import asyncio
import subprocess

import pytest
from lsprotocol import types
from lsputil import CONFIG, Session, fresh_session, initialize, r, stop
from pygls.exceptions import JsonRpcMethodNotFound

pytestmark = pytest.mark.asyncio(loop_scope="session")

BASE = "FROM python\nRUN pip install x\nRUN echo ok\n"
Kind = types.MessageType


def uri(name: str) -> str:
    return f"file:///w/robust/{name}/Dockerfile"


def change(rng: types.Range, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(range=rng, text=text)


async def still_tracks(session: Session, u: str, *needles: str) -> None:
    """Edit at both ends of the document and check the server agrees with the mirror.

    ``needles``: the findings of the text in between, in order.
    """
    session.edit(u, 0, 0, "RUN pip install head\n")
    end = len(session.texts[u])
    session.edit(u, end, end, ("" if session.texts[u].endswith("\n") else "\n") + "RUN pip3 install tail\n")
    assert await session.diagnostics(u) == session.expected(u, "pip install", *needles, "pip3 install")


async def test_change_for_unknown_document_is_logged_and_ignored(session: Session):
    before = len(session.client.log_messages)
    ghost = uri("ghost")
    session.change_raw(ghost, 3, [change(r(0, 0, 0, 0), "RUN pip install x\n")])
    assert await session.take() == []
    assert session.logs(before, Kind.Warning) == [f"didChange for {ghost}, which is not open; ignored"]
    u = uri("after-ghost")
    session.open(u, BASE)
    assert await session.diagnostics(u) == session.expected(u, "pip install")


async def test_range_past_the_end_is_clamped(session: Session):
    u = uri("past-end")
    session.open(u, BASE)
    await session.diagnostics(u)
    session.versions[u] += 1  # line 99 is past the last line: the position means the end of the text
    session.change_raw(u, session.versions[u], [change(r(99, 7, 120, 0), "RUN pip install z\n")])
    session.texts[u] += "RUN pip install z\n"
    assert await session.diagnostics(u) == session.expected(u, "pip install", "pip install")
    session.versions[u] += 1  # from line 1's end (clamped) to past the end: everything after "install x" goes
    session.change_raw(u, session.versions[u], [change(r(1, 1000, 50, 3), "")])
    session.texts[u] = "FROM python\nRUN pip install x"
    assert await session.diagnostics(u) == session.expected(u, "pip install")
    await still_tracks(session, u, "pip install")


async def test_reversed_range_is_applied_as_its_span(session: Session):
    """A range whose end comes before its start names the same span (a backwards selection)."""
    u = uri("reversed")
    session.open(u, BASE)
    await session.diagnostics(u)
    before = len(session.client.log_messages)
    at = BASE.index(" x")
    forward = r(1, 15, 1, 17)  # " x" (ASCII: the same columns in every encoding)
    session.versions[u] += 1
    session.change_raw(u, session.versions[u], [change(types.Range(start=forward.end, end=forward.start),
                                                        " --no-cache-dir y"),
                                                 change(r(2, 0, 2, 0), "# after\n")])
    session.texts[u] = BASE[:at] + " --no-cache-dir y" + BASE[at + 2:].replace("RUN echo", "# after\nRUN echo")
    assert await session.diagnostics(u) == []
    assert [m for m in session.logs(before, Kind.Warning) if "reversed" in m]
    await still_tracks(session, u)


async def test_stale_version_is_logged_and_applied_in_order(session: Session):
    u = uri("stale")
    session.open(u, BASE, version=5)
    await session.diagnostics(u)
    before = len(session.client.log_messages)
    at = BASE.index(" x")
    session.versions[u] = 3  # older than 5: LSP forbids it; the change still follows the previous ones
    session.change_raw(u, 3, [change(r(1, 15, 1, 15), " --no-cache-dir")])
    session.texts[u] = BASE[:at] + " --no-cache-dir" + BASE[at:]
    assert await session.diagnostics(u) == []
    assert [m for m in session.logs(before, Kind.Warning) if "version 3 after 5" in m]
    await still_tracks(session, u)


async def test_requests_for_unknown_documents_answer_empty(session: Session):
    ghost = uri("never-opened")
    assert await session.actions(ghost, r(0, 0, 5, 0)) == []
    report = await session.pull_report(ghost)
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport) and list(report.items) == []
    session.close(ghost)  # closing what was never open: nothing to clear, nothing to crash
    assert await session.take() == []


async def test_unknown_method_is_method_not_found_and_serving_goes_on(session: Session):
    before = len(session.client.log_messages)
    with pytest.raises(JsonRpcMethodNotFound) as caught:
        await session.client.protocol.send_request_async("pipCacheLsp/noSuchMethod", {"x": 1})
    assert caught.value.code == -32601
    session.send_raw({"method": "pipCacheLsp/noSuchNotification", "params": {}})
    session.send_raw({"method": "$/noSuchThing", "params": {}})
    u = uri("after-unknown")
    session.open(u, BASE)
    assert await session.diagnostics(u) == session.expected(u, "pip install")
    logged = session.logs(before)
    assert [m for m in logged if "pipCacheLsp/noSuchMethod" in m]
    assert not [m for m in session.logs(before, Kind.Error)], "a client's unknown method is no internal error"


async def test_malformed_params_are_logged_and_serving_goes_on(session: Session):
    u = uri("malformed")
    session.open(u, BASE)
    await session.diagnostics(u)
    before = len(session.client.log_messages)
    session.send_raw({"method": "textDocument/didChange", "params": {"textDocument": {"uri": u}}})  # no changes
    session.send_raw({"method": "textDocument/didOpen", "params": {"textDocument": 7}})
    session.send_raw({"method": "textDocument/codeAction", "id": "bad-1", "params": {"range": "everywhere"}})
    await session.barrier()
    assert session.logs(before, Kind.Error) == []  # the client's mistake, not an internal error
    prefix = "ignoring a message with invalid params: While structuring "
    warnings = session.logs(before, Kind.Warning)
    assert [m.removeprefix(prefix).split(" ")[0] for m in warnings[:2]] == [
        "DidChangeTextDocumentNotification", "DidOpenTextDocumentNotification"]
    assert warnings[2:] == ["answered request 'textDocument/codeAction' (id 'bad-1') with -32602 Invalid Params"]
    await still_tracks(session, u, "pip install")


async def test_shutdown_then_exit_returns_zero():
    async with fresh_session("vscode") as session:
        session.open(uri("exit"), BASE)
        await session.take()
    assert session.client._server.returncode == 0


async def test_exit_without_shutdown_returns_one():
    """LSP: exit before shutdown means exit code 1."""
    client = await CONFIG.start()
    try:
        await initialize(client, "vscode")
        client.exit(None)
        assert await asyncio.wait_for(client._server.wait(), 10) == 1
    finally:
        await stop(client)


async def test_exits_when_client_closes_stdin():
    client = await CONFIG.start()
    try:
        await initialize(client, "vscode")
        client._server.stdin.close()  # the editor went away without shutdown/exit
        assert await asyncio.wait_for(client._server.wait(), 10) == 1
    finally:
        await stop(client)


async def test_exits_when_client_process_dies():
    """initialize's processId names the editor; when it dies the server must go too."""
    editor = subprocess.Popen(["sleep", "60"])
    client = await CONFIG.start()
    try:
        session = await initialize(client, "vscode", process_id=editor.pid)
        session.open(uri("orphan"), BASE)
        await session.take()
        editor.kill()
        editor.wait()  # reaped: a zombie would still answer kill(pid, 0)
        assert await asyncio.wait_for(client._server.wait(), 5) == 0
    finally:
        editor.kill()
        editor.wait()
        await stop(client)
