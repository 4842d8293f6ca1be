"""Word decoding, in one place: quote and backslash removal for every reader.

Four readers take words apart, each with the quoting rules of its own context:

* BuildKit's ENV/ARG word split (:func:`buildkit_words`) and heredoc names
  (:func:`unquote_word`), both in the Dockerfile layer;
* the shell fast path's plain and simply quoted words (:func:`simple_parts`);
* the tree-sitter walk's backslash removal inside and outside double quotes
  (:func:`unescape`), which records a source map for nested scripts;
* exec-form JSON string bodies (:func:`decode_json`), also mapped.

They differ in what they accept, not in how a quote is removed, so they live
side by side and share the escape tables.
"""

from __future__ import annotations

import re

from pip_cache_lsp.sourcemap import SourceMap, TextBuilder

# The variable forms BuildKit expands (``frontend/dockerfile/shell/lex.go``) and the shell expands
# alike (bash manual, 3.5.3 Shell Parameter Expansion): $X, ${X}, ${X:-word}, ${X-word},
# ${X:+word}, ${X+word}.  With the colon an empty value counts as unset.
VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}$`'\"\\]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class Template(str):
    """A shell value holding simple expansions (:data:`VARIABLE`) the script cannot resolve.

    The stage fold expands it with what the stage knows (ENV, ARG), as the shell would
    with the environment BuildKit gives it.
    """

    __slots__ = ()

# -- BuildKit (ENV, ARG) ----------------------------------------------------------------------

_BUILDKIT_WORD = re.compile(r"""(?:[^\s"'\\]+|\\.|"(?:[^"\\]|\\.)*"?|'[^']*'?)+""", re.DOTALL)
_BUILDKIT_QUOTED = re.compile(r"""\\(.)|"((?:[^"\\]|\\.)*)"?|'([^']*)'?""", re.DOTALL)
_BACKSLASH = re.compile(r"\\(.)")  # not DOTALL: as BuildKit, a backslash-newline stays


def _buildkit_piece(m: re.Match[str]) -> str:
    return m.group(1) or _BACKSLASH.sub(r"\1", m.group(2) or "") or m.group(3) or ""


def buildkit_words(text: str) -> list[str]:
    """Whitespace-separated words with quotes removed -- BuildKit's ENV/ARG word split."""
    if '"' not in text and "'" not in text and "\\" not in text:
        return text.split()  # the common case: nothing quoted, blanks alone split
    return [_BUILDKIT_QUOTED.sub(_buildkit_piece, m.group(0)) for m in _BUILDKIT_WORD.finditer(text)]


def unquote_word(word: str) -> str | None:
    """Remove shell quotes from one word (a heredoc name); None if it is not a single word."""
    out: list[str] = []
    i = 0
    while i < len(word):
        c = word[i]
        if c.isspace():
            return None
        if c in "'\"":
            j = word.find(c, i + 1)
            if j < 0:
                j = len(word)
            out.append(word[i + 1 : j])
            i = j + 1
        elif c == "\\" and i + 1 < len(word):
            out.append(word[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


# -- the shell fast path: plain words and simple quotes ------------------------------------------

_PART = re.compile(r"""'([^']*)'|"([^"]*)"|[^'"]+""")


def simple_parts(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """The pieces of the word at ``text[start:end]`` with quotes removed, and where each starts.

    Only for words the fast path accepted: no backslash, no expansion inside quotes.
    """
    out = []
    for m in _PART.finditer(text, start, end):
        group = 1 if m.group(1) is not None else 2 if m.group(2) is not None else 0
        out.append((m.group(group), m.start(group)))
    return out


def simple_unquote(word: str) -> str:
    """A fast-path word's value: its text without the quotes."""
    if "'" not in word and '"' not in word:
        return word
    return "".join(part for part, _ in simple_parts(word, 0, len(word)))


# A variable the fast path reads, bare or braced (``$X``, ``${X}``): no operator, no positional
# parameter, no special one -- those go to the grammar.  The lookahead takes the whole name only:
# were ``$AB`` also ``$A`` and ``B``, a quote left open after a few would backtrack exponentially.
SIMPLE_EXPANSION = r"\$(?:[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_])|\{[A-Za-z_][A-Za-z0-9_]*\})"
_TEMPLATE_PART = re.compile(rf"""'([^']*)'|"([^"]*)"|({SIMPLE_EXPANSION})|[^'"$]+""")
_QUOTED_PART = re.compile(rf"{SIMPLE_EXPANSION}|[^$]+")


def simple_template(word: str) -> tuple[tuple[str, bool], ...] | None:
    """A fast-path word holding simple expansions, as the grammar's template parts: (text, split).

    An unquoted expansion is split into fields, a quoted one is not (bash manual, 3.5.7 Word
    Splitting); literal text never is.  None, as the grammar says, when a single-quoted part
    holds a ``$``.  Literal text may be cut into parts elsewhere than tree-sitter-bash cuts it
    (``$a{b}``): the parts are only ever joined (:func:`~pip_cache_lsp.shell.expand_argv`).
    """
    parts: list[tuple[str, bool]] = []
    for m in _TEMPLATE_PART.finditer(word):
        single, double, expansion = m.groups()
        if single is not None:
            if "$" in single:
                return None
            parts.append((single, False))
        elif double is not None:
            parts.extend((piece, False) for piece in _QUOTED_PART.findall(double))
        else:
            parts.append((m.group(), expansion is not None))
    return tuple(parts)


# -- the shell grammar: backslashes ---------------------------------------------------------------

DOUBLE_QUOTE_ESCAPABLE = '$`"\\\n'  # bash manual, 3.1.2.3 Double Quotes


def unescape(text: str, start: int, end: int, escapable: str | None, out: TextBuilder) -> None:
    """Backslash removal: any char when unquoted (``escapable`` None), else only those listed.

    A backslash-newline is a line continuation and vanishes.
    """
    i = start
    piece = start
    while i < end:
        if text[i] == "\\" and i + 1 < end and (escapable is None or text[i + 1] in escapable):
            out.add(text[piece:i], piece)
            if text[i + 1] != "\n":
                out.add_escape(text[i + 1], i, 2)
            i += 2
            piece = i
        else:
            i += 1
    out.add(text[piece:end], piece)


# -- bash's ANSI-C quoting: $'…' ---------------------------------------------------------------

# Shells that decode ``$'…'`` (bash manual, 3.1.2.4 ANSI-C Quoting; ksh93, zsh and mksh alike; busybox
# ash, named ``ash`` or run as ``busybox sh``, when built with ASH_BASH_COMPAT, its default:
# ``shell/ash.c`` ``BASH_DOLLAR_SQUOTE``).  dash (Debian's and Ubuntu's /bin/sh, 0.5.12) does not:
# there ``$'a'`` is a lone ``$`` and a single-quoted ``a`` (dash(1), "Quoting" lists no such form),
# and a plain ``sh`` is read as dash.
ANSI_C_SHELLS = frozenset({"bash", "zsh", "ksh", "mksh", "ash", "busybox"})
_ANSI_C_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                  "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_ANSI_C_DIGITS = {"x": (2, 16), "u": (4, 16), "U": (8, 16)}  # at most this many digits, in this base
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"


_DOLLAR_QUOTE = re.compile(r"""\\.|'[^']*'?|"(?:[^"\\]|\\.)*"?|(?<![\w$])#[^\n]*|\$['"]""", re.DOTALL)


def dollar_quotes(text: str) -> bool:
    """Whether ``text`` holds a ``$'…'`` or ``$"…"`` outside quotes and comments: bash reads it otherwise.

    Most texts with ``$'`` or ``$"`` hold them inside quotes (``"$$"``, ``'…$'``, ``":$"``),
    where no shell decodes them; only a text this finds is read a second time, as bash.
    """
    if "$'" not in text and '$"' not in text:
        return False
    return any(m.group().startswith("$") for m in _DOLLAR_QUOTE.finditer(text))


def ansi_c(text: str, start: int, end: int, out: TextBuilder) -> None:
    """The body of a ``$'…'`` word (``text[start:end]``, quotes excluded) as bash decodes it.

    bash manual, 3.1.2.4: ``\\a \\b \\e \\E \\f \\n \\r \\t \\v \\\\ \\' \\" \\?``, ``\\nnn``
    (one to three octal digits), ``\\xHH`` (one or two hex digits), ``\\uHHHH``, ``\\UHHHHHHHH``
    (one to four, one to eight), ``\\cx`` (control-x); any other backslash is kept, with
    the character after it.  A NUL (``\\0``, ``\\x00``, ``\\c@``) ends the string: bash keeps
    C strings, so the rest of the quoted text is dropped (checked with bash 5.2).
    """
    i = piece = start
    while i < end:
        if text[i] != "\\" or i + 1 >= end:
            i += 1
            continue
        c = text[i + 1]
        char: str | None = None
        width = 2
        if c in _ANSI_C_SIMPLE:
            char = _ANSI_C_SIMPLE[c]
        elif c in _OCTAL:
            while width < 4 and i + width < end and text[i + width] in _OCTAL:
                width += 1
            char = chr(int(text[i + 1 : i + width], 8) & 0xFF)
        elif c in _ANSI_C_DIGITS:
            most, base = _ANSI_C_DIGITS[c]
            while width < 2 + most and i + width < end and text[i + width] in _HEX:
                width += 1
            if width > 2:
                code = int(text[i + 2 : i + width], base)
                char = chr(code & 0xFF) if c == "x" else chr(code) if code <= 0x10FFFF else "\ufffd"
        elif c == "c" and i + 2 < end:  # control-x: the character's low five bits, ``\\c?`` DEL
            x = text[i + 2]
            width = 3
            if x == "\\" and i + 3 < end and text[i + 3] == "\\":
                width = 4  # ``\\c\\\\``: the backslash, escaped
            char = "\x7f" if x == "?" else chr(ord(x.upper()) & 0x1F) if x.isascii() else x
        if char is None:  # not an escape: both characters stay
            i += 2
            continue
        out.add(text[piece:i], piece)
        if char == "\0":
            return
        out.add_escape(char, i, width)
        i += width
        piece = i
    out.add(text[piece:end], piece)


# -- JSON (exec form) -----------------------------------------------------------------------------

_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def decode_json(raw: str, origin: int, parent: SourceMap | None) -> tuple[str, SourceMap]:
    """Decode a JSON string body (``raw``, starting at derived offset ``origin``) with its map.

    The values themselves come from ``json.loads`` in the parser; this is for the
    one element that is a script, whose characters must map back to the source.
    """
    out = TextBuilder()
    i = piece = 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            out.add(raw[piece:i], origin + piece)
            width = 6 if raw[i + 1] == "u" and i + 6 <= len(raw) else 2
            char = chr(int(raw[i + 2 : i + 6], 16)) if width == 6 else _JSON_ESCAPES.get(raw[i + 1], raw[i + 1])
            if "\ud800" <= char <= "\udbff" and raw.startswith("\\u", i + 6) and i + 12 <= len(raw):
                low = int(raw[i + 8 : i + 12], 16)
                if 0xDC00 <= low <= 0xDFFF:  # a surrogate pair is one character, as json.loads reads it
                    char, width = chr(0x10000 + ((ord(char) - 0xD800) << 10) + (low - 0xDC00)), 12
            out.add_escape(char, origin + i, width)
            i += width
            piece = i
        else:
            i += 1
    out.add(raw[piece:], origin + piece)
    return out.build(parent)
