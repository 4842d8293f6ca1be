"""A RUN instruction -> every simple command it runs, whatever its form.

Exec form, a shell script, a lone heredoc run as the script, or a command line
whose shells read heredoc bodies: BuildKit's dispatch, in one place, for every
rule.  Knows no rule: ``wanted`` (a rule's cheap name test) only spares the
shell reader the words of commands no rule could match.
"""

from __future__ import annotations

from collections.abc import Iterator

from pip_cache_lsp.dockerfile import Heredoc, Instruction
from pip_cache_lsp.shell import (
    SHELLS,
    Command,
    Wanted,
    commands_in_exec,
    commands_in_script,
    reads_script_from_stdin,
)
from pip_cache_lsp.sourcemap import SourceMap, TextBuilder


def run_commands(ins: Instruction, wanted: Wanted | None = None) -> Iterator[Command]:
    """Every simple command a RUN runs, in order."""
    if ins.exec_form is not None:
        yield from commands_in_exec([(e.value, e.start, e.end, e.raw) for e in ins.exec_form], ins.logical_map,
                                    wanted)
        return
    if not ins.heredocs:
        script, smap = ins.logical[ins.command_start :], _offset_map(ins.logical_map, ins.command_start)
        yield from commands_in_script(script, smap, wanted=wanted)
        return
    # BuildKit runs a lone heredoc as the script itself; otherwise it hands the shell the
    # command line followed by the bodies, and a shell reading one runs it.
    if all(w.startswith("<<") or w[:1].isdigit() for w in ins.command.split()):
        for doc in ins.heredocs:
            script, smap = _heredoc_text(ins, doc).build()
            if not _foreign_shebang(script):
                yield from commands_in_script(script, smap, wanted=wanted)
        return
    # tree-sitter-bash cannot pair several heredocs on one line with their bodies, so the
    # line is parsed alone and a shell reading stdin gets the body whose marker is nearest
    # to its words (after them, as in `bash <<EOF`, or before, as in `<<EOF bash`).
    logical_map = ins.logical_map
    script, smap = ins.command, _offset_map(logical_map, ins.command_start)
    markers = [(logical_map.start(doc.marker), doc) for doc in ins.heredocs]
    for command in commands_in_script(script, smap, wanted=wanted):
        yield command
        if command.argv and reads_script_from_stdin(command.argv):
            start, end = command.argv[0].start, command.argv[-1].end
            at, body = min(markers, key=lambda m: (m[0] - end, 0) if m[0] >= end else (start - m[0], 1))
            yield from commands_in_script(*_heredoc_text(ins, body).build(), command.env, wanted, command.kept)


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


def _foreign_shebang(script: str) -> bool:
    """A heredoc script whose ``#!`` names something other than a shell (python, node…)."""
    if not script.startswith("#!"):
        return False
    names = [word.rsplit("/", 1)[-1] for word in script[2:].split("\n", 1)[0].split()]
    if names and names[0] == "env":
        names = names[1:]
    return not names or names[0] not in SHELLS
