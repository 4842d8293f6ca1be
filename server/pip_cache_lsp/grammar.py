"""tree-sitter-bash: its grammar, loaded once and cheaply, and the parse the shell walk reads.

The parse is corrected where tree-sitter-bash reads a simple command on past the end of
its line, which bash never does (see :func:`parse`).  :mod:`shell` walks the tree.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser


@functools.cache
def parser() -> Parser:
    """tree-sitter-bash, loaded when a script first needs it: most take the fast path."""
    from tree_sitter import Language, Parser

    return Parser(Language(_bash_language()))


# The nodes of one simple command (its words, assignments, redirects): bash ends one at a line break
# that is neither escaped nor quoted, as at a ``;`` (bash manual, 3.2.4 Lists of Commands).
_SIMPLE_COMMAND = frozenset({"command", "declaration_command", "unset_command", "redirected_statement",
                             "file_redirect", "herestring_redirect"})
_REPARSES = 4  # each ends one more joined line at least; more are not worth a parse each


def parse(data: bytes) -> Node:
    """The tree of a script, no simple command in it read on past the end of its line.

    tree-sitter-bash 0.25 joins some lines: it parses ``a | b | c\\nd && e`` as
    ``a | (b | c d && e)``, ``c`` run with ``d`` as an argument, where bash and dash run
    ``a | b | c`` and then ``d && e``.  Where a line break falls between the children of a
    simple command's node, a ``;`` written over the blank that ends the command (the line break
    itself, or the blank before a comment) ends it as the line break does for bash, and the
    script is parsed again: one byte for one, so every offset stays.
    """
    reader = parser()
    tree = reader.parse(data)
    for _ in range(_REPARSES if b"\n" in data else 0):
        ends = _joined_lines(tree.root_node, data)
        if not ends:
            break
        patched = bytearray(data)
        for at in ends:
            patched[at] = ord(";")
        data = bytes(patched)
        tree = reader.parse(data)
    return tree.root_node


def _joined_lines(root: Node, data: bytes) -> list[int]:
    """Where a ``;`` ends each simple command that tree-sitter-bash read on past a line break.

    A line break's smallest enclosing node is a simple command's only when it falls between that
    node's children: elsewhere it is in a word or quotes (``string``), a heredoc, or between
    commands (``program``, ``list``, ``compound_statement``…).  One cost for the scripts that
    join no line: a lookup in the tree per line break.
    """
    ends: list[int] = []
    at = data.find(b"\n")
    while at >= 0:
        node = root.descendant_for_byte_range(at, at + 1)
        if node is not None and node.type in _SIMPLE_COMMAND and not _escaped(data, at):
            end = _end_of_line_command(root, node, data, at)
            if end is not None:
                ends.append(end)
        at = data.find(b"\n", at + 1)
    return ends


def _escaped(data: bytes, at: int) -> bool:
    """Whether an odd run of backslashes ends before ``at``: a line continuation, not a line break."""
    start = at
    while start > 0 and data[start - 1] == 0x5C:
        start -= 1
    return (at - start) % 2 == 1


def _end_of_line_command(root: Node, node: Node, data: bytes, at: int) -> int | None:
    """Where ``node``'s command ends before the line break at ``at``: the first blank after its last child.

    A comment ends the line too (``c # note\\n``): the ``;`` goes before it, since one after it
    would be part of it.  None where a ``;`` would change more than the break: after an operator
    (``2>\\nfi`` is bash's syntax error), after a heredoc's last line (``EOF;`` ends no heredoc),
    or on a line whose heredoc body starts after the break.
    """
    before = None
    for child in node.children:
        if child.start_byte >= at:
            break
        if child.type != "comment":
            before = child
    if before is None or not before.is_named or before.end_byte == before.start_byte:
        return None
    last = root.descendant_for_byte_range(before.end_byte - 1, before.end_byte)
    if last is not None and last.type.startswith("heredoc"):
        return None
    if b"<<" in data[data.rfind(b"\n", 0, at) + 1 : at]:
        return None
    k = before.end_byte
    while k <= at:
        if data[k] == 0x5C:  # a line continuation (a backslash between words is in no gap)
            k += 2
        elif data[k] in b" \t\n":
            return k
        else:
            k += 1
    return None


def load_grammar() -> None:
    """Load tree-sitter-bash now: ``check`` does before forking workers, which then share it."""
    parser()


_BINDING = "tree_sitter_bash._binding"


def _bash_language() -> object:
    """tree-sitter-bash's compiled grammar, from its binding module alone.

    ``import tree_sitter_bash`` runs the package's ``__init__``, which imports
    ``importlib.resources`` (and with it ``tempfile``, ``shutil``, ``random``) for highlight
    queries this reader never asks for: four of the five milliseconds the load took, in
    every process that parses.  The binding's name is tree-sitter-bash's layout since 0.23
    (pyproject.toml pins the range; ``tests/unit/test_shell.py`` holds the two loads equal);
    without it, the package is imported.
    """
    import importlib.machinery
    import importlib.util
    import os
    import sys

    binding = sys.modules.get(_BINDING)
    if binding is None:
        package = importlib.util.find_spec("tree_sitter_bash")  # found, not run
        for directory in (package.submodule_search_locations or []) if package else []:
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                path = os.path.join(directory, "_binding" + suffix)
                spec = importlib.util.spec_from_file_location(_BINDING, path) if os.path.isfile(path) else None
                if spec is not None and spec.loader is not None:
                    binding = importlib.util.module_from_spec(spec)
                    spec.loader.exec_module(binding)
                    sys.modules[_BINDING] = binding  # ``import tree_sitter_bash`` later takes this one
                    break
            if binding is not None:
                break
    if binding is None:
        import tree_sitter_bash

        return tree_sitter_bash.language()
    return binding.language()
