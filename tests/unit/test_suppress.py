"""Suppression comments: which rule codes an instruction's comments and a file's prologue silence."""

from __future__ import annotations

import pytest

from pip_cache_lsp.rules import Cache, Rule, registered
from pip_cache_lsp.rules.pip_no_cache_dir import KICS_ID
from pip_cache_lsp.rules.pip_no_cache_dir import RULE as PIP
from pip_cache_lsp.suppress import IGNORE_COMMENT, file_disabled, instruction_suppressed

# A rule of our own, never registered: an alias (hadolint DL3019) and no KICS query.
APK = Rule(
    code="apk-no-cache",
    name="ApkAddWithoutNoCache",
    summary="s",
    message="m",
    help="h",
    docs_url="https://example.invalid/apk",
    cache=Cache(off_variable="X_OFF", dir_variable="X_DIR", subdir="apk", turns_off=lambda value: False),
    fix_title="f",
    fix_all_title="fa",
    aliases=frozenset({"dl3019"}),
)
RULES = (PIP, APK)
BOTH = frozenset({"pip-no-cache-dir", "apk-no-cache"})
PIP_ONLY = frozenset({"pip-no-cache-dir"})
APK_ONLY = frozenset({"apk-no-cache"})
NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("comments", "codes"),
    [
        pytest.param((IGNORE_COMMENT,), BOTH, id="bare ignore: every rule"),
        pytest.param(("#pip-cache-lsp:ignore",), BOTH, id="no blanks"),
        pytest.param(("#  pip-cache-lsp  :  ignore",), BOTH, id="extra blanks"),
        pytest.param(("# PIP-CACHE-LSP: IGNORE",), BOTH, id="case-insensitive"),
        pytest.param(("# pip-cache-lsp: ignore -- reason",), BOTH, id="a reason after it"),
        pytest.param(("# pip-cache-lsp: ignore=pip-no-cache-dir",), PIP_ONLY, id="ignore=code"),
        pytest.param(("# pip-cache-lsp: ignore=PIP-NO-CACHE-DIR",), PIP_ONLY, id="code in any case"),
        pytest.param(("# pip-cache-lsp: ignore = apk-no-cache, pip-no-cache-dir",), BOTH, id="list with blanks"),
        pytest.param(("# pip-cache-lsp: ignore=apk-no-cache pip-no-cache-dir",), BOTH, id="blank-separated list"),
        pytest.param(("# pip-cache-lsp: ignore=other",), NONE, id="unknown code"),
        pytest.param(("# pip-cache-lsp: ignore=dl3042",), PIP_ONLY, id="an alias in our own pragma"),
        pytest.param(("# pip-cache-lsp: ignore-stage",), NONE, id="ignore-stage is not ignore"),
        pytest.param(("# pip-cache-lsp: ignore-stage=pip-no-cache-dir",), NONE, id="ignore-stage=code is not ignore"),
        pytest.param(("# pip-cache-lsp: ignored",), NONE, id="ignored is another word"),
        pytest.param(("# hadolint ignore=DL3042",), PIP_ONLY, id="hadolint alias"),
        pytest.param(("# hadolint ignore=DL3008,DL3042",), PIP_ONLY, id="hadolint list"),
        pytest.param(("# hadolint ignore=DL3019",), APK_ONLY, id="hadolint alias of the extra rule"),
        pytest.param(("# HADOLINT IGNORE=dl3042",), PIP_ONLY, id="hadolint any case"),
        pytest.param(("# hadolint ignore=DL3008",), NONE, id="hadolint other id"),
        pytest.param(("# hadolint ignore=pip-no-cache-dir",), PIP_ONLY, id="hadolint naming our code"),
        pytest.param(("# hadolint global ignore=DL3042",), NONE, id="global is file-level only"),
        pytest.param(("# kics-scan ignore-line",), PIP_ONLY, id="kics: rules with a KICS query"),
        pytest.param(("# KICS-SCAN IGNORE-LINE",), PIP_ONLY, id="kics any case"),
        pytest.param(("# kics-scan ignore",), NONE, id="kics without -line"),
        pytest.param(("# just a comment",), NONE, id="unrelated"),
        pytest.param(("# pip install x --no-cache-dir",), NONE, id="mentions pip"),
        pytest.param((), NONE, id="no comments"),
        pytest.param(("# hadolint ignore=DL3019", "# note", "# kics-scan ignore-line"), BOTH, id="several lines add up"),
    ],
)
def test_instruction_suppressed(comments: tuple[str, ...], codes: frozenset[str]) -> None:
    assert instruction_suppressed(comments, RULES) == codes


def test_bare_ignore_silences_every_registered_rule() -> None:
    rules = registered()
    assert instruction_suppressed((IGNORE_COMMENT,), rules) == frozenset(rule.code for rule in rules)
    assert "pip-no-cache-dir" in instruction_suppressed(("# hadolint ignore=DL3042",), rules)


@pytest.mark.parametrize(
    ("prologue", "codes"),
    [
        pytest.param("# pip-cache-lsp: disable-file\n", BOTH, id="disable-file"),
        pytest.param("# Pip-Cache-Lsp: Disable-File\n", BOTH, id="case-insensitive"),
        pytest.param("  # pip-cache-lsp: disable-file\n", BOTH, id="indented"),
        pytest.param("# pip-cache-lsp: disable-file=pip-no-cache-dir\n", PIP_ONLY, id="disable-file=code"),
        pytest.param("# pip-cache-lsp: disable-file = apk-no-cache,pip-no-cache-dir\n", BOTH, id="list"),
        pytest.param("# pip-cache-lsp: disable-file=other\n", NONE, id="unknown code"),
        pytest.param("# pip-cache-lsp: disable-file=\n", BOTH, id="empty list: every rule"),
        pytest.param("# pip-cache-lsp: disable-file\n=pip-no-cache-dir", BOTH, id="the list stays on its line"),
        pytest.param("# pip-cache-lsp: disable-files\n", NONE, id="another word"),
        pytest.param("# pip-cache-lsp: disable-file-x\n", NONE, id="hyphenated word"),
        pytest.param(f"# kics-scan disable={KICS_ID}\n", PIP_ONLY, id="kics disable"),
        pytest.param(f"# KICS-SCAN DISABLE={KICS_ID.upper()}\n", PIP_ONLY, id="kics any case"),
        pytest.param("# kics-scan disable=0000\n", NONE, id="kics other id"),
        pytest.param("# hadolint global ignore=DL3042\n", PIP_ONLY, id="hadolint global"),
        pytest.param("# hadolint global ignore=DL3019,DL3042\n", BOTH, id="hadolint global list"),
        pytest.param("# hadolint ignore=DL3042\n", NONE, id="hadolint without global is per instruction"),
        pytest.param("# pip-cache-lsp: ignore\n", NONE, id="ignore is per instruction"),
        pytest.param("# syntax=docker/dockerfile:1\n# escape=\\\n\n# pip-cache-lsp: disable-file\n", BOTH,
                     id="after parser directives"),
        pytest.param("x # pip-cache-lsp: disable-file\n", NONE, id="not at the start of a line"),
        pytest.param("# comment\n# hadolint global ignore=DL3019\n", APK_ONLY, id="second line"),
        pytest.param("", NONE, id="empty"),
        pytest.param("no comment here\n", NONE, id="no hash"),
    ],
)
def test_file_disabled(prologue: str, codes: frozenset[str]) -> None:
    assert file_disabled(prologue, RULES) == codes


def test_no_rules_no_codes() -> None:
    assert instruction_suppressed((IGNORE_COMMENT,), ()) == NONE
    assert file_disabled("# pip-cache-lsp: disable-file\n", ()) == NONE
