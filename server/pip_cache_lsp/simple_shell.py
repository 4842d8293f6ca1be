"""The shell reader's fast path: scripts made only of simple commands.

Most RUN lines are ``a && b && c``: commands of plain words, some single- or
double-quoted, maybe redirected to or from a file (``pip install a>=1``), joined by
``&&``, ``||``, ``|``, ``;`` and line breaks.  For those, a ``findall`` and
``str.split`` find the words tree-sitter-bash would, without a parse and a walk over
its nodes (which cost a pip-installing RUN about half its check).  Anything else --
expansions, backslashes, other redirects, comments, subshells, reserved words,
assignments, non-ASCII text, a syntax error -- gives None and goes to the grammar.
``tests/test_simple_shell.py`` checks that both readers see the same commands in
every script this one accepts.
"""

from __future__ import annotations

import re

from pip_cache_lsp.words import simple_unquote

_WORD_TEXT = r"""(?:[^\s'"\\$`#&|;<>(){}!]+|'[^']*'|"[^"\\$`!]*")+"""  # plain characters, simple quotes
_REDIRECT_TEXT = rf"(?:>>?|<)[ \t]*{_WORD_TEXT}"  # to or from a file: ``>log``, ``2>> err``, ``< in``
# A word, or a redirect (with the descriptor number that starts a word): the words of one command.
_TOKEN = re.compile(rf"(?:(?<![^\s;&|])[0-9]+)?({_REDIRECT_TEXT})|{_WORD_TEXT}")
# The script in pieces: a command's text (words, redirects and blanks), a separator, or one
# character that stops the fast path (a quote left open, ``$``, ``>&``, a lone ``&``, a blank
# other than space or tab).
_PIECE = re.compile(
    rf"""(?:[^'"&|;\n\\$`#<>(){{}}!\r\x00\x0b\x0c\x1c-\x1f]+|'[^']*'|"[^"\\$`!]*"|{_REDIRECT_TEXT})+|&&|\|\||[|;\n]|.""",
    re.DOTALL)
_SEPARATORS = frozenset({"&&", "||", "|", ";", "\n"})
_STOPS = frozenset("'\"&|;\n\\$`#<>(){}!\r\x00\x0b\x0c\x1c\x1d\x1e\x1f")
# Digits glued to a redirect after other characters (``-2>x``, ``a2>x``): tree-sitter-bash reads
# some as a descriptor where bash does not, so the grammar reads them and the readers agree.
_GLUED_DIGITS = re.compile(r"[^\s0-9][0-9]+[<>]")
# Words that mean more than a command name at the start of a command.
_RESERVED = frozenset({
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case", "esac",
    "function", "select", "coproc", "time", "export", "declare", "typeset", "local", "readonly", "unset",
    "unsetenv",
})

_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})  # shell.SHELLS
SimpleWord = tuple[int, int, str]  # start, end (quotes included), value (quotes removed)


SimpleCommand = tuple[int, int, str, bool]  # start, end, name, always (see :func:`simple_commands`)


def simple_commands(text: str) -> list[SimpleCommand] | None:
    """Each command of ``text`` as (start, end, name, always), or None when it needs the real grammar.

    ``always``: the command runs whenever the script gets past the one before it --
    not the right side of ``||``, not a member of a pipeline (bash manual, 3.2.4 Lists
    of Commands, 3.2.3 Pipelines).  Only the name is read here: the other words are
    read by :func:`words`, for the commands the caller wants.
    """
    if not text.isascii() or (("<" in text or ">" in text) and _GLUED_DIGITS.search(text)):
        return None
    commands: list[tuple[int, int, str, str]] = []
    pending = ended = False  # after &&, || or |, a command must follow; after ; or a line break, it may
    operator = ""  # what joins the next command to the one before it
    end = 0
    for piece in _PIECE.findall(text):
        start, end = end, end + len(piece)
        if piece in _SEPARATORS:
            if piece == "\n":
                ended = not pending
                if not pending:
                    operator = ";"
            elif pending or ended or not commands:
                return None  # nothing before it: a syntax error, or ``;;``
            else:
                pending, ended = piece != ";", piece == ";"
                operator = piece
            continue
        words = piece.strip(" \t")
        if not words:
            continue
        if len(piece) == 1 and piece in _STOPS:
            return None
        if words[0] in "[]" or " [" in words or " ]" in words or "\t[" in words or "\t]" in words:
            return None  # a word that starts with a bracket: tree-sitter-bash reads ``[ [`` as one
        if "'" in words or '"' in words or "<" in words or ">" in words:
            token = _TOKEN.match(words)
            if token is None or token.group(1) is not None:
                return None  # a redirect before the command's name
            first = token.group()
        else:
            first = words.split(None, 1)[0]
        if first in _RESERVED or first == "-" or "[" in first or "=" in first:
            return None  # assignments, and what tree-sitter-bash reads as one (``x[y]``, ``9x=1``)
        lead = len(piece) - len(piece.lstrip(" \t"))
        commands.append((start + lead, start + lead + len(words), simple_unquote(first), operator))
        pending = ended = False
    if pending:
        return None
    if "|" in text and any(op == "|" and name.rsplit("/", 1)[-1] in _SHELLS and commands[k - 1][2] in ("echo", "printf")
                           for k, (_, _, name, op) in enumerate(commands)):
        return None  # ``echo '…' | sh``: the grammar hands the shell the string piped into it
    piped = [op == "|" for _, _, _, op in commands[1:]] + [False] if commands else []
    return [(start, end, name, op not in ("||", "|") and not into_pipe)
            for (start, end, name, op), into_pipe in zip(commands, piped, strict=True)]


def words(text: str, start: int, end: int) -> list[SimpleWord]:
    """The words of the command at ``text[start:end]``, its redirects left out."""
    command = text[start:end]
    if "'" in command or '"' in command or "<" in command or ">" in command:
        return [(m.start(), m.end(), simple_unquote(m.group())) for m in _TOKEN.finditer(text, start, end)
                if m.group(1) is None]  # a redirect and its file are no argument
    out = []
    for word in command.split():
        start = text.find(word, start)
        out.append((start, start + len(word), word))
        start += len(word)
    return out
