"""Word decoding: BuildKit's ENV/ARG split, heredoc names, fast-path words, backslashes, JSON."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from pip_cache_lsp.sourcemap import SourceMap, TextBuilder
from pip_cache_lsp.words import (
    DOUBLE_QUOTE_ESCAPABLE,
    ansi_c,
    buildkit_words,
    decode_json,
    dollar_quotes,
    simple_parts,
    simple_template,
    simple_unquote,
    unescape,
    unquote_word,
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("", [], id="empty"),
        pytest.param("  \t", [], id="blanks"),
        pytest.param("a b", ["a", "b"], id="plain"),
        pytest.param("a\tb\nc", ["a", "b", "c"], id="any blank splits"),
        pytest.param('A="x y" B=1', ["A=x y", "B=1"], id="double quotes keep blanks"),
        pytest.param("a='x y'z", ["a=x yz"], id="single quotes inside a word"),
        pytest.param('"a b""c d"', ["a bc d"], id="adjacent quotes"),
        pytest.param('x""y', ["xy"], id="empty quotes vanish"),
        pytest.param("a\\ b c", ["a b", "c"], id="escaped blank"),
        pytest.param('a\\"b c', ['a"b', "c"], id="escaped quote outside quotes"),
        pytest.param('"a\\"b"', ['a"b'], id="escaped quote inside double quotes"),
        pytest.param('"a\\\\b"', ["a\\b"], id="escaped backslash inside double quotes"),
        pytest.param("'a\\b'", ["a\\b"], id="backslash literal in single quotes"),
        pytest.param('"a\\\nb"', ["a\\\nb"], id="backslash-newline inside double quotes stays, as BuildKit"),
        pytest.param("a\\\nb", ["a\nb"], id="backslash-newline outside quotes escapes the newline"),
        pytest.param('"unterminated x', ["unterminated x"], id="open double quote runs to the end"),
        pytest.param("'un x", ["un x"], id="open single quote runs to the end"),
        pytest.param("a\\", ["a"], id="trailing backslash dropped"),
    ],
)
def test_buildkit_words(text: str, words: list[str]) -> None:
    assert buildkit_words(text) == words


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("EOF", "EOF"),
        ('"EOF"', "EOF"),
        ("'EOF'", "EOF"),
        ("'E'OF", "EOF"),
        ("E\\OF", "EOF"),
        ('"a b"', "a b"),
        ('"open', "open"),
        ("x\\", "x\\"),  # a trailing backslash stays
        ("", ""),
        ("a b", None),
        ("a\tb", None),
    ],
)
def test_unquote_word(word: str, value: str | None) -> None:
    assert unquote_word(word) == value


@pytest.mark.parametrize(
    ("text", "start", "end", "parts"),
    [
        ("xx abc yy", 3, 6, [("abc", 3)]),
        ("xx a\"b c\"'d'e yy", 3, 13, [("a", 3), ("b c", 5), ("d", 10), ("e", 12)]),
        ("'pip install x'", 0, 15, [("pip install x", 1)]),
        ('""', 0, 2, [("", 1)]),
        ("''x", 0, 3, [("", 1), ("x", 2)]),
    ],
)
def test_simple_parts(text: str, start: int, end: int, parts: list[tuple[str, int]]) -> None:
    assert simple_parts(text, start, end) == parts
    for part, at in parts:
        assert text[at : at + len(part)] == part


@pytest.mark.parametrize(
    ("word", "value"),
    [("plain", "plain"), ("a\"b c\"'d'e", "ab cde"), ('""', ""), ("''", ""), ("p'i'p", "pip"), ('"x"y', "xy")],
)
def test_simple_unquote(word: str, value: str) -> None:
    assert simple_unquote(word) == value


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("$X", (("$X", True),)),
        ("python${V}-dev", (("python", False), ("${V}", True), ("-dev", False))),
        ('"a==$V b"', (("a==", False), ("$V", False), (" b", False))),
        ("$AB_1.x", (("$AB_1", True), (".x", False))),  # the whole name, nothing less
        ("'$X'$Y", None),  # as the grammar: a ``$`` in single quotes, no template
        ("'a'$Y\"\"", (("a", False), ("$Y", True))),  # ``""`` adds no part (as tree-sitter-bash)
    ],
)
def test_simple_template(word: str, parts: tuple[tuple[str, bool], ...] | None) -> None:
    assert simple_template(word) == parts


def _unescape(source: str, escapable: str | None) -> tuple[str, list[int], list[int]]:
    """Unescape ``source`` placed at offset 2 of a text, with both ends of every derived offset."""
    builder = TextBuilder()
    unescape("XX" + source, 2, 2 + len(source), escapable, builder)
    text, smap = builder.build()
    return text, [smap.start(i) for i in range(len(text) + 1)], [smap.end(i) for i in range(len(text) + 1)]


@pytest.mark.parametrize(
    ("source", "escapable", "text", "starts", "ends"),
    [
        # unquoted: a backslash escapes any character
        ("ab", None, "ab", [2, 3, 4], [2, 3, 4]),
        ("a\\b", None, "ab", [2, 3, 4], [2, 3, 5]),
        ("a\\nb", None, "anb", [2, 3, 5, 6], [2, 3, 5, 6]),
        ("a\\\\b", None, "a\\b", [2, 3, 5, 6], [2, 3, 5, 6]),
        ('a\\"b', None, 'a"b', [2, 3, 5, 6], [2, 3, 5, 6]),
        ("a\\\nb", None, "ab", [2, 5, 6], [2, 3, 6]),  # line continuation vanishes; end stays on its line
        ("a\\", None, "a\\", [2, 3, 4], [2, 3, 4]),  # a lone trailing backslash stays
        # inside double quotes: only $ ` " \ and newline
        ("a\\b", DOUBLE_QUOTE_ESCAPABLE, "a\\b", [2, 3, 4, 5], [2, 3, 4, 5]),
        ("a\\nb", DOUBLE_QUOTE_ESCAPABLE, "a\\nb", [2, 3, 4, 5, 6], [2, 3, 4, 5, 6]),
        ("a\\$b", DOUBLE_QUOTE_ESCAPABLE, "a$b", [2, 3, 5, 6], [2, 3, 5, 6]),
        ("a\\`b", DOUBLE_QUOTE_ESCAPABLE, "a`b", [2, 3, 5, 6], [2, 3, 5, 6]),
        ('a\\"b', DOUBLE_QUOTE_ESCAPABLE, 'a"b', [2, 3, 5, 6], [2, 3, 5, 6]),
        ("a\\\\b", DOUBLE_QUOTE_ESCAPABLE, "a\\b", [2, 3, 5, 6], [2, 3, 5, 6]),
        ("a\\\nb", DOUBLE_QUOTE_ESCAPABLE, "ab", [2, 5, 6], [2, 3, 6]),
    ],
)
def test_unescape(source: str, escapable: str | None, text: str, starts: list[int], ends: list[int]) -> None:
    assert _unescape(source, escapable) == (text, starts, ends)


@pytest.mark.parametrize(
    ("raw", "text", "starts", "ends"),
    [
        ("abc", "abc", [5, 6, 7], [5, 6, 7, 8]),
        ('a\\"b', 'a"b', [5, 6, 8], [5, 6, 8, 9]),
        ("p\\u0069p x", "pip x", [5, 6, 12, 13, 14], [5, 6, 12, 13, 14, 15]),
        ("\\n\\t\\/", "\n\t/", [5, 7, 9], [5, 7, 9, 11]),
        ("\\b\\f\\r\\\\", "\b\f\r\\", [5, 7, 9, 11], [5, 7, 9, 11, 13]),
        ("\\u00e9t\\u00E9", "été", [5, 11, 12], [5, 11, 12, 18]),
    ],
)
def test_decode_json(raw: str, text: str, starts: list[int], ends: list[int]) -> None:
    decoded, smap = decode_json(raw, 5, None)
    assert decoded == text == json.loads(f'"{raw}"')
    assert [smap.start(i) for i in range(len(decoded))] == starts  # where each character sits
    assert [smap.end(i) for i in range(len(decoded) + 1)] == ends  # a range ending on an escape covers it


def test_decode_json_chains_onto_its_parent() -> None:
    parent = SourceMap([(0, 100), (4, 200)])  # e.g. a continuation between offsets 3 and 4
    decoded, smap = decode_json("a\\u0062cd", 1, parent)
    assert decoded == "abcd"
    # derived 0 -> parent 1 -> 101; 'b' (escape at parent 2..8) -> 102; 'c' at parent 8 -> 204
    assert [smap.start(i) for i in range(5)] == [101, 102, 204, 205, 206]
    assert [smap.end(i) for i in range(5)] == [101, 102, 204, 205, 206]


def test_decode_json_surrogate_pair_is_one_character() -> None:
    raw = "x\\ud83d\\ude00y"
    decoded, smap = decode_json(raw, 0, None)
    assert decoded == json.loads(f'"{raw}"') == "x\U0001f600y"
    assert [smap.start(i) for i in range(4)] == [0, 1, 13, 14]


# bash manual, 3.1.2.4 ANSI-C Quoting: every escape, and what is no escape
_ANSI_C_BODIES = [
    r"plain", r"\a\b\e\E\f\n\r\t\v", r"\\\'\"\?", r"\101\0101\1234\7", r"\x41g\x4G\x\x7ff", r"\u00e9\u\U0001F600\U",
    r"\cA\c?\ca\cz\c1\c", r"\c\\x", r"a\zb\%", r"--no-cache\x2ddir", r"ab\0cd", r"ab\x00cd", r"ab\c@cd", r"trail\\",
]


def _ansi_c(body: str) -> str:
    out = TextBuilder()
    ansi_c(body, 0, len(body), out)
    return out.build()[0]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("body", _ANSI_C_BODIES)
def test_ansi_c_decodes_as_bash_does(body: str) -> None:
    printed = subprocess.run(["bash", "-c", f"printf '%s' $'{body}'"], capture_output=True,
                             env={"LC_ALL": "C.UTF-8"}, check=True).stdout.decode("utf-8")
    assert _ansi_c(body) == printed


@pytest.mark.skipif(shutil.which("dash") is None, reason="needs dash")
def test_dash_reads_a_dollar_and_a_single_quoted_string() -> None:
    """Why ``$'…'`` is not decoded under ``/bin/sh``: dash 0.5.12 keeps the ``$`` and the backslashes."""
    printed = subprocess.run(["dash", "-c", "printf '%s' $'--no-cache\\x2ddir'"], capture_output=True, check=True).stdout
    assert printed == b"$--no-cache\\x2ddir"


def test_ansi_c_maps_each_escape_to_its_source() -> None:
    body = r"ab\x2dc\tz"
    out = TextBuilder()
    ansi_c(body, 0, len(body), out)
    text, smap = out.build()
    assert text == "ab-c\tz"
    assert [smap.start(i) for i in range(len(text))] == [0, 1, 2, 6, 7, 9]
    assert smap.end(3) == 6 and smap.end(5) == 9  # a range ending on an escape ends after all of it


@pytest.mark.parametrize(("text", "found"), [
    ("pip install $'x'", True), ('pip install $"x"', True), ("echo 'a' $'b'", True), ("a=b$'c'", True),
    ('echo "$$"', False), ("awk 'sub(\":$\", \"\")'", False), ("grep 'x$'", False), ("# it's $'x'", False),
    ('echo "it\'s $\'x\'"', False), ("pip install x", False),
])
def test_dollar_quotes(text: str, found: bool) -> None:
    """Only a text with ``$'`` or ``$"`` outside quotes and comments is read again as bash."""
    assert dollar_quotes(text) is found
