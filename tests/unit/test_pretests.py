"""The rules' cheap pre-tests, written for speed, against their plain definitions.

A pre-test that said "no" where its definition says "yes" would hide a finding; these
compare the fast code with the obvious code over generated text and real RUNs.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus_files import CORPUS
from pip_cache_lsp.dockerfile import parse
from pip_cache_lsp.rules import registered, spells
from pip_cache_lsp.rules.pip_no_cache_dir import _COMMAND_EXPANSION, _command_expansion
from pip_cache_lsp.suppress import (
    _FILE_HADOLINT,
    _FILE_KICS,
    _FILE_OURS,
    FILE,
    INSTRUCTION,
    STAGE,
    may_hold_pragma,
    pragmas,
)

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES * 10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# the pieces the regex reads: separators, keywords, blanks, quotes, expansions, word characters
_PIECES = ["$", "${", "}", '"', "'", " ", "\t", "\n", ";", "&", "|", "(", ")", "`", "then", "do", "else", "sudo",
           "exec", "eval", "env", "X", "_", "a", "1", "é", "٣", "-", ".", "RUN", "run", "onbuild", "ONBUILD",
           "--mount=x", "=", "/", "\\", "pip"]
shellish = st.lists(st.sampled_from(_PIECES), max_size=16).map("".join)


@SETTINGS
@given(shellish)
@example("RUN $PIP install x")
@example('RUN --mount=type=cache,target=/c "${PIP}" install x')
@example("RUN a && sudo $P install")
@example("RUN envy $P install")  # ``\b``: a keyword inside a word is no keyword
@example("RUN x;\t\"$P\"\tinstall")
@example("RUN é_env $P x")
@example("then$P x")
@example("$X install")
def test_command_expansion_is_the_regex(text: str) -> None:
    assert _command_expansion(text) == (_COMMAND_EXPANSION.search(text) is not None)


def _plain_spells(text: str, word: str) -> bool:
    """The definition: with quotes and backslashes removed (or a JSON escape present), ``word`` appears."""
    if "\\u" in text:
        return True
    return word in text.replace("\\", "").replace("'", "").replace('"', "")


@SETTINGS
@given(shellish, st.sampled_from(["pip", "install", "uv", "config", "purge"]))
@example("p'i'p", "pip")
@example('"\\u0070ip"', "pip")
@example("pip", "pip")
def test_spells_is_its_definition(text: str, word: str) -> None:
    assert spells(text, word) == _plain_spells(text, word)
    assert spells(text, word) == _plain_spells(text, word)  # asked again: the cached answer


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_command_expansion_on_the_corpus() -> None:
    texts = [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted(CORPUS.iterdir()) if p.is_file()]
    runs = [t for text in texts for ins in parse(text) if ins.keyword == "RUN" for t in (ins.logical, ins.text)]
    assert runs
    assert [_command_expansion(t) for t in runs] == [_COMMAND_EXPANSION.search(t) is not None for t in runs]


# what the suppression patterns read: markers, the tools' names in other cases (the Kelvin sign and
# the long s match ``k`` and ``s`` ignoring case), separators, codes, prose
_COMMENT_PIECES = ["#", " ", "\t", "\n", "\r", ":", "=", ",", "-", "pip-cache-lsp", "PIP-CACHE-LSP", "hadolint",
                   "HadoLint", "kics-scan", "\u212aics-\u017fcan", "ignore", "ignore-stage", "ignore-line", "stage",
                   "disable-file", "disable", "global", "syntax=",
                   "pip-no-cache-dir", "DL3042", "x", "\ufeff"]
comments = st.lists(st.sampled_from(_COMMENT_PIECES), max_size=14).map("".join)


@SETTINGS
@given(comments)
@example("# hadolint ignore=DL3042\n")
@example("#\t\u212aics-scan ignore-line\n")
@example("# note\n  #pip-cache-lsp: ignore-stage\n")
@example("# syntax=x\n#\tpip-cache-lsp : disable-file\n")
@example("\ufeff  # kics-scan disable=x\n")
@example("# hadolint global ignore=DL3042")
def test_may_hold_pragma_says_yes_wherever_a_scope_reads_a_pragma(text: str) -> None:
    """``may_hold_pragma`` is only a shortcut: the comment lines it turns away hold no pragma.

    Nor a file-level one: ``file_disabled``'s patterns, searched as it searches them, find nothing.
    """
    if not may_hold_pragma(text, len(text)):
        for scope in (INSTRUCTION, STAGE, FILE):
            assert pragmas(text, len(text), scope, registered()) == ()
        assert all(pattern.search(text) is None for pattern in (_FILE_OURS, _FILE_KICS, _FILE_HADOLINT))
