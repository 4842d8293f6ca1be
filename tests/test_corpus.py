"""Every real-world Dockerfile of the shared corpus: no crash, and fixing leaves nothing.

The corpus belongs to its projects and is not in this repository; the test
reads it where the workplace provides it (``corpus_files``) and skips elsewhere.
"""

from __future__ import annotations

import pytest

from corpus_files import FILES
from pip_cache_lsp.document import Document
from pip_cache_lsp.files import FileError, read
from pip_cache_lsp.fix import apply_fixes


@pytest.mark.skipif(not FILES, reason="shared corpus not present")
def test_corpus_fixes_leave_no_findings() -> None:
    checked = with_findings = 0
    for path in FILES:
        try:
            source = read(path)
        except FileError:
            continue
        findings = Document(source.text).findings()
        checked += 1
        with_findings += bool(findings)
        fixed = apply_fixes(source.text, findings)
        assert Document(fixed).findings() == [], path.name
        assert apply_fixes(fixed, []) == fixed
        inserted = sum(len(f.insert_text) for f in findings)
        assert len(fixed) == len(source.text) + inserted, path.name
    assert checked >= 390
    assert with_findings > 100
