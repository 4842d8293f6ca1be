"""The incremental model: an edit re-parses only the blocks it touches."""

from __future__ import annotations

import pytest

from pip_cache_lsp.dockerfile import parse
from pip_cache_lsp.document import Document
from pip_cache_lsp.text import LineIndex


def many_runs(n: int) -> str:
    return "".join(f"RUN pip install p{i} && \\\n    echo {i}\n" for i in range(n))


def same_as_fresh(doc: Document) -> None:
    fresh = Document(doc.text)
    assert [(b.start, b.length, b.keyword, b.open_ended, b.facts) for b in doc.blocks] == [
        (b.start, b.length, b.keyword, b.open_ended, b.facts) for b in fresh.blocks]
    assert doc.lines.starts == fresh.lines.starts
    assert doc.findings() == fresh.findings()


def test_typing_in_one_instruction_reparses_one_block() -> None:
    doc = Document("FROM python\n" + many_runs(1000))
    at = doc.text.index("p500 ") + 4
    for char in " --no-cache-dir":
        doc.edit(at, at, char)
        at += 1
        assert doc.last_edit.reparsed == 1 and not doc.last_edit.full
    same_as_fresh(doc)
    assert len(doc.findings()) == 999


def test_untouched_blocks_keep_their_analysis() -> None:
    doc = Document(many_runs(3))
    doc.findings()
    kept = doc.blocks[2]
    facts = kept.facts
    doc.edit(0, 0, "FROM x\n")
    assert doc.blocks[-1] is kept and kept.facts is facts and len(facts.calls) == 1
    same_as_fresh(doc)


@pytest.mark.parametrize(
    ("before", "edit", "reparsed"),
    [
        pytest.param("RUN a\nRUN pip install b\n", ("RUN a", "RUN a \\"), 1, id="trailing escape merges"),
        pytest.param("RUN a \\\nRUN pip install b\n", ("\\\nRUN", "\nRUN"), 2, id="deleting the escape splits"),
        pytest.param("RUN a\nRUN pip install b\nRUN c\n", ("RUN a", "RUN <<EOF"), 1, id="heredoc swallows the rest"),
        pytest.param("RUN <<EOF\nRUN pip install b\nRUN c\n", ("RUN c", "EOF"), 1, id="closing the heredoc"),
        pytest.param("RUN a\n\nRUN pip install b\n", ("\n\nRUN", "\n# pip-cache-lsp: ignore\nRUN"), 2,
                     id="comment line joins the block below"),
    ],
)
def test_edits_that_change_block_boundaries(before: str, edit: tuple[str, str], reparsed: int) -> None:
    doc = Document(before)
    old, new = edit
    at = before.index(old)
    doc.edit(at, at + len(old), new)
    assert doc.text == before.replace(old, new, 1)
    assert doc.last_edit.reparsed == reparsed
    same_as_fresh(doc)


def test_editing_the_escape_directive_reparses_everything() -> None:
    doc = Document("# escape=\\\nRUN pip install a `\n  b\n")
    doc.edit(9, 10, "`")
    assert doc.last_edit.full
    assert [b.logical for b in parse(doc.text)] == ["RUN pip install a   b"]
    same_as_fresh(doc)


def test_edit_out_of_range_is_refused() -> None:
    doc = Document("RUN a\n")
    with pytest.raises(ValueError):
        doc.edit(3, 99, "x")
    with pytest.raises(ValueError):
        doc.edit(4, 3, "x")
    assert doc.text == "RUN a\n"


def test_appending_to_an_open_continuation_at_the_end() -> None:
    doc = Document("RUN echo \\\n")
    doc.edit(len(doc.text), len(doc.text), "  && pip install a\n")
    assert [b.logical for b in parse(doc.text)] == ["RUN echo   && pip install a"]
    same_as_fresh(doc)
    assert len(doc.findings()) == 1


@pytest.mark.parametrize(
    ("text", "positions"),
    [
        ("a\nb", [(0, (0, 0)), (2, (1, 0)), (3, (1, 1))]),
        ("a\r\nb", [(1, (0, 1)), (3, (1, 0))]),
        ("a\rb\n", [(2, (1, 0)), (4, (2, 0))]),
        ("🐍é\nx", [(2, (0, 2)), (3, (1, 0))]),
    ],
)
def test_line_index_positions(text: str, positions: list[tuple[int, tuple[int, int]]]) -> None:
    index = LineIndex(text)
    for offset, expected in positions:
        assert index.position(offset) == expected
        assert index.line_start(expected[0]) + expected[1] == offset


def test_line_index_edit_pairs_cr_with_inserted_lf() -> None:
    text = "a\rb"
    index = LineIndex(text)
    new = "a\r\nb"
    index.edit(new, 2, 2, 1)
    assert index.starts == LineIndex(new).starts == [0, 3]


def test_findings_after_a_run_edit_refold_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import pip_cache_lsp.document as document

    doc = Document("FROM a\nENV PIP_NO_CACHE_DIR=1\nFROM b\n" + many_runs(50))
    assert len(doc.findings()) == 50
    folds = []
    monkeypatch.setattr(document, "fold", lambda *a: folds.append(a) or [])
    at = doc.text.index("p7 ") + 2
    doc.edit(at, at, " --no-cache-dir")
    assert len(doc.findings()) == 49 and folds == []
    doc.edit(0, 0, "ARG X\n")  # a stage-changing block: the next findings() refolds
    doc.findings()
    assert len(folds) == 1


def test_stage_edit_changes_later_findings() -> None:
    doc = Document("FROM a\nENV PIP_NO_CACHE_DIR=1\n" + many_runs(3))
    assert doc.findings() == []
    at = doc.text.index("=1")
    doc.edit(at, at + 2, "=")
    assert len(doc.findings()) == 3
    same_as_fresh(doc)


@pytest.mark.parametrize(("count", "steps"), [(0, 0), (1, 0), (2, 1), (5, 2), (6, 3)])
def test_parse_steps_yield_after_every_chunk_and_commit_at_the_end(count: int, steps: int) -> None:
    text = "".join(f"RUN pip install p{i}\n" for i in range(count))
    doc = Document(text, parse=False)
    yielded = 0
    for _ in doc.parse_steps(2):
        assert not doc.parsed and not doc.blocks, "nothing is committed before the last step"
        yielded += 1
    assert yielded == steps
    assert doc.parsed and [b.start for b in doc.blocks] == [b.start for b in Document(text).blocks]
    assert len(doc.blocks) == count and len(doc.findings()) == count
