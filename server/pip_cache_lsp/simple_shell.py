"""The shell reader's fast path: scripts made only of simple commands.

Most RUN lines are ``a && b && c``: commands of plain words, some single- or
double-quoted, joined by ``&&``, ``||``, ``|``, ``;`` and line breaks.  For those,
one regex finds the words tree-sitter-bash would, without a parse and a walk over
its nodes (which cost a pip-installing RUN about half its check).  Anything else --
expansions, backslashes, redirects, comments, subshells, reserved words, leading
assignments, non-ASCII text, a syntax error -- gives None and goes to the grammar.
``tests/test_properties.py`` checks that both readers see the same commands in
every script this one accepts.
"""

from __future__ import annotations

import re

_WORD_TEXT = r"""(?:[^\s'"\\$`#&|;<>(){}!]+|'[^']*'|"[^"\\$`!]*")+"""  # plain characters, simple quotes
_WORD = re.compile(_WORD_TEXT)
# After blanks: a command (its first word, then the others), a separator, or anything else.
_TOKEN = re.compile(rf"[ \t]*(?:({_WORD_TEXT})((?:[ \t]+{_WORD_TEXT})*)|(&&|\|\||[|;\n])|(.))", re.DOTALL)
_PART = re.compile(r"""'([^']*)'|"([^"]*)"|[^'"]+""")
# Words that mean more than a command name at the start of a command.
_RESERVED = frozenset({
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case", "esac",
    "function", "select", "coproc", "time", "export", "declare", "typeset", "local", "readonly", "unset",
})
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_BRACKET_WORD = re.compile(r"(?<![^\s;&|])\]")  # tree-sitter-bash reads ``] [`` as one word

SimpleWord = tuple[int, int, str]  # start, end (quotes included), value (quotes removed)


def simple_commands(text: str) -> list[tuple[int, int, str]] | None:
    """Each command of ``text`` as (start, end, name), or None when it needs the real grammar.

    Only the name is read here: the other words are read by :func:`words`, for the
    commands the caller wants.
    """
    if not text.isascii() or _BRACKET_WORD.search(text):
        return None
    commands: list[tuple[int, int, str]] = []
    pending = ended = False  # after &&, || or |, a command must follow; after ; or a line break, it may
    for m in _TOKEN.finditer(text):
        first, _, separator, other = m.groups()
        if first is not None:
            if first in _RESERVED or "[" in first or _ASSIGNMENT.match(first):
                return None
            commands.append((m.start(1), m.end(2), unquote(first)))
            pending = ended = False
        elif other is not None:
            return None
        elif separator != "\n":
            if pending or ended or not commands:
                return None  # nothing before it: a syntax error, or ``;;``
            pending, ended = separator != ";", separator == ";"
        else:
            ended = not pending
    return None if pending else commands


def words(text: str, start: int, end: int) -> list[SimpleWord]:
    """The words of the command at ``text[start:end]``."""
    return [(m.start(), m.end(), unquote(m.group())) for m in _WORD.finditer(text, start, end)]


def unquote(word: str) -> str:
    """A word's value: its text without the quotes."""
    if "'" not in word and '"' not in word:
        return word
    return "".join(part for part, _ in parts(word, 0, len(word)))


def parts(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """The pieces of the word at ``text[start:end]`` with quotes removed, and where each starts."""
    out = []
    for m in _PART.finditer(text, start, end):
        group = 1 if m.group(1) is not None else 2 if m.group(2) is not None else 0
        out.append((m.group(group), m.start(group)))
    return out
