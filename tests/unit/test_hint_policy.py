"""Where the hints are shown: the editor by default, the CLI when selected; a hint stays a hint."""

from __future__ import annotations

from lsprotocol import types

from pip_cache_lsp.document import Document
from pip_cache_lsp.findings import RANK, shown_severity
from pip_cache_lsp.lsp.session import Policy
from pip_cache_lsp.lsp.settings import Settings, parse_settings
from pip_cache_lsp.rules import codes, hint_codes, hint_rules, known_codes, registered

HINTS = frozenset({"unused-suppression", "useless-cache-mount"})
TEXT = ("FROM python AS builder\n# pip-cache-lsp: ignore\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir x\n"
        "FROM python\nRUN echo\n")


def test_the_hints_are_known_codes_but_not_rules() -> None:
    assert set(hint_codes()) == HINTS
    assert all(h.kind == "hint" and h.severity == "hint" for h in hint_rules())
    assert not HINTS & set(codes())
    assert not any(rule.kind == "hint" for rule in registered())
    assert known_codes() == (*codes(), *hint_codes())


def test_editor_default_shows_them_and_select_or_ignore_leave_them_out() -> None:
    assert HINTS <= Settings().selected()
    assert not HINTS & parse_settings({"ignore": ["unused-suppression", "useless-cache-mount"]}, print).selected()
    assert parse_settings({"select": ["pip-no-cache-dir"]}, print).selected() == {"pip-no-cache-dir"}
    warnings: list[str] = []
    assert parse_settings({"select": ["unused-suppression"]}, warnings.append).selected() == {"unused-suppression"}
    assert warnings == []


def test_a_hint_stays_a_hint() -> None:
    doc = Document(TEXT)
    found = doc.findings(selected=HINTS)
    assert [f.code for f in found] == ["unused-suppression", "useless-cache-mount"]
    policy = Policy(True, True, types.DiagnosticSeverity.Error, frozenset(known_codes()))
    assert {policy.severity_of(f) for f in found} == {types.DiagnosticSeverity.Hint}
    # in a builder stage, under a severity override, with builder stages reported: still hints
    assert {shown_severity(f, "error", "report") for f in found} == {"hint"}
    assert {shown_severity(f, None, "information") for f in found} == {"hint"}
    assert all(f.builder_stage is None for f in found)
    assert RANK["hint"] < RANK["info"]
