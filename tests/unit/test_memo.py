"""The batch memo (memo.py) answers exactly what a fresh analysis answers, whatever came before.

Each case reads documents one after the other with the memo on, so an instruction
repeated from an earlier document is answered from the memo; every document's
findings (and hints) must equal those of a fresh read with the memo off.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus_files import FILES
from pip_cache_lsp import memo, rules
from pip_cache_lsp.dockerfile import parse
from pip_cache_lsp.document import Document
from pip_cache_lsp.facts import analyze
from pip_cache_lsp.findings import Finding

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "extra"))

import apk_rule  # noqa: E402


@pytest.fixture
def remembering() -> Iterator[memo.FactsMemo]:
    memo.remember()
    assert memo._memo is not None
    yield memo._memo
    memo.remember(False)


def findings(text: str) -> list[Finding]:
    return Document(text, lone_cr=False).findings(True, frozenset(rules.known_codes()))


def fresh(text: str) -> list[Finding]:
    saved, memo._memo = memo._memo, None
    try:
        return findings(text)
    finally:
        memo._memo = saved


# Pairs and runs of documents sharing instruction texts in different surroundings.
SEQUENCES = {
    "same RUN, stage ENV turns the cache off in the second": [
        "FROM python\nRUN pip install flask\n",
        "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
    ],
    "same RUN, builder stage in the second": [
        "FROM python\nRUN pip install flask\n",
        "FROM python AS build\nRUN pip install flask\nFROM scratch\nCOPY --from=build /x /x\n",
    ],
    "same RUN text first in the file, then after a BOM, then later": [
        "RUN pip install a\n",
        "\ufeffRUN pip install a\n",
        "FROM x\nRUN pip install a\n",
    ],
    "a BOM is one only at the start of the file": [
        "\ufeffRUN pip install a\n",
        "FROM x\n\ufeffRUN pip install a\n",
    ],
    "escape directive changes how the same text reads": [
        "FROM x\nRUN pip install a `\n  --no-cache-dir\n",
        "# escape=`\nFROM x\nRUN pip install a `\n  --no-cache-dir\n",
    ],
    "a suppression comment belongs to the block text": [
        "FROM x\n# hadolint ignore=DL3042\nRUN pip install a\n",
        "FROM x\nRUN pip install a\n",
        "FROM x\n# hadolint ignore=DL3042\nRUN pip install a\n",
    ],
    "ONBUILD trigger and a plain RUN": [
        "FROM x\nONBUILD RUN pip install a\n",
        "FROM x\nRUN pip install a\n",
    ],
    "cache mount made useless, then not": [
        "FROM x\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir a\n",
        "FROM x\nUSER 1000\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir a\n",
    ],
    "templated command resolved by each stage": [
        "FROM x\nARG PIP=pip\nRUN $PIP install a\n",
        "FROM x\nARG PIP=echo\nRUN $PIP install a\n",
    ],
    "unterminated heredoc at the end, then terminated": [
        "FROM x\nRUN <<EOF\npip install a\n",
        "FROM x\nRUN <<EOF\npip install a\nEOF\n",
    ],
}


@pytest.mark.parametrize("texts", SEQUENCES.values(), ids=SEQUENCES.keys())
def test_each_document_reads_as_a_fresh_one(remembering: memo.FactsMemo, texts: list[str]) -> None:
    for text in texts + texts[::-1]:
        assert findings(text) == fresh(text)


def test_a_repeated_instruction_is_answered_from_the_memo(remembering: memo.FactsMemo) -> None:
    first = Document("FROM x\nRUN pip install a\n")
    second = Document("FROM y\nENV A=1\nRUN pip install a\n")
    run_first = first.blocks[-1]
    run_second = second.blocks[-1]
    assert run_first.facts is run_second.facts  # type: ignore[attr-defined]
    assert remembering.size == sum(len(b.text) for b in parse("FROM x\nRUN pip install a\nFROM y\nENV A=1\n"))


def test_off_by_default_and_after_a_check(tmp_path: Path) -> None:
    from pip_cache_lsp.cli import main

    assert memo._memo is None
    ins = parse("FROM x\nRUN pip install a\n")[1]
    assert memo.facts_of(ins) is not memo.facts_of(ins)  # analysed afresh each time
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM x\nRUN pip install a\nRUN pip install a\n")
    assert main(["check", "--exit-zero", str(dockerfile)]) == 0
    assert memo._memo is None


def test_a_new_rule_clears_what_was_read_without_it(remembering: memo.FactsMemo) -> None:
    text = "FROM alpine\nRUN apk add curl\n"
    assert findings(text) == []
    apk_rule.install()
    try:
        assert [f.rule.code for f in findings(text)] == [apk_rule.RULE.code]
        assert findings(text) == fresh(text)
    finally:
        rules.unregister(apk_rule.RULE.code)
    assert findings(text) == []


def test_the_memo_starts_again_past_its_limit() -> None:
    small = memo.FactsMemo(limit=40)
    blocks = parse("FROM x\nRUN pip install aaaaaaaaaaaa\nRUN pip install bbbbbbbbbbbb\n")
    for ins in blocks:
        assert small(ins) == analyze(ins)
        assert small.size <= 40
    assert len(small.known) == 1  # the third block did not fit beside the first two


def test_a_very_long_instruction_is_not_kept(remembering: memo.FactsMemo) -> None:
    ins = parse("FROM x\nRUN pip install " + "a" * memo.LONGEST + "\n")[1]
    assert remembering(ins) == analyze(ins)
    assert remembering.size == 0


@pytest.mark.skipif(not FILES, reason="shared corpus not present")
def test_the_corpus_read_in_order_equals_each_file_read_alone(remembering: memo.FactsMemo) -> None:
    for path in FILES:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        assert findings(text) == fresh(text), path.name
