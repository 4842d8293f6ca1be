"""Inputs that once crashed, hung or broke an invariant of the core, replayed through the fuzz oracle.

The oracle (``tests/fuzz/fuzz_oracle.py``) is the one ``make fuzz`` runs on every input:
parse, rule with and without ``honour_env``, fix-all (zero findings left, idempotent, only
insertions) and, when a case has edits, incremental model == fresh parse after each edit.
A new crasher goes in as a row here: ``python tests/fuzz/fuzz_core.py minimise CASE.json``
prints its smallest form.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))

from fuzz_oracle import cases_for, check_text  # noqa: E402

from pip_cache_lsp.document import Document  # noqa: E402

# Deeply nested shell syntax: tree-sitter-bash nests one node per ``&&``, ``(``, ``if`` or
# ``${…:-…}``, and the recursive tree walk in shell.py hit Python's recursion limit
# (RecursionError) at about 1,000 levels -- a 5 kB RUN line.  Found while sizing the
# protocol-abuse documents; the walk is iterative now.
DEEP = 3000
DEEP_CASES = {
    "and-chain": "RUN " + "a && " * DEEP + "pip install x\n",
    "and-chain-continued": "RUN " + "a && \\\n  " * DEEP + "pip install x\n",
    "subshells": "RUN " + "( " * DEEP + "pip install x" + " )" * DEEP + "\n",
    "if-nest": "RUN " + "if a; then " * DEEP + "pip install x" + "; fi" * DEEP + "\n",
    "default-expansions": "RUN echo " + "${a:-" * DEEP + "x" + "}" * DEEP + " && pip install x\n",
}


@pytest.mark.parametrize("name", sorted(DEEP_CASES))
def test_deeply_nested_shell_does_not_recurse(name: str) -> None:
    text = DEEP_CASES[name]
    findings = Document(text).findings()
    assert len(findings) == 1
    assert text[findings[0].start : findings[0].end] == "pip install"
    check_text(text)


# The 32-minute fuzz run (docs/reliability.md) saved no crasher; one found would go here as a
# (text, edits) case checked with check_text.


# Raw byte inputs in the shapes the byte-level fuzzer produces: invalid UTF-8 (decoded with
# replace and with surrogateescape, so lone surrogates reach the parser), NULs, CR-only files.
BYTE_INPUTS = [
    b"",
    b"\xff\xfe\x00R\x00U\x00N",
    b"RUN pip install \xed\xa0\x80 \xc3\n",
    b"FROM a\rRUN pip install x\r\rRUN <<EOF\rpip install y\rEOF\r",
    b"# escape=`\nRUN pip install x `\n\xff`\n && pip install y\n",
    b'RUN ["pip", "install", "\xff"]\nRUN ["sh", "-c", "pip install \\u00"]\n',
    b"RUN <<EOF <<'E2' \\\n\x00pip install a\nEOF\npip install b\n",
]


@pytest.mark.parametrize("data", BYTE_INPUTS)
def test_byte_inputs(data: bytes) -> None:
    t = time.perf_counter()
    for text, edits in cases_for(data):
        check_text(text, edits)
    assert time.perf_counter() - t < 10
