"""The shell reader's fast path against tree-sitter-bash: same commands, or no answer.

``simple_commands`` may decline any script (the grammar then reads it), but a script
it accepts must give exactly the commands -- words, spans, environment, nested
``sh -c`` scripts -- that the tree-sitter walk gives.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_files import CORPUS
from pip_cache_lsp import shell
from pip_cache_lsp.dockerfile import parse
from pip_cache_lsp.rules.pip_no_cache_dir import RULE
from pip_cache_lsp.run import run_commands
from pip_cache_lsp.simple_shell import simple_commands
from pip_cache_lsp.sourcemap import SourceMap
from pip_cache_lsp.words import Template

may_install = RULE.may_match

WORDS = [
    "pip", "pip3", "/usr/bin/pip", "install", "python3", "-m", "--no-cache-dir", "--no-ca", "-r", "req.txt",
    "sudo", "-H", "env", "-u", "X", "sh", "bash", "-c", "-ec", "busybox", "xargs", "-n1", "nice", "-n", "10",
    "timeout", "5", "exec", "command", "apt-get", "update", "set", "-eux", "echo", "celery[redis]", "x==1",
    "a=b", "A=1", "PIP_NO_CACHE_DIR=1", "if", "then", "fi", "done", "time", "export", "unset", "[", "]", "[[",
    "-", "--", "~/x", "*.whl", "%", "@", ",", ":", "=", "a'b'c", "\"x\"'y'", "'&&'", "';'", "\"a;b\"",
    "'a b'", "'pip install x'", "\"pip install y && pip3 install z\"", "''", '""', "{", "}", "!", "#", "$X",
    "\\", ">", "<", "(", "é", "'unterminated", "\"", "p'ip'", "ins\"tall\"",
    ">log", "> log", "2>err", "2>", ">>out", "<in", "a>=1", "x<y", "a2>x", ">&2", "2>&1", "&>x", ">|x", "<<EOF",
    "<<<x", "<(x)", ">'q q'", "<\"f\"", "0<in", "-2>x", "-c2>x", "9x=1", "?a=", "unsetenv", "\x00",
    # simple expansions, and what tree-sitter-bash reads around them
    "$PIP", "${PIP}", "\"$X\"", "\"${X}\"", "\"a $X b\"", "$X$Y", "a$X", "$X/bin/pip", "python${V}-dev",
    "x==${V}", "\"x>=${V}\"", "'$X'", "$X'$Y'", "$X'y'", "\"$X\"'y'", "${X}1", "1$X", "-1$X", "$X-1", "$X[1]",
    "\"$X\"1", "==$X", "=~$X", "$X=1", "$1", "$@", "\"$*\"", "${X:-y}", "$$", "$", "a$", ">$LOG", "> \"$X\"",
    "2>$E", "$X>y", "\"a2>x\"", "'b2>c'", "\"x\"2>y", "cu12==$V", "a-1$X", "$X.1", "$X_1", "$X{", "$a{b}",
]
SEPARATORS = [" ", "  ", "\t", " && ", "&&", " || ", " | ", "|", "; ", ";", "\n", " &&\n ", "\n\n", ";;", " & ",
              "\r", " ;"]

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300")) * 3
# Mostly words and separators the fast path accepts, so it gets to answer often.
word = st.one_of(*[st.sampled_from([w for w in WORDS if simple_commands(w) is not None])] * 4, st.sampled_from(WORDS))
separator = st.one_of(*[st.sampled_from([" ", "\t", " && ", "&&", " || ", " | ", "; ", "\n"])] * 4,
                      st.sampled_from(SEPARATORS))
scripts = st.lists(st.tuples(word, separator), max_size=12).map(lambda pairs: "".join(w + s for w, s in pairs))


def commands(script: str, grammar: bool, wanted: shell.Wanted | None, monkeypatch: pytest.MonkeyPatch,
             env: dict[str, str | None] | None = None) -> list:
    with monkeypatch.context() as patch:
        if grammar:
            patch.setattr(shell, "simple_commands", lambda text: None)
        smap = SourceMap([(0, 7)])  # as if the script started at offset 7 of its block
        return [([(w.value, w.start, w.end, _joined(w.template)) for w in c.argv], c.env, c.always)
                for c in shell.commands_in_script(script, smap, env, wanted=wanted)]


def _joined(template: shell.Parts | None) -> list[tuple[str, bool]] | None:
    """A word's template with adjacent literal parts joined: where the literal text is cut is not seen.

    :func:`shell.expand_argv` joins the parts that are not split, and the facts ask only
    whether a part holds a ``$`` (a literal part never does).
    """
    if template is None:
        return None
    out: list[tuple[str, bool]] = []
    for text, split in template:
        if out and not split and not out[-1][1] and "$" not in text and "$" not in out[-1][0]:
            out[-1] = (out[-1][0] + text, False)
        else:
            out.append((text, split))
    return out


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=scripts)
def test_fast_path_reads_what_the_grammar_reads(script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if simple_commands(script) is None:
        return
    for wanted in (None, may_install):
        assert commands(script, False, wanted, monkeypatch) == commands(script, True, wanted, monkeypatch)


@pytest.mark.parametrize("script", [
    "sh >log -c 'pip install x' ", "sh 2>/dev/null -c \"pip install x\"", "pip 0</dev/null install x",
    "set -e && pip install a>=1 --no-cache-dir", "pip install a>=1 b 2>/dev/null c", "unsetenv A; pip install b",
    # a descriptor after an earlier redirect: bash and dash (a fake pip printing its argv) run
    # ``pip install x`` and ``a`` alone (tests/unit/test_shell.py holds the exact argv)
    "pip install x >log 2>err", "a >log 0<in", "pip install x 2>/dev/null 1>&2", "sh >log 0<in -c 'pip install x'",
    # a line after a pipeline: bash and dash (fake commands printing their argv) run ``a | b | c``
    # and then ``pip install d && e``, which tree-sitter-bash 0.25 parses as ``a | (b | c pip install d && e)``
    "a | b | c\npip install d && e", "echo a | tee b\npip install x", "a | b | c\npip install d >log && e",
    "x && a | b | c\npip install d || e",
    # a redirect in the command before a pipe: tree-sitter-bash files ``(pip && pip && a>=1) | pip``;
    # bash runs ``pip && pip && (a >=1 | pip)``, the second pip whenever the first succeeds
    "pip && pip && a>=1 | pip ", "a && b && c>x | pip install y && d", "pip && a>=1 | a>=1 | pip ",
    # blanks beside an expansion in double quotes, which tree-sitter-bash's nodes misplace
    "pip install \" a$X \" \"$X \"", "\" $X/bin/pip \" install x",
])
def test_readers_agree(script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for wanted in (None, may_install):
        assert commands(script, False, wanted, monkeypatch) == commands(script, True, wanted, monkeypatch)


@pytest.mark.parametrize("script", [
    "pip install $X $P ${T}/x \"$N\" $U", "$P install x", "$N install x", "$T install x", "$U install x",
    "${X}pip install \"a==${P}\"", "sudo $P install a && sh -c \"$P install b\"", "pip install '$X'$X",
])
def test_readers_agree_on_expansions_the_script_knows(script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Variables the script was given (a ``sh -c`` script's environment): known, unknown, the stage's."""
    env: dict[str, str | None] = {"X": "1", "P": "pip", "T": Template("$Z"), "N": None, "D": "$(x)"}
    for wanted in (None, may_install):
        assert (commands(script, False, wanted, monkeypatch, env)
                == commands(script, True, wanted, monkeypatch, env))


def test_a_quote_left_open_after_many_expansions_is_declined_at_once() -> None:
    """Each ``$NAME`` reads one way only: else the open quote's failed match backtracks 2^n ways."""
    assert simple_commands('make -j"$(nproc)" && ' + " && ".join(f"$PIP_INSTALL_{k} a" for k in range(40))) is None


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not present")
def test_readers_agree_on_every_corpus_script_the_fast_path_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every script of every RUN in the corpus (nested ``sh -c`` ones too) that the fast path accepts."""
    scripts: list[str] = []
    simple = shell.simple_commands

    def recorded(text: str) -> list | None:
        found = simple(text)
        if found is not None:
            scripts.append(text)
        return found

    with monkeypatch.context() as patch:
        patch.setattr(shell, "simple_commands", recorded)
        for path in sorted(CORPUS.iterdir()):
            for ins in parse(path.read_text(encoding="utf-8", errors="surrogateescape")):
                if ins.keyword == "RUN":
                    list(run_commands(ins))
    assert len(scripts) > 100
    for script in dict.fromkeys(scripts):
        for wanted in (None, may_install):
            assert commands(script, False, wanted, monkeypatch) == commands(script, True, wanted, monkeypatch), script


@pytest.mark.parametrize("script", [
    "pip install x",
    "set -eux && pip install --no-cache-dir a b && python -c 'import sys; print(sys.path)'",
    "apt-get update; pip3 install \"a b\" | tee log\n\npip install c ||\n true",
    "sudo -H pip install x && sh -c 'pip install y'",
    "pip install x;",
    "pip install a>=1 b 2>/dev/null",
    "pip install $X", '$PIP install "a==${V}" x>=1', "pip install \"cbor2>=5.9.0\"", "dnf install python${V}-devel",
])
def test_common_scripts_take_the_fast_path(script: str) -> None:
    assert simple_commands(script) is not None


@pytest.mark.parametrize("script", [
    "pip install a >&2", "pip install <<EOF", ">log pip install a", "if true; then pip install a; fi", "A=1 pip install a",
    "export A=1; pip install a", "[ -f x ] && pip install a", "pip install a # comment", "pip install \\\na",
    "pip install é", "(pip install a)", "pip install a &", "pip install a &&", "&& pip install a",
    "pip install a; ; b", "pip install a;; b", "echo \"$(pip install a)\"", "pip install 'a", "a\r",
 "pip install $'--no-cache-dir' a",
    "pip install x$'\\x2d'", 'pip install $"--no-cache-dir" a',
    # expansions other than ``$X``/``${X}``, and the words tree-sitter-bash cuts in quirky pieces
    "pip install ${X:-y}", "sh -c 'pip install \"$@\"' sh $1", "pip install 1$X", "pip install $X-1",
    "pip install ==$X", "pip install $X[1]", "pip install a>$X", "pip install 2> \"$E\"", "pip install \"$(x)\"",
])
def test_anything_else_goes_to_the_grammar(script: str) -> None:
    assert simple_commands(script) is None


def test_the_list_before_a_pipe_runs_whole_but_its_last_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Of ``pip && pip && a>=1 | pip`` only ``a`` and the last pip are pipeline members (bash manual, 3.2.3)."""
    for grammar in (False, True):
        assert [always for _, _, always in commands("pip && pip && a>=1 | pip ", grammar, None, monkeypatch)] == [
            True, True, False, False]
