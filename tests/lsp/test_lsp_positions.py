"""Position encodings and line endings, with the expected columns written out by hand.

``RUN echo "café 🐍 naïve" && pip install x``: before ``pip`` stand 27 code
points, among them é and ï (2 UTF-8 bytes, 1 UTF-16 unit each) and 🐍 (astral:
4 UTF-8 bytes, 2 UTF-16 units).  So ``pip install`` spans 27..38 in utf-32,
28..39 in utf-16 and 32..43 in utf-8.
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import CONFIG, Session, diagnostic, r, stop

pytestmark = pytest.mark.asyncio(loop_scope="session")

LINE = 'RUN echo "café 🐍 naïve" && pip install x'
TEXT = f"FROM python\n{LINE}\nRUN pip install y\n"
COLUMNS = {"utf-32": (27, 38), "utf-16": (28, 39), "utf-8": (32, 43)}
QUOTED = {"utf-32": (10, 22), "utf-16": (10, 23), "utf-8": (10, 27)}  # café 🐍 naïve inside the quotes


def uri(name: str) -> str:
    return f"file:///w/positions/{name}/Dockerfile"


def change(rng: types.Range, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(range=rng, text=text)


async def test_negotiated_encoding_is_logged(session: Session):
    await session.barrier()
    assert any(f"positions in {session.encoding}," in m for m in session.logs())


async def test_diagnostic_columns_after_emoji_and_accents(session: Session):
    u = uri("columns")
    session.open(u, TEXT)
    start, end = COLUMNS[session.encoding]
    assert await session.diagnostics(u) == [diagnostic(r(1, start, 1, end)), diagnostic(r(2, 4, 2, 15))]


async def test_continuation_line_with_emoji(session: Session):
    u = uri("continued")
    session.open(u, 'FROM python\nRUN true && \\\n  echo "ü🐍" && pip install y\n')
    start = {"utf-32": 15, "utf-16": 16, "utf-8": 19}[session.encoding]
    assert await session.diagnostics(u) == [diagnostic(r(2, start, 2, start + 11))]


async def test_incoming_edit_ranges_in_negotiated_encoding(session: Session):
    u = uri("edits")
    session.open(u, TEXT)
    await session.diagnostics(u)
    start, end = COLUMNS[session.encoding]
    session.versions[u] += 1
    session.change_raw(u, session.versions[u], [change(r(1, end, 1, end), " --no-cache-dir")])
    session.texts[u] = TEXT.replace("install x", "install --no-cache-dir x")
    assert await session.diagnostics(u) == [diagnostic(r(2, 4, 2, 15))]
    # replace the emoji-laden words by plain ones: a range whose ends lie in two different encodings' columns
    q0, q1 = QUOTED[session.encoding]
    session.versions[u] += 1
    session.change_raw(u, session.versions[u], [change(r(1, q0, 1, q1), "plain")])
    session.texts[u] = session.texts[u].replace("café 🐍 naïve", "plain")
    # the flag's end and the next line: if the server cut anywhere else, these columns would be off
    session.edit(u, session.texts[u].index(" --no-cache-dir"), session.texts[u].index(" x"), "")
    assert session.texts[u] == 'FROM python\nRUN echo "plain" && pip install x\nRUN pip install y\n'
    assert await session.diagnostics(u) == [diagnostic(r(1, 20, 1, 31)), diagnostic(r(2, 4, 2, 15))]


async def test_typing_astral_characters_before_finding(session: Session):
    """Insert emoji one by one in front of the finding; its columns move by the encoding's width."""
    u = uri("typing-emoji")
    session.open(u, 'FROM python\nRUN echo "" && pip install x\n')
    await session.diagnostics(u)
    width = {"utf-32": 1, "utf-16": 2, "utf-8": 4}[session.encoding]
    for n in range(1, 4):
        session.edit(u, 22, 22, "🐍")  # between the quotes
        assert await session.diagnostics(u) == [diagnostic(r(1, 15 + n * width, 1, 26 + n * width))], n
    session.edit(u, 22, 25, "é ")  # three snakes become an accent and a space
    accent = {"utf-32": 1, "utf-16": 1, "utf-8": 2}[session.encoding]
    assert session.texts[u] == 'FROM python\nRUN echo "é " && pip install x\n'
    assert await session.diagnostics(u) == [diagnostic(r(1, 16 + accent, 1, 27 + accent))]


async def test_crlf_document_diagnostics_and_edits(session: Session):
    u = uri("crlf")
    text = f"FROM python\r\n{LINE}\r\nRUN pip install y\r\n"
    session.open(u, text)
    start, end = COLUMNS[session.encoding]
    assert await session.diagnostics(u) == [diagnostic(r(1, start, 1, end)), diagnostic(r(2, 4, 2, 15))]
    # a new CRLF line in front, then join two lines by deleting a CRLF
    session.edit(u, 13, 13, "RUN pip install z\r\n")
    assert await session.diagnostics(u) == [diagnostic(r(1, 4, 1, 15)), diagnostic(r(2, start, 2, end)),
                                            diagnostic(r(3, 4, 3, 15))]
    joint = session.texts[u].index(" x\r\n") + 2
    session.edit(u, joint, joint + 2, " && ")
    assert session.texts[u].endswith(f"{LINE} && RUN pip install y\r\n")
    assert await session.diagnostics(u) == [diagnostic(r(1, 4, 1, 15)), diagnostic(r(2, start, 2, end))]
    # a backslash before a CRLF continues the instruction: the flag on the next line counts
    session.edit(u, joint, joint + 4, " \\\r\n  --no-cache-dir ")
    assert session.texts[u].endswith(f"{LINE} \\\r\n  --no-cache-dir RUN pip install y\r\n")
    assert await session.diagnostics(u) == [diagnostic(r(1, 4, 1, 15))]


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
async def test_position_past_line_end_clamps_before_terminator(session: Session, eol: str):
    """LSP: a character beyond the line's length means the line's end, never the next line."""
    u = uri(f"clamp-{len(eol)}")
    text = f"FROM python{eol}RUN pip install x{eol}RUN true{eol}"
    session.open(u, text)
    await session.diagnostics(u)
    session.versions[u] += 1
    session.change_raw(u, session.versions[u], [change(r(1, 500, 1, 500), " --no-cache-dir")])
    session.texts[u] = text.replace("install x", "install x --no-cache-dir")
    assert await session.diagnostics(u) == []
    session.edit(u, 0, 0, f"RUN pip install q{eol}")  # content check through a further edit
    assert await session.diagnostics(u) == [diagnostic(r(0, 4, 0, 15))]
    assert session.texts[u] == f"RUN pip install q{eol}FROM python{eol}RUN pip install x --no-cache-dir{eol}RUN true{eol}"


@pytest.mark.parametrize(("offered", "chosen"), [
    (None, "utf-16"),  # no general.positionEncodings: LSP's default
    (["utf-7", "utf-32", "utf-8"], "utf-32"),  # the first one the server knows, in the client's order
    (["utf-7"], "utf-16"),  # nothing known: the mandatory default
])
async def test_encoding_negotiation_is_announced_and_used(offered: list[str] | None, chosen: str):
    caps = types.ClientCapabilities(general=types.GeneralClientCapabilities(position_encodings=offered))
    client = await CONFIG.start()
    try:
        result = await client.initialize_session(types.InitializeParams(capabilities=caps))
        assert result.capabilities.position_encoding == chosen
        session = Session(client, {"utf-16": "vscode", "utf-32": "utf32"}[chosen])  # push, that encoding
        u = uri(f"negotiated-{chosen}-{len(offered or [])}")
        session.open(u, TEXT)
        start, end = COLUMNS[chosen]
        assert await session.diagnostics(u) == [diagnostic(r(1, start, 1, end)), diagnostic(r(2, 4, 2, 15))]
        await client.shutdown_session()
    finally:
        await stop(client)
