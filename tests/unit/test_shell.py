"""The shell reader: argv and spans through wrappers, nested ``sh -c`` scripts, exported environment.

Every script is read twice, by the fast path (:mod:`simple_shell`) when it accepts the
script and by the tree-sitter walk, and both must give the same commands.
"""

from __future__ import annotations

from typing import Any

import pytest

from corpus_files import CORPUS
from pip_cache_lsp import shell
from pip_cache_lsp.grammar import parser as grammar_parser
from pip_cache_lsp.shell import (
    Word,
    basename,
    commands_in_exec,
    commands_in_script,
    decodes_ansi_c,
    reads_script_from_stdin,
    shell_script_index,
    stdin_script_args,
    unwrap,
    unwrap_env,
)
from pip_cache_lsp.simple_shell import simple_commands
from pip_cache_lsp.sourcemap import SourceMap

Cmd = tuple[list[tuple[str | None, int, int]], dict[str, str | None]]


def read(script: str, grammar: bool, monkeypatch: pytest.MonkeyPatch, offset: int = 0,
         env: dict[str, str | None] | None = None, wanted: shell.Wanted | None = None) -> list[Cmd]:
    with monkeypatch.context() as patch:
        if grammar:
            patch.setattr(shell, "simple_commands", lambda text: None)
        return [([(w.value, w.start, w.end) for w in c.argv], c.env)
                for c in commands_in_script(script, SourceMap([(0, offset)]), env, wanted)]


def shifted(expected: list[Cmd], offset: int) -> list[Cmd]:
    return [([(v, s + offset, e + offset) for v, s, e in argv], env) for argv, env in expected]


PIP_A = [("pip", 0, 3), ("install", 4, 11), ("a", 12, 13)]

# (script, fast path accepts it, commands)
CASES: list[tuple[str, bool, list[Cmd]]] = [
    ("pip install a", True, [(PIP_A, {})]),
    ("sudo -u x pip install a", True, [([("pip", 10, 13), ("install", 14, 21), ("a", 22, 23)], {})]),
    ("sudo -E -u root -- pip install a", True, [([("pip", 19, 22), ("install", 23, 30), ("a", 31, 32)], {})]),
    ("env -u B A=1 pip install a", True,
     [([("pip", 13, 16), ("install", 17, 24), ("a", 25, 26)], {"B": "", "A": "1"})]),
    # GNU env stops reading options at its first operand: `-u` after an assignment is the command
    ("env A=1 -u B pip install a", True,
     [([("-u", 8, 10), ("B", 11, 12), ("pip", 13, 16), ("install", 17, 24), ("a", 25, 26)], {"A": "1"})]),
    ("/usr/bin/env A=1 /usr/bin/pip x", True, [([("/usr/bin/pip", 17, 29), ("x", 30, 31)], {"A": "1"})]),
    ("ls | xargs -n1 pip install", True, [([("ls", 0, 2)], {}), ([("pip", 15, 18), ("install", 19, 26)], {})]),
    ("xargs -I {} pip install {}", False, [([("pip", 12, 15), ("install", 16, 23), ("{}", 24, 26)], {})]),
    ("timeout 10 pip install a", True, [([("pip", 11, 14), ("install", 15, 22), ("a", 23, 24)], {})]),
    ("timeout -s KILL 10 pip install a", True, [([("pip", 19, 22), ("install", 23, 30), ("a", 31, 32)], {})]),
    ("nice -n 5 pip install a", True, [([("pip", 10, 13), ("install", 14, 21), ("a", 22, 23)], {})]),
    ("stdbuf -oL pip x", True, [([("pip", 11, 14), ("x", 15, 16)], {})]),
    ("exec -a foo pip x", True, [([("pip", 12, 15), ("x", 16, 17)], {})]),
    ("nohup sudo env A=1 nice pip x", True, [([("pip", 24, 27), ("x", 28, 29)], {"A": "1"})]),
    ("busybox sh -c 'pip install a'", True, [
        ([("busybox", 0, 7), ("sh", 8, 10), ("-c", 11, 13), ("pip install a", 14, 29)], {}),
        ([("pip", 15, 18), ("install", 19, 26), ("a", 27, 28)], {}),
    ]),
    ("sh -c 'pip install a && echo \"b c\"'", True, [
        ([("sh", 0, 2), ("-c", 3, 5), ('pip install a && echo "b c"', 6, 35)], {}),
        ([("pip", 7, 10), ("install", 11, 18), ("a", 19, 20)], {}),
        ([("echo", 24, 28), ("b c", 29, 34)], {}),
    ]),
    ("bash -c \"sh -c 'pip install q'\"", True, [
        ([("bash", 0, 4), ("-c", 5, 7), ("sh -c 'pip install q'", 8, 31)], {}),
        ([("sh", 9, 11), ("-c", 12, 14), ("pip install q", 15, 30)], {}),
        ([("pip", 16, 19), ("install", 20, 27), ("q", 28, 29)], {}),
    ]),
    ("sh -c \"pip install \\\"a b\\\"\"", False, [  # an escaped quote inside the nested script
        ([("sh", 0, 2), ("-c", 3, 5), ('pip install "a b"', 6, 27)], {}),
        ([("pip", 7, 10), ("install", 11, 18), ("a b", 19, 26)], {}),
    ]),
    ("sh -c $'pip install a'", False, [  # read as dash reads it: ``$`` then a single-quoted string
        ([("sh", 0, 2), ("-c", 3, 5), ("$pip install a", 6, 22)], {}),
        ([(None, 6, 11), ("install", 12, 19), ("a", 20, 21)], {}),
    ]),
    ("pip install 'a b' \"c\"d", True, [([("pip", 0, 3), ("install", 4, 11), ("a b", 12, 17), ("cd", 18, 22)], {})]),
    ("pip install a>=1 b", True, [([("pip", 0, 3), ("install", 4, 11), ("a", 12, 13), ("b", 17, 18)], {})]),
    ("pip install x 2>/dev/null", True, [([("pip", 0, 3), ("install", 4, 11), ("x", 12, 13)], {})]),
    # Digits touching ``<``/``>`` after an earlier redirect are that redirect's descriptor, not an
    # argument (tree-sitter-bash files a lone ``0`` under the redirect before it).  Each argv checked
    # against bash and dash running the script with a fake pip (and a) that prints its argv.
    ("pip install x >log 2>err", True, [([("pip", 0, 3), ("install", 4, 11), ("x", 12, 13)], {})]),
    ("a >log 0<in", True, [([("a", 0, 1)], {})]),
    ("a >log 0<in b", True, [([("a", 0, 1), ("b", 12, 13)], {})]),
    ("a >log 0 <in", True, [([("a", 0, 1), ("0", 7, 8)], {})]),  # not touching: an argument
    ("pip install x 2>/dev/null 1>&2", False, [([("pip", 0, 3), ("install", 4, 11), ("x", 12, 13)], {})]),
    ("p\\ip inst'all' a", False, [([("pip", 0, 4), ("install", 5, 14), ("a", 15, 16)], {})]),
    # environment: inline assignments and exports
    ("A=1 B= pip x", False, [([("pip", 7, 10), ("x", 11, 12)], {"A": "1", "B": ""})]),
    ("export A=1; pip x", False, [([("pip", 12, 15), ("x", 16, 17)], {"A": "1"})]),
    ("A=1; pip x", False, [([("pip", 5, 8), ("x", 9, 10)], {})]),  # not exported
    ("A=1; export A; pip x", False, [([("pip", 15, 18), ("x", 19, 20)], {"A": "1"})]),
    ("export A=1; A=2; pip x", False, [([("pip", 17, 20), ("x", 21, 22)], {"A": "2"})]),
    ("export A=1; unset A; pip x", False, [([("pip", 21, 24), ("x", 25, 26)], {"A": ""})]),
    ("export A=1 && sh -c 'pip x'", False, [
        ([("sh", 14, 16), ("-c", 17, 19), ("pip x", 20, 27)], {"A": "1"}),
        ([("pip", 21, 24), ("x", 25, 26)], {"A": "1"}),
    ]),
    ("A=1 sh -c 'B=2 pip x'", False, [
        ([("sh", 4, 6), ("-c", 7, 9), ("B=2 pip x", 10, 21)], {"A": "1"}),
        ([("pip", 15, 18), ("x", 19, 20)], {"A": "1", "B": "2"}),
    ]),
    # A line break ends the pipeline before it: tree-sitter-bash 0.25 parses ``a | b | c\npip install
    # d && e`` as ``a | (b | c pip install d && e)``; the grammar path parses it again with the line
    # ended.  Each argv (and A's value) checked against bash and dash running the script with fake
    # commands on PATH that print their argv.
    ("a | b | c\npip install d && e", True, [
        ([("a", 0, 1)], {}), ([("b", 4, 5)], {}), ([("c", 8, 9)], {}),
        ([("pip", 10, 13), ("install", 14, 21), ("d", 22, 23)], {}), ([("e", 27, 28)], {}),
    ]),
    ("echo a | tee b\npip install x", True, [
        ([("echo", 0, 4), ("a", 5, 6)], {}), ([("tee", 9, 12), ("b", 13, 14)], {}),
        ([("pip", 15, 18), ("install", 19, 26), ("x", 27, 28)], {}),
    ]),
    ("a | b | c # note\npip install d && e", False, [  # the comment ends c's line too
        ([("a", 0, 1)], {}), ([("b", 4, 5)], {}), ([("c", 8, 9)], {}),
        ([("pip", 17, 20), ("install", 21, 28), ("d", 29, 30)], {}), ([("e", 34, 35)], {}),
    ]),
    ("a | b | c\nexport A=1 && pip install x", False, [  # the export is no word of c: pip sees A=1
        ([("a", 0, 1)], {}), ([("b", 4, 5)], {}), ([("c", 8, 9)], {}),
        ([("pip", 24, 27), ("install", 28, 35), ("x", 36, 37)], {"A": "1"}),
    ]),
    # structure the fast path leaves to the grammar
    ("if true; then pip install a; fi", False,
     [([("true", 3, 7)], {}), ([("pip", 14, 17), ("install", 18, 25), ("a", 26, 27)], {})]),
    ("echo $(pip install a)", False,
     [([("pip", 7, 10), ("install", 11, 18), ("a", 19, 20)], {}), ([("echo", 0, 4), (None, 5, 21)], {})]),
    ("bash <<EOF\npip install x\nEOF", False,
     [([("bash", 0, 4)], {}), ([("pip", 11, 14), ("install", 15, 22), ("x", 23, 24)], {})]),
    ("pip install a # a comment", False, [(PIP_A, {})]),
]


@pytest.mark.parametrize(("script", "fast", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("offset", [0, 7])
def test_commands_in_script(script: str, fast: bool, expected: list[Cmd], offset: int,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert (simple_commands(script) is not None) is fast
    want = shifted(expected, offset)
    assert read(script, grammar=True, monkeypatch=monkeypatch, offset=offset) == want
    assert read(script, grammar=False, monkeypatch=monkeypatch, offset=offset) == want


@pytest.mark.parametrize(("script", "fast", "expected"), [c for c in CASES if c[1]], ids=[c[0] for c in CASES if c[1]])
def test_a_comment_sends_the_script_to_the_grammar_with_the_same_answer(
        script: str, fast: bool, expected: list[Cmd], monkeypatch: pytest.MonkeyPatch) -> None:
    forced = script + " # forces the tree-sitter path"
    assert simple_commands(forced) is None
    assert read(forced, grammar=False, monkeypatch=monkeypatch) == expected


def test_environment_passed_in_reaches_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    for grammar in (False, True):
        assert read("pip x && A=2 pip y", grammar, monkeypatch, env={"A": "1", "B": None}) == [
            ([("pip", 0, 3), ("x", 4, 5)], {"A": "1", "B": None}),
            ([("pip", 13, 16), ("y", 17, 18)], {"A": "2", "B": None}),
        ]


def test_wanted_skips_other_commands_but_not_wrappers_or_shells(monkeypatch: pytest.MonkeyPatch) -> None:
    script = "echo a && pip install x && sudo ls && sh -c 'echo y'"

    def wanted(name: str, source: str) -> bool:
        return name == "pip"

    for grammar in (False, True):
        got = read(script, grammar, monkeypatch, wanted=wanted)
        assert [[v for v, _, _ in argv] for argv, _ in got] == [["pip", "install", "x"], ["ls"], ["sh", "-c", "echo y"]]


def test_export_before_assignment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert read("export A; A=2; pip x", True, monkeypatch) == [([("pip", 15, 18), ("x", 19, 20)], {"A": "2"})]


def test_declare_x_exports(monkeypatch: pytest.MonkeyPatch) -> None:
    assert read("declare -x A=1; pip x", True, monkeypatch) == [([("pip", 16, 19), ("x", 20, 21)], {"A": "1"})]


def words(*values: str | None) -> tuple[Word, ...]:
    out, at = [], 0
    for value in values:
        out.append(Word(value, at, at + len(value or "$X")))
        at += len(value or "$X") + 1
    return tuple(out)


@pytest.mark.parametrize(
    ("argv", "env", "rest"),
    [
        (("pip", "install"), {}, ["pip", "install"]),
        (("A=1", "B=", "pip"), {"A": "1", "B": ""}, ["pip"]),
        (("A=x=y", "pip"), {"A": "x=y"}, ["pip"]),
        (("sudo", "-u", "x", "pip"), {}, ["pip"]),
        (("sudo", "-H", "pip"), {}, ["pip"]),
        (("sudo", "--", "-pip"), {}, ["-pip"]),
        (("env", "-u", "B", "A=1", "pip"), {"B": "", "A": "1"}, ["pip"]),
        (("env", "--unset", "B", "pip"), {"B": ""}, ["pip"]),
        (("env", "-i", "A=1", "pip"), {"A": "1"}, ["pip"]),
        (("env", "A=1", "-u", "B", "pip"), {"A": "1"}, ["-u", "B", "pip"]),
        (("xargs", "-n1", "pip"), {}, ["pip"]),
        (("xargs", "-n", "1", "-P", "4", "pip"), {}, ["pip"]),
        (("timeout", "10", "pip"), {}, ["pip"]),
        (("timeout", "-k", "5", "10", "pip"), {}, ["pip"]),
        (("nice", "-n", "5", "pip"), {}, ["pip"]),
        (("nice", "-5", "pip"), {}, ["pip"]),
        (("/usr/bin/sudo", "pip"), {}, ["pip"]),
        (("sudo", "env", "A=1", "xargs", "pip"), {"A": "1"}, ["pip"]),
        (("sudo",), {}, []),
        (("env", "-"), {}, []),  # coreutils: a lone ``-`` is ``-i``
        ((None, "pip"), {}, [None, "pip"]),  # a computed name is no wrapper
        (("echo", "A=1"), {}, ["echo", "A=1"]),
        ((), {}, []),
    ],
)
def test_unwrap(argv: tuple[str | None, ...], env: dict[str, str], rest: list[str | None]) -> None:
    got_env, got_rest = unwrap(words(*argv))
    assert got_env == env
    assert [w.value for w in got_rest] == rest


@pytest.mark.parametrize(
    ("argv", "index"),
    [
        (("sh", "-c", "x"), 2),
        (("/bin/bash", "-c", "x"), 2),
        (("sh", "-ec", "x"), 2),
        (("sh", "-e", "-c", "x"), 3),
        (("bash", "-o", "pipefail", "-c", "x"), 4),
        (("bash", "+o", "pipefail", "-c", "x"), 4),
        (("bash", "-O", "extglob", "-c", "x"), 4),
        (("bash", "--norc", "-c", "x"), 3),
        (("bash", "-c", "--", "x"), 3),
        (("sh", "-c", "x", "name", "arg"), 2),
        (("busybox", "sh", "-c", "x"), 3),
        (("busybox", "ash", "-c", "x"), 3),
        (("zsh", "-c", "x"), 2),
        (("sh", "-c"), None),
        (("sh", "script.sh"), None),
        (("sh", "-e", "script.sh"), None),
        (("busybox", "wget", "-c", "x"), None),
        (("busybox",), None),
        (("python", "-c", "x"), None),
        (("sh", "-e", "-"), None),
        ((), None),
    ],
)
def test_shell_script_index(argv: tuple[str, ...], index: int | None) -> None:
    assert shell_script_index(words(*argv)) == index


@pytest.mark.parametrize(
    ("argv", "reads"),
    [
        (("sh",), True),
        (("bash", "-e"), True),
        (("bash", "-s", "+x"), True),
        (("/bin/sh", "-eux"), True),
        (("sh", "script.sh"), False),
        (("sh", "-s", "--", "a", "b"), True),
        (("sh", "-es", "a"), True),
        (("bash", "-o", "pipefail"), True),
        (("bash", "-o", "pipefail", "x.sh"), False),
        (("sh", "--", "x.sh"), False),
        (("sh", "-"), True),
        (("busybox", "sh", "-s"), True),
        (("busybox", "cat"), False),
        (("bash", "-sc", "x"), False),
        (("bash", "-c", "x"), False),
        (("python",), False),
        (("cat",), False),
        ((), False),
    ],
)
def test_reads_script_from_stdin(argv: tuple[str, ...], reads: bool) -> None:
    assert reads_script_from_stdin(words(*argv)) is reads


@pytest.mark.parametrize(("value", "name"), [("/usr/bin/pip3", "pip3"), ("pip", "pip"), (None, ""), ("a/", "")])
def test_basename(value: str | None, name: str) -> None:
    assert basename(Word(value, 0, 1)) == name


def test_word_maps_its_span_only_through_its_map() -> None:
    word = Word("x", 2, 4, SourceMap([(0, 10), (3, 20)]))
    assert (word.start, word.end) == (12, 21)  # derived 3 is the first of the second piece
    assert repr(word) == "Word('x', 12, 21)"
    assert (Word("y", 2, 4).start, Word("y", 2, 4).end) == (2, 4)


def _exec(source: str, values: list[tuple[str, str]]) -> list[tuple[str, int, int, str]]:
    """Exec-form elements of a JSON array in ``source``, as the parser gives them."""
    out, at = [], 0
    for value, raw in values:
        start = source.index(f'"{raw}"', at)
        end = start + len(raw) + 2
        out.append((value, start, end, raw))
        at = end
    return out


def _exec_commands(source: str, values: list[tuple[str, str]]) -> list[tuple[list[tuple[str | None, int, int]], dict, bool]]:
    argv = _exec(source, values)
    return [([(w.value, w.start, w.end) for w in c.argv], c.env, c.exec_form)
            for c in commands_in_exec(argv, SourceMap([(0, 100)]))]


def test_exec_form_plain() -> None:
    source = '["pip", "install", "x"]'
    got = _exec_commands(source, [("pip", "pip"), ("install", "install"), ("x", "x")])
    assert got == [([("pip", 101, 106), ("install", 108, 117), ("x", 119, 122)], {}, True)]


def test_exec_form_shell_script_with_json_escapes() -> None:
    source = '["env", "A=1", "sh", "-c", "p\\u0069p install \\"x\\""]'
    raw = 'p\\u0069p install \\"x\\"'
    got = _exec_commands(source, [("env", "env"), ("A=1", "A=1"), ("sh", "sh"), ("-c", "-c"),
                                  ('pip install "x"', raw)])
    assert got == [
        ([("sh", 115, 119), ("-c", 121, 125), ('pip install "x"', 127, 151)], {"A": "1"}, True),
        # the nested words map through the JSON escapes: `p\u0069p` is 8 source characters
        ([("pip", 128, 136), ("install", 137, 144), ("x", 145, 150)], {"A": "1"}, False),
    ]


def test_exec_form_wrapped_shell() -> None:
    source = '["sudo", "-u", "u", "bash", "-ec", "B=2 pip install x"]'
    got = _exec_commands(source, [(v, v) for v in ("sudo", "-u", "u", "bash", "-ec", "B=2 pip install x")])
    assert got == [
        ([("bash", 120, 126), ("-ec", 128, 133), ("B=2 pip install x", 135, 154)], {}, True),
        ([("pip", 140, 143), ("install", 144, 151), ("x", 152, 153)], {"B": "2"}, False),
    ]


@pytest.mark.parametrize(
    ("argv", "env", "kept"),
    [
        (("pip",), {}, None),
        (("env", "A=1", "pip"), {"A": "1"}, None),
        (("env", "-i", "A=1", "pip"), {"A": "1"}, frozenset()),
        (("A=1", "env", "-i", "pip"), {}, frozenset()),
        (("env", "-", "pip"), {}, frozenset()),
        (("env", "--ignore-environment", "pip"), {}, frozenset()),
        (("env", "-iu", "X", "pip"), {}, frozenset()),
        (("env", "-uX", "pip"), {"X": ""}, None),
        (("sudo", "pip"), {}, frozenset()),
        (("sudo", "-E", "pip"), {}, None),
        (("sudo", "-HE", "pip"), {}, None),
        (("sudo", "--preserve-env", "pip"), {}, None),
        (("sudo", "--preserve-env=A,B", "pip"), {}, frozenset({"A", "B"})),
        (("sudo", "A=1", "pip"), {"A": "1"}, frozenset()),
        (("A=1", "sudo", "pip"), {}, frozenset()),
        (("sudo", "-E", "env", "-i", "pip"), {}, frozenset()),
        (("doas", "pip"), {}, frozenset()),
    ],
)
def test_unwrap_env_kept(argv: tuple[str, ...], env: dict[str, str], kept: frozenset[str] | None) -> None:
    got_env, got_rest, got_kept = unwrap_env(words(*argv))
    assert (got_env, got_kept, [w.value for w in got_rest]) == (env, kept, ["pip"])


@pytest.mark.parametrize(("argv", "operands"), [
    (("sh", "-s", "--", "a", "b"), ["a", "b"]), (("bash", "-s", "x", "-y"), ["x", "-y"]), (("sh",), []),
    (("sh", "f.sh", "a"), None),
])
def test_stdin_script_args(argv: tuple[str, ...], operands: list[str] | None) -> None:
    found = stdin_script_args(words(*argv))
    assert (None if found is None else [w.value for w in found]) == operands


@pytest.mark.parametrize(("argv", "decodes"), [
    (("bash", "-c", "x"), True), (("/bin/zsh",), True), (("sh", "-c", "x"), False), (("dash",), False),
    (("busybox", "sh"), True), (("ash", "-c", "x"), True), ((), False),
])
def test_decodes_ansi_c(argv: tuple[str, ...], decodes: bool) -> None:
    assert decodes_ansi_c(words(*argv)) is decodes


def _redirected_up(command: Any) -> Any:
    """The reference for ``_Walker._redirected``: the walk up from the command, one parent at a time."""
    node = command
    while (parent := node.parent) is not None:
        if parent.type == "redirected_statement":
            return parent
        if parent.type not in ("list", "pipeline", "negated_command") or parent.named_children[-1] != node:
            return None
        node = parent
    return None


def _redirects_agree(script: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Walk ``script`` with the grammar; every command's redirects as the walk noted them and from below."""
    trees = []
    parser = grammar_parser()

    class Recording:
        def parse(self, data: bytes) -> Any:
            trees.append(parser.parse(data))
            return trees[-1]

    with monkeypatch.context() as patch:
        patch.setattr(shell, "simple_commands", lambda text: None)
        patch.setattr("pip_cache_lsp.grammar.parser", lambda: Recording())
        walker = shell._Walker(script, SourceMap([(0, 0)]), {})
        commands = walker.run()
        # the tree the walk reads: the last parse before it starts (a script whose lines tree-sitter-bash
        # joined is parsed again; nested scripts are parsed as the walk reaches them)
        tree = trees[-1]
        list(commands)
    checked = 0
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "command" and not any(a.type == "heredoc_redirect" for a in _ancestors(node)):
            expected = _redirected_up(node)
            found = walker._redirected(node)
            assert (found.id if found is not None else None) == (expected.id if expected is not None else None), script
            checked += 1
        stack.extend(node.children)
    return checked


def _ancestors(node: Any) -> list[Any]:
    out = []
    while (node := node.parent) is not None:
        out.append(node)
    return out


@pytest.mark.parametrize("script", [
    "pip install a >log", "a && pip install b >x", "a | b 2>/dev/null && c", "! a >x", "(a && b) >x", "a >x && b",
    "f() { pip install a; } >log; f", "x=$(pip install a >log) b", "cat <<EOF >x && pip install a\nbody\nEOF\n",
    "a && b | c >x", "if a; then b >x; fi >y", "a 2>&1 | tee log && pip install b >>log 2>&1",
    "a | b | c\npip install d >log && e",  # parsed twice: tree-sitter-bash joins the lines
])
def test_redirects_noted_by_the_walk_are_the_walk_up(script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _redirects_agree(script, monkeypatch) > 0




@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_redirects_noted_by_the_walk_on_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    from pip_cache_lsp.dockerfile import parse
    checked = 0
    for path in sorted(CORPUS.iterdir()):
        for ins in parse(path.read_text(encoding="utf-8", errors="surrogateescape")):
            if ins.keyword == "RUN" and ins.exec_form is None and not ins.heredocs and "&&" in ins.command:
                checked += _redirects_agree(ins.logical[ins.command_start:], monkeypatch)
    assert checked > 1000


def test_grammar_loads_from_binding_alone() -> None:
    """The contract ``grammar._bash_language`` relies on: tree-sitter-bash's ``_binding`` is its grammar.

    In a fresh process: the grammar loads without running the package's ``__init__`` (nor
    ``importlib.resources``), parses as the package's own ``language()`` does, and a later
    ``import tree_sitter_bash`` takes the same binding module.
    """
    import subprocess
    import sys

    script = """
import sys
from pip_cache_lsp import grammar
tree = grammar.parser().parse(b"pip install x && echo $(id -u)").root_node
assert "tree_sitter_bash" not in sys.modules and "importlib.resources" not in sys.modules, sorted(sys.modules)
binding = sys.modules["tree_sitter_bash._binding"]
import tree_sitter_bash
from tree_sitter import Language, Parser
assert sys.modules["tree_sitter_bash._binding"] is binding
ours, theirs = Language(binding.language()), Language(tree_sitter_bash.language())
assert (ours.node_kind_count, ours.field_count) == (theirs.node_kind_count, theirs.field_count)
assert str(Parser(theirs).parse(b"pip install x && echo $(id -u)").root_node) == str(tree)
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr
