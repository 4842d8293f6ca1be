"""What the fuzzer checks on one input; shared by the driver and the regression tests.

``check_text(text, edits)`` is the whole oracle for one decoded input:

* the model parses it and the rule runs (``honour_env`` on and off) without raising;
* applying every fix leaves zero findings, keeps the instruction shape, is idempotent,
  and removing exactly the inserted text gives back the original;
* the given edits, applied one by one to the incremental model, leave it equal to a
  fresh parse of the resulting text after every edit (text, line index, blocks, findings).

Everything is deterministic: the driver derives the edits from the input bytes, and a
failing case is saved as JSON ``{"text": ..., "edits": [[start, end, new], ...]}`` so the
regression test replays it without the fuzzer.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence

from pip_cache_lsp.dockerfile import parse
from pip_cache_lsp.document import Document
from pip_cache_lsp.findings import Finding
from pip_cache_lsp.fix import apply_fixes

Edit = tuple[int, int, str]

# Text the parser treats specially: continuations, heredocs, quotes, exec form, comments, CR.
TOKENS = [
    "\\", " \\", "\\\n", "\\\r\n", "`", " `\n", "\n", "\r", "\r\n", "<<EOF", "<<-EOF", "<<'EOF'",
    '<<"EOF"', "EOF\n", "\tEOF\n", "\nEOF", '"', "'", "[", "]", '["pip", "install", "x"]', ",", "#",
    "# ", "\n#", "# escape=`\n", "# escape=\\\n", "# syntax=docker/dockerfile:1\n", "RUN ",
    "RUN pip install x\n", "pip install ", " install", "--no-cache-dir", "ENV PIP_NO_CACHE_DIR=1\n",
    "ARG PIP_NO_CACHE_DIR\n", "$(", ")", "${", "}", "$", "&&", ";", "|", "sh -c ", "FROM a AS b\n",
    "ONBUILD ", "--mount=type=cache,target=/root/.cache/pip ", "USER root\n", "\x00", "\ufeff",
    "\udcff", "😀", "e\u0301", "\u2028", "\x85", "\t", " ",
]


def project(doc: Document) -> list[tuple]:
    return [
        (b.start, b.length, b.keyword, b.instruction_offset, b.indent, b.open_ended, b.facts)
        for b in doc.blocks
    ]


def shape(doc: Document) -> list[tuple]:
    return [(b.keyword, b.exec_form is None, len(b.heredocs), b.open_ended) for b in parse(doc.text)]


def unfix(fixed: str, findings: Sequence[Finding]) -> str:
    """Remove each distinct insertion at its (pre-fix) offset; asserts it is really there."""
    shift = 0
    positions = []
    for at, ins in sorted({(f.insert_at, f.insert_text) for f in findings}):
        positions.append((at + shift, ins))
        shift += len(ins)
    for at, ins in reversed(positions):
        assert fixed[at : at + len(ins)] == ins, (at, ins)
        fixed = fixed[:at] + fixed[at + len(ins) :]
    return fixed


def check_fixes(text: str) -> None:
    doc = Document(text)
    for honour in (True, False):
        findings = doc.findings(honour)
        for f in findings:
            assert 0 <= f.start <= f.end <= len(text), f
            assert 0 <= f.insert_at <= len(text), f
        if not findings:
            continue
        fixed = apply_fixes(text, findings)
        after = Document(fixed)
        assert shape(after) == shape(doc), "a fix changed the instruction structure"
        left = after.findings(honour)
        assert left == [], f"findings left after fixing: {left}"
        assert apply_fixes(fixed, left) == fixed
        assert unfix(fixed, findings) == text, "removing the insertions does not give back the text"


def assert_same(doc: Document, text: str) -> None:
    fresh = Document(text)
    assert doc.text == text
    assert doc.lines.starts == fresh.lines.starts, "line index drifted"
    assert project(doc) == project(fresh), "incremental blocks differ from a fresh parse"
    assert doc.findings() == fresh.findings(), "incremental findings differ"
    assert doc.findings(honour_env=False) == fresh.findings(honour_env=False)


def check_edits(text: str, edits: Sequence[Edit]) -> None:
    doc = Document(text)
    for start, end, new in edits:
        doc.edit(start, end, new)
        text = text[:start] + new + text[end:]
        assert_same(doc, text)


def check_text(text: str, edits: Sequence[Edit] = ()) -> None:
    check_fixes(text)
    if edits:
        check_edits(text, edits)


def random_edits(text: str, rng: random.Random, count: int) -> list[Edit]:
    """Edits valid on the text as it evolves: around line ends, tokens, or anywhere."""
    out: list[Edit] = []
    for _ in range(count):
        n = len(text)
        r = rng.random()
        if r < 0.3 and n:  # at a line boundary, where the parser decides most things
            nl = text.find("\n", rng.randrange(n))
            start = n if nl < 0 else nl + rng.choice((0, 1))
        else:
            start = rng.randint(0, n)
        end = start if rng.random() < 0.4 else min(n, start + rng.choice((1, 1, 2, 3, 8, 40)))
        k = rng.random()
        if k < 0.6:
            new = rng.choice(TOKENS)
        elif k < 0.8 and n:  # a copy of another piece of the text
            a = rng.randrange(n)
            new = text[a : a + rng.randint(1, 60)]
        elif k < 0.9:
            new = ""
        else:
            new = "".join(rng.choice(TOKENS) for _ in range(rng.randint(2, 5)))
        if start == end and not new:
            new = rng.choice(TOKENS)
        out.append((start, end, new))
        text = text[:start] + new + text[end:]
    return out


def decodings(data: bytes) -> list[str]:
    """The lenient decodings of ``data``: UTF-8 with ``replace`` and, if it differs, ``surrogateescape``."""
    a = data.decode("utf-8", "replace")
    b = data.decode("utf-8", "surrogateescape")
    return [a] if a == b else [a, b]


def cases_for(data: bytes) -> list[tuple[str, list[Edit]]]:
    """The (text, edits) pairs the fuzzer checks for one input; edits derive from the bytes."""
    rng = random.Random(zlib.crc32(data))
    out = []
    for text in decodings(data):
        out.append((text, random_edits(text, rng, rng.randint(1, 6))))
    return out
