"""A RUN instruction -> every simple command it runs, whatever its form.

Exec form, a shell script, a lone heredoc run as the script, or a command line
whose shells read heredoc bodies: BuildKit's dispatch, in one place, for every
rule.  Knows no rule: ``wanted`` (a rule's cheap name test) only spares the
shell reader the words of commands no rule could match.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator

from pip_cache_lsp.dockerfile import Heredoc, Instruction
from pip_cache_lsp.shell import (
    SHELLS,
    Command,
    Wanted,
    commands_in_exec,
    commands_in_script,
    decodes_ansi_c,
    stdin_script_args,
)
from pip_cache_lsp.sourcemap import SourceMap, TextBuilder
from pip_cache_lsp.words import ANSI_C_SHELLS, buildkit_words

# BuildKit's ``reHeredoc`` (``frontend/dockerfile/parser/parser.go``), matched against the whole
# command line by ``dispatchRun`` (``dockerfile2llb/convert.go``) through ``MustParseHeredoc``.
_LONE_HEREDOC = re.compile(r"(\d*)<<(-?)\s*([^<]*)")


def run_commands(ins: Instruction, wanted: Wanted | None = None, bash: bool = False) -> Iterator[Command]:
    """Every simple command a RUN runs, in order.

    ``bash``: the stage's SHELL decodes ``$'…'`` (bash); the default ``/bin/sh -c`` is read
    as dash reads it.  Scripts a named shell runs (``bash -c``, a ``#!/bin/bash`` heredoc)
    are read by that shell's rules whatever the stage's.  The reader's own iterator is
    returned where there is one: a generator around it would cost each command a step more.
    """
    if ins.exec_form is not None:
        return commands_in_exec([(e.value, e.start, e.end, e.raw) for e in ins.exec_form], ins.logical_map, wanted)
    if not ins.heredocs:
        script, smap = ins.logical[ins.command_start :], _offset_map(ins.logical_map, ins.command_start)
        return commands_in_script(script, smap, wanted=wanted, bash=bash)
    if is_lone_heredoc(ins.command):
        # dispatchRun: a command line that is one heredoc alone runs the first body as the script:
        # written to a file and executed when it starts with ``#!`` (the kernel honours the
        # shebang), else handed to the stage's shell as its ``-c`` string.
        doc = ins.heredocs[0]
        script, smap = _heredoc_text(ins, doc).build()
        shell = shebang_shell(script, doc.chomp)
        if shell is None:
            return commands_in_script(script, smap, wanted=wanted, bash=bash)
        if shell:
            return commands_in_script(script, smap, wanted=wanted, bash=shell in ANSI_C_SHELLS)
        return iter(())
    return _command_line(ins, wanted, bash)


def _command_line(ins: Instruction, wanted: Wanted | None, bash: bool) -> Iterator[Command]:
    """The commands of a RUN with heredocs that is not one heredoc alone."""
    # BuildKit hands the stage's shell the command line followed by each body and its
    # name: the shell reads the line, and each command gets its own ``<<`` redirects.  The line is
    # parsed with its heredoc words blanked out (tree-sitter-bash cannot pair several heredocs on
    # one line with their bodies): a line of redirects alone runs nothing, and a shell reading its
    # stdin runs the body of the last ``<<`` redirect of its own command (bash manual, 3.6).
    logical_map = ins.logical_map
    line = ins.command
    offset = ins.command_start
    markers: list[tuple[int, int, Heredoc]] = []  # (start, end) in the command line, the heredoc
    for doc in ins.heredocs:
        at = doc.marker - offset
        end = at
        while end < len(line) and not line[end].isspace():
            end += 1
        markers.append((at, end, doc))
    blanked = list(line)
    for at, end, _ in markers:
        blanked[at:end] = " " * (end - at)
    script = "".join(blanked)
    regions = _command_regions(script)
    smap = _offset_map(logical_map, offset)
    for command in commands_in_script(script, smap, wanted=wanted, bash=bash):
        yield command
        operands = stdin_script_args(command.argv)
        if operands is None:
            continue
        first = command.argv[0].start
        region = next(((lo, hi) for lo, hi in regions if smap.start(lo) <= first
                       and (hi >= len(script) or first < smap.start(hi))), None)
        if region is None:
            continue
        stdin = [doc for at, _, doc in markers if region[0] <= at < region[1] and _reads_stdin(line, at)]
        if not stdin:
            continue
        doc = stdin[-1]
        # ``$1``, ``"$@"``: the shell's operands (``sh -s -- a b``) -- unless the delimiter is
        # unquoted, when the RUN's own shell, which has none, expands them in the body first
        args = tuple(w.value for w in operands) if doc.quoted else ()
        positional = None if None in args else tuple(a for a in args if a is not None)
        for inner in commands_in_script(*_heredoc_text(ins, doc).build(), command.env, wanted, command.kept,
                                        False, positional, decodes_ansi_c(command.argv)):
            yield inner if command.runs_always is True else dataclasses.replace(
                inner, runs_always=functools.partial(_both, command, inner))


def _both(outer: Command, inner: Command) -> bool:
    return outer.always and inner.always


def is_lone_heredoc(command: str) -> bool:
    """BuildKit's ``MustParseHeredoc`` on the command line: ``[n]<<[-]NAME`` and nothing else."""
    m = _LONE_HEREDOC.fullmatch(command)
    return m is not None and len(buildkit_words(m.group(3))) == 1


def shebang_shell(script: str, chomp: bool = False) -> str | None:
    """The shell a ``#!`` line names (``sh``, ``bash``…), ``""`` for another program; None without one.

    The kernel splits the line into the interpreter and one argument (execve(2)): with
    ``/usr/bin/env`` the program is that argument, split at blanks only with ``-S``
    (coreutils env(1): ``#!/usr/bin/env -S bash -e``); ``/bin/busybox sh`` runs its ash (``"ash"``).
    ``<<-`` strips leading tabs first (BuildKit's ``ChompHeredocContent``).
    """
    if chomp:
        script = script.lstrip("\t")
    if not script.startswith("#!"):
        return None
    line = script[2:].split("\n", 1)[0].strip(" \t\r")
    interpreter, _, argument = line.replace("\t", " ").partition(" ")
    argument = argument.strip(" ")
    name = interpreter.rsplit("/", 1)[-1]
    if name == "env":
        if argument.startswith(("-S", "--split-string")):
            words = argument.removeprefix("--split-string").removeprefix("-S").lstrip("= \t").split()
            while words and ("=" in words[0] or words[0].startswith("-")):
                words.pop(0)  # env's own options and assignments before the program
            argument = " ".join(words)
        elif any(c.isspace() for c in argument):
            return ""  # one argument with a blank in it: no such program
        name = argument.split(" ", 1)[0].rsplit("/", 1)[-1]
        argument = argument.partition(" ")[2]
    if name == "busybox":  # its sh is ash
        applet = argument.split(" ", 1)[0]
        return "ash" if applet in ("sh", "ash") else ""
    return name if name in SHELLS else ""


def _reads_stdin(line: str, at: int) -> bool:
    """Whether the heredoc word at ``line[at:]`` redirects stdin (no descriptor, or ``0``)."""
    digits = line[at : line.index("<<", at)]
    return digits in ("", "0")


def _command_regions(line: str) -> list[tuple[int, int]]:
    """The stretches of ``line`` between control operators outside quotes (bash manual, 2 Definitions).

    ``;``, ``&``, ``|``, ``(``, ``)`` and line breaks end one simple command's words and
    redirects; a heredoc word belongs to the command of its stretch.
    """
    regions: list[tuple[int, int]] = []
    start = i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            close = line.find("'", i + 1)
            i = n if close < 0 else close + 1
            continue
        if c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
            continue
        if c in ";&|()\n":
            regions.append((start, i))
            start = i + 1
        i += 1
    regions.append((start, n))
    return regions


def _heredoc_text(ins: Instruction, doc: Heredoc) -> TextBuilder:
    """A heredoc body as the shell reads it: split at ``\\n`` only, a CR before it dropped."""
    builder = TextBuilder()
    end = doc.body_end
    offset = doc.body_start
    body = ins.text[offset:end]
    if "\r" not in body:  # the common case: the body as it stands, one piece
        builder.add(body, offset)
        return builder
    for line in body.split("\n"):
        content = line[:-1] if line.endswith("\r") else line
        builder.add(content, offset)
        offset += len(line) + 1
        if offset <= end:
            builder.add("\n", offset - 1)
    return builder


def _offset_map(parent: SourceMap, offset: int) -> SourceMap:
    return SourceMap([(0, offset)], parent)
