"""The shell reader's fast path: scripts made only of simple commands.

Most RUN lines are ``a && b && c``: commands of plain words, some single- or
double-quoted, maybe redirected to or from a file (``pip install a>=1``), joined by
``&&``, ``||``, ``|``, ``;`` and line breaks.  For those, a ``findall`` and
``str.split`` find the words tree-sitter-bash would, without a parse and a walk over
its nodes (which cost a pip-installing RUN about half its check).  A word may hold one
variable, ``$X`` or ``${X}`` (``python${V}-dev``, ``"a==$V"``): it is templated as the
grammar templates it.  Anything else -- other expansions, backslashes, other redirects,
comments, subshells, reserved words, assignments, non-ASCII text, a syntax error -- gives
None and goes to the grammar.
``tests/test_simple_shell.py`` checks that both readers see the same commands in
every script this one accepts.
"""

from __future__ import annotations

import re

from pip_cache_lsp.words import SIMPLE_EXPANSION, simple_unquote

# No backslash, no expansion but ``$X``/``${X}``; unrolled (runs of text between expansions) for speed.
_DOUBLE_QUOTED = rf'"[^"\\$`!]*(?:{SIMPLE_EXPANSION}[^"\\$`!]*)*"'


def _patterns(expansions: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The word and piece regexes; with ``expansions`` they read ``$X``, else a ``$`` stops them.

    A script without a ``$`` (most) is read by the narrower ones, which try fewer alternatives.
    """
    double, expansion = (_DOUBLE_QUOTED, f"|{SIMPLE_EXPANSION}") if expansions else ('"[^"\\\\$`!]*"', "")
    # plain characters, simple quotes (and simple expansions)
    word_text = rf"""(?:[^\s'"\\$`#&|;<>(){{}}!]+|'[^']*'|{double}{expansion})+"""
    redirect_text = rf"(?:>>?|<)[ \t]*{word_text}"  # to or from a file: ``>log``, ``2>> err``, ``< in``
    # A word, or a redirect (with the descriptor number that starts a word): the words of one command.
    token = re.compile(rf"(?:(?<![^\s;&|])[0-9]+)?({redirect_text})|{word_text}")
    # The script in pieces: a command's text (words, redirects and blanks), a separator, or one
    # character that stops the fast path (a quote left open, ``$``, ``>&``, a lone ``&``, a blank
    # other than space or tab).
    piece = re.compile(
        rf"""(?:[^'"&|;\n\\$`#<>(){{}}!\r\x00\x0b\x0c\x1c-\x1f]+|'[^']*'|{double}{expansion}|{redirect_text})+"""
        r"|&&|\|\||[|;\n]|.",
        re.DOTALL)
    return token, piece


_TOKEN, _PIECE = _patterns(False)
_EXPANDING_TOKEN, _EXPANDING_PIECE = _patterns(True)
_SEPARATORS = frozenset({"&&", "||", "|", ";", "\n"})
_STOPS = frozenset("'\"&|;\n\\$`#<>(){}!\r\x00\x0b\x0c\x1c\x1d\x1e\x1f")
# Digits glued to a redirect after other characters (``-2>x``, ``a2>x``): tree-sitter-bash reads
# some as a descriptor where bash does not, so the grammar reads them and the readers agree.
_GLUED_DIGITS = re.compile(r"[^\s0-9][0-9]+[<>]")
# What any of those holds: searched first, as a regex starting with ``[0-9]`` skips to the digits
# (``_GLUED_DIGITS`` starts at nearly every character).
_DIGIT_REDIRECT = re.compile(r"[0-9][<>]")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")  # within quotes nothing redirects
# A redirect to or from a word with an expansion (``>$LOG``): left to the grammar.
_REDIRECTED_EXPANSION = re.compile(r"[<>][ \t]*[^\s;&|<>]*\$")
# A word with an expansion that tree-sitter-bash reads in pieces it cannot template: ``==$X``
# (a test operator), digits that start a token (``1$X``, ``${X}-1``, ``"$X"1``: a number node).
_EXPANSION_QUIRK = re.compile(r"^=|(?:^|[^A-Za-z0-9_./=:,+@%~^?*])[0-9]")
_SINGLE_QUOTED = re.compile(r"'[^']*'")
_ONE_EXPANSION = re.compile(rf"""[^'"$]*{SIMPLE_EXPANSION}[^'"$]*|"[^"$]*{SIMPLE_EXPANSION}[^"$]*["]""")
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
    if not text.isascii():
        return None
    expands = "$" in text
    if ("<" in text or ">" in text) and (expands or _glued_digits(text)):  # quoted, ``"a2>=1"`` is no redirect
        unquoted = _QUOTED.sub("q", text) if "'" in text or '"' in text else text
        if _glued_digits(unquoted) or (expands and _REDIRECTED_EXPANSION.search(unquoted)):
            return None
    commands: list[SimpleCommand] = []
    pending = ended = False  # after &&, || or |, a command must follow; after ; or a line break, it may
    operator = ""  # what joins the next command to the one before it
    # What no piece can hold when the whole text does not: each piece's tests below are skipped then.
    spaced_bracket = " [" in text or " ]" in text or "\t[" in text or "\t]" in text
    quoted = "'" in text or '"' in text or "<" in text or ">" in text
    end = 0
    for piece in (_EXPANDING_PIECE if expands else _PIECE).findall(text):
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
        words = piece.lstrip(" \t")
        if not words:
            continue
        start += len(piece) - len(words)
        words = words.rstrip(" \t")
        if len(piece) == 1 and piece in _STOPS:
            return None
        if words[0] in "[]" or spaced_bracket and (" [" in words or " ]" in words or "\t[" in words
                                                    or "\t]" in words):
            return None  # a word that starts with a bracket: tree-sitter-bash reads ``[ [`` as one
        if quoted and ("'" in words or '"' in words or "<" in words or ">" in words):
            token = (_EXPANDING_TOKEN if expands else _TOKEN).match(words)
            if token is None or token.group(1) is not None:
                return None  # a redirect before the command's name
            first = token.group()
            name = simple_unquote(first)
        else:
            name = first = words.split(None, 1)[0]
        if first in _RESERVED or first == "-" or "[" in first or "=" in first:
            return None  # assignments, and what tree-sitter-bash reads as one (``x[y]``, ``9x=1``)
        if expands and "$" in words and any(_quirky(m.group()) for m in _EXPANDING_TOKEN.finditer(words)):
            return None
        if operator == "|":  # the command before writes into a pipe: it may not run whole
            before = commands[-1]
            if before[2] in ("echo", "printf") and name.rsplit("/", 1)[-1] in _SHELLS:
                return None  # ``echo '…' | sh``: the grammar hands the shell the string piped into it
            commands[-1] = (before[0], before[1], before[2], False)
        commands.append((start, start + len(words), name, operator != "||" and operator != "|"))
        pending = ended = False
    return None if pending else commands


def _glued_digits(text: str) -> bool:
    """``_GLUED_DIGITS.search(text)``, at a fraction of its cost when no digit touches a ``<``/``>``."""
    return _DIGIT_REDIRECT.search(text) is not None and _GLUED_DIGITS.search(text) is not None


def _quirky(word: str) -> bool:
    """A word with an expansion that tree-sitter-bash may cut otherwise than bash does.

    Only one expansion, with plain text around it, all unquoted or all in one pair of double
    quotes, is read here (``python${V}-dev``, ``"a==$V"``): the grammar splits others into two
    words (``$B/$B-x``, ``-"y"$B-x``) or numbers (see :data:`_EXPANSION_QUIRK`).
    """
    return expanding(word) and (_ONE_EXPANSION.fullmatch(word) is None or _EXPANSION_QUIRK.search(word) is not None)


def expanding(word: str) -> bool:
    """Whether a fast-path word holds an expansion (a ``$`` outside single quotes)."""
    return "$" in (_SINGLE_QUOTED.sub("", word) if "'" in word else word)


def words(text: str, start: int, end: int) -> list[SimpleWord]:
    """The words of the command at ``text[start:end]``, its redirects left out."""
    command = text[start:end]
    if "'" in command or '"' in command or "<" in command or ">" in command:
        token = _EXPANDING_TOKEN if "$" in command else _TOKEN
        return [(m.start(), m.end(), simple_unquote(m.group())) for m in token.finditer(text, start, end)
                if m.group(1) is None]  # a redirect and its file are no argument
    out = []
    for word in command.split():
        start = text.find(word, start)
        out.append((start, start + len(word), word))
        start += len(word)
    return out
