"""The fixes on real Dockerfiles (the shared corpus; skipped where it is absent).

Each fix offered for a finding, applied and parsed afresh, removes exactly the findings it
claims and adds none (the planner checks on an incrementally edited copy: this checks that
copy against a from-scratch parse); each whole-file strategy leaves only what it says it
could not fix, and a second run finds nothing more to do.
"""

from __future__ import annotations

import pytest

from pip_cache_lsp.document import Document
from pip_cache_lsp.files import FileError, read
from pip_cache_lsp.remedies import STRATEGIES, Check, Planner, apply_edits, fix_text
from test_corpus import FILES

CHECK = Check(offer_cache_mount=True)


def texts() -> list[str]:
    out = []
    for path in FILES:
        try:
            text = read(path).text
        except FileError:
            continue
        if Document(text, lone_cr=False).findings():
            out.append(text)
    return out


@pytest.mark.skipif(not FILES, reason="shared corpus not present")
def test_each_offered_fix_removes_what_it_claims() -> None:
    offered = dict.fromkeys(STRATEGIES, 0)
    for text in texts():
        doc = Document(text, lone_cr=False)
        planner = Planner(doc, CHECK)
        before = {(f.code, f.start) for f in planner.findings()}
        for finding in planner.findings():
            for remedy in planner.for_finding(finding):
                offered[remedy.strategy] += 1
                after = Document(apply_edits(text, remedy.edits), lone_cr=False).findings()
                assert len(after) == len(before) - len(remedy.fixes), remedy
                assert all(e.start == e.end for e in remedy.edits)
    assert offered["flag"] > 300 and offered["env"] > 300 and offered["mount"] > 50, offered


@pytest.mark.skipif(not FILES, reason="shared corpus not present")
def test_each_strategy_over_the_corpus() -> None:
    for strategy in STRATEGIES:
        total = fixed = 0
        for text in texts():
            count = len(Document(text, lone_cr=False).findings())
            new, removed = fix_text(text, strategy, CHECK)
            left = len(Document(new, lone_cr=False).findings())
            assert left == count - removed
            assert fix_text(new, strategy, CHECK) == (new, 0)
            total, fixed = total + count, fixed + removed
        assert fixed == total if strategy != "mount" else fixed > total * 0.9, (strategy, fixed, total)
