"""The stage fold: variable expansion, what exempts a pip install, and ENV/ARG/USER across stages."""

from __future__ import annotations

import pytest

from pip_cache_lsp.document import Document
from pip_cache_lsp.findings import Hit
from pip_cache_lsp.stage import Stage


@pytest.mark.parametrize(
    ("value", "expanded"),
    [
        (None, None),
        ("plain", "plain"),
        ("$A", "a"),
        ("${A}", "a"),
        ("x$A/y", "xa/y"),
        ("${A}${B}", "ab"),
        ("$B", "b"),  # an ARG
        ("$BOTH", "env"),  # ENV over ARG
        ("${C:-d}", "d"),
        ("${C-d}", "d"),
        ("${C:-}", ""),
        ("${A:-d}", "a"),
        ("${C:-/x/y}/z", "/x/y/z"),
        ("$C", None),  # unknown
        ("${C}", None),
        ("a${C}b", None),
        ("$UNSET_ARG", None),  # ARG without a value
        ("${UNSET_ARG:-1}", "1"),
        ("$1", "$1"),  # not a variable name
        ("$", "$"),
        ("cost: 5$", "cost: 5$"),
    ],
)
def test_expand(value: str | None, expanded: str | None) -> None:
    stage = Stage(env={"A": "a", "BOTH": "env"}, args={"B": "b", "BOTH": "arg", "UNSET_ARG": None})
    assert stage.expand(value) == expanded


def test_expand_colon_dash_treats_empty_as_unset() -> None:
    assert Stage(args={"X": ""}).expand("${X:-1}") == "1"


def test_expand_colon_plus() -> None:
    assert Stage(env={"X": "yes"}).expand("${X:+1}") == "1"


def test_get_prefers_env_and_copy_is_independent() -> None:
    stage = Stage(env={"A": "1"}, user="app", args={"A": "arg", "B": "2"})
    assert (stage.get("A"), stage.get("B"), stage.get("C")) == ("1", "2", None)
    copy = stage.copy()
    copy.env["A"] = "changed"
    copy.args["B"] = "changed"
    copy.user = "root"
    assert (stage.get("A"), stage.get("B"), stage.user) == ("1", "2", "app")
    assert (copy.get("A"), copy.get("B"), copy.user) == ("changed", "changed", "root")


def test_each_block_keeps_the_stage_it_was_checked_under() -> None:
    """The fold's stages share dicts (Stage.successor) until one changes: no change reaches back."""
    doc = Document("FROM python AS base\nARG V=1\nENV A=1\nUSER app\nRUN pip config set global.no-cache-dir 1\n"
                   "WORKDIR /w\nENV A=2 B=$A\nARG V=2 W=$V\nUSER root\nRUN pip config unset global.no-cache-dir\n")
    doc.findings()
    app, root = {"~app:user/pip/global": "1"}, {"~app:user/pip/global": "1", "/root:user/pip/global": None}
    one, two = {"A": "1"}, {"A": "2", "B": "1"}  # one ENV's values are all read before any is set
    assert [(b.stage.env, b.stage.args, b.stage.config, b.stage.user, b.stage.workdir)
            for b in doc.blocks if b.stage is not None] == [
        ({}, {}, {}, None, "/"),
        ({}, {"V": "1"}, {}, None, "/"),
        (one, {"V": "1"}, {}, None, "/"),
        (one, {"V": "1"}, {}, "app", "/"),
        (one, {"V": "1"}, app, "app", "/"),
        (one, {"V": "1"}, app, "app", "/w"),
        (two, {"V": "1"}, app, "app", "/w"),
        (two, {"V": "2", "W": "2"}, app, "app", "/w"),  # ARG's one by one
        (two, {"V": "2", "W": "2"}, app, "root", "/w"),
        (two, {"V": "2", "W": "2"}, root, "root", "/w"),
    ]


def pip_hit(run: str = "RUN pip install a") -> Hit:
    """The hit of a pip install, as the model makes it."""
    doc = Document(f"FROM python\n{run}\n")
    facts = doc.blocks[-1].facts
    assert facts is not None and len(facts.calls) == 1
    return facts.calls[0]


@pytest.mark.parametrize(
    ("env", "user", "args", "targets", "covered"),
    [
        pytest.param({}, None, {}, (), False, id="nothing"),
        pytest.param({"PIP_NO_CACHE_DIR": "1"}, None, {}, (), True, id="ENV 1"),
        pytest.param({"PIP_NO_CACHE_DIR": "0"}, None, {}, (), True, id="ENV 0: pip reads any boolean"),
        pytest.param({"PIP_NO_CACHE_DIR": "off"}, None, {}, (), True, id="ENV off"),
        pytest.param({"PIP_NO_CACHE_DIR": " TRUE "}, None, {}, (), True, id="ENV TRUE"),
        pytest.param({"PIP_NO_CACHE_DIR": ""}, None, {}, (), False, id="ENV empty"),
        pytest.param({"PIP_NO_CACHE_DIR": "maybe"}, None, {}, (), False, id="ENV not a boolean"),
        pytest.param({"PIP_NO_CACHE_DIR": None}, None, {}, (), False, id="ENV unknown"),
        pytest.param({}, None, {"PIP_NO_CACHE_DIR": "1"}, (), True, id="ARG in the stage"),
        pytest.param({}, None, {}, ("/root/.cache/pip",), True, id="mount on pip's cache"),
        pytest.param({}, None, {}, ("/root/.cache/pip/",), True, id="mount with a trailing slash"),
        pytest.param({}, None, {}, ("/root/.cache",), True, id="mount on .cache"),
        pytest.param({}, None, {}, ("/tmp",), False, id="unrelated mount"),
        pytest.param({}, None, {}, ("/tmp", "/root/.cache/pip"), True, id="second mount"),
        pytest.param({}, "root", {}, ("/root/.cache/pip",), True, id="USER root"),
        pytest.param({}, "app", {}, ("/root/.cache/pip",), False, id="USER app: root's cache is not pip's"),
        pytest.param({}, "app", {}, ("/home/app/.cache/pip",), True, id="USER app, mount in its home"),
        pytest.param({"PIP_CACHE_DIR": "/pipcache"}, None, {}, ("/pipcache",), True, id="PIP_CACHE_DIR mounted"),
        pytest.param({"PIP_CACHE_DIR": "/pipcache"}, None, {}, ("/root/.cache/pip",), False,
                     id="PIP_CACHE_DIR elsewhere"),
        pytest.param({"PIP_CACHE_DIR": "/c/pip"}, None, {}, ("/c",), True, id="mount on PIP_CACHE_DIR's parent"),
        pytest.param({"PIP_CACHE_DIR": "/pipcache"}, None, {"D": "/pipcache"}, ("${D}",), True,
                     id="mount target expanded"),
        pytest.param({}, None, {}, ("${UNKNOWN}/.cache/pip",), False, id="mount target unknown"),
    ],
)
def test_covers(env: dict, user: str | None, args: dict, targets: tuple[str, ...], covered: bool) -> None:
    assert Stage(env=env, user=user, args=args).covers(pip_hit(), targets) is covered


@pytest.mark.parametrize(
    ("run", "env", "covered"),
    [
        ("RUN PIP_NO_CACHE_DIR=1 pip install a", {}, True),
        ("RUN PIP_NO_CACHE_DIR= pip install a", {"PIP_NO_CACHE_DIR": "1"}, False),  # the command's own wins
        ("RUN export PIP_NO_CACHE_DIR=off; pip install a", {}, True),
        ("RUN env PIP_NO_CACHE_DIR=0 pip install a", {}, True),
    ],
)
def test_covers_with_the_commands_own_environment(run: str, env: dict, covered: bool) -> None:
    assert Stage(env=env).covers(pip_hit(run), ()) is covered


def findings(text: str) -> list[tuple[int, str]]:
    """(line, code) of every finding, lines from 1."""
    doc = Document(text)
    return [(doc.text.count("\n", 0, f.start) + 1, f.code) for f in doc.findings()]


PIP = "pip-no-cache-dir"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("FROM python\nRUN pip install a\n", [(2, PIP)], id="plain"),
        pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n", [], id="ENV 1"),
        pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=0\nRUN pip install a\n", [], id="ENV 0 still covers"),
        pytest.param("FROM python\nENV PIP_NO_CACHE_DIR false\nRUN pip install a\n", [], id="legacy ENV syntax"),
        pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=\nRUN pip install a\n", [(3, PIP)], id="ENV empty"),
        pytest.param("FROM python\nRUN pip install a\nENV PIP_NO_CACHE_DIR=1\n", [(2, PIP)], id="ENV after the RUN"),
        pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=${X:-1}\nRUN pip install a\n", [], id="ENV default"),
        pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=${X}\nRUN pip install a\n", [(3, PIP)], id="ENV unknown"),
        pytest.param("ENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n", [], id="snippet without FROM"),
        pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n", [],
                     id="cache mount"),
        pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache pip install a\n", [],
                     id="cache mount on .cache"),
        pytest.param("FROM python\nRUN --mount=type=bind,target=/root/.cache/pip pip install a\n", [(2, PIP)],
                     id="bind mount keeps nothing out"),
        pytest.param("FROM python\nUSER app\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n",
                     [(3, PIP)], id="USER app, root's cache mounted"),
        pytest.param("FROM python\nUSER app\nUSER root\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n",
                     [], id="back to root"),
        pytest.param("FROM python\nENV PIP_CACHE_DIR=/pipcache\nRUN --mount=type=cache,target=/pipcache pip install a\n",
                     [], id="PIP_CACHE_DIR mounted"),
        pytest.param("FROM python\nARG D=/pipcache\nENV PIP_CACHE_DIR=$D\nRUN --mount=type=cache,target=${D} pip install a\n",
                     [], id="PIP_CACHE_DIR and target from an ARG"),
        # stages
        pytest.param("FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install a\n", [],
                     id="FROM base inherits ENV"),
        pytest.param("FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nFROM python\nRUN pip install a\n", [(4, PIP)],
                     id="FROM python does not"),
        pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=1\nFROM python\nRUN pip install a\n", [(4, PIP)],
                     id="a new stage starts afresh"),
        pytest.param("FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base AS second\nRUN pip install a\n"
                     "FROM second\nRUN pip install b\n", [], id="inherited twice"),
        pytest.param("FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base AS b2\nENV PIP_NO_CACHE_DIR=\n"
                     "FROM base\nRUN pip install a\nFROM b2\nRUN pip install b\n", [(8, PIP)],
                     id="each child sees its own parent"),
        pytest.param("FROM python AS base\nUSER app\nFROM base\nRUN --mount=type=cache,target=/root/.cache/pip "
                     "pip install a\n", [(4, PIP)], id="USER inherited"),
        # BuildKit starts the child from the base's LLB state, which holds its ARG values
        # (dispatchState.init, dispatchArg); reference.md: ARGs are inherited by stages based on it
        pytest.param("FROM python AS base\nARG PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install a\n", [],
                     id="ARG is inherited through FROM <stage>"),
        # ARG scope
        pytest.param("FROM python\nARG PIP_NO_CACHE_DIR=1\nRUN pip install a\n", [], id="ARG in the stage"),
        pytest.param("ARG PIP_NO_CACHE_DIR=1\nFROM python\nRUN pip install a\n", [(3, PIP)],
                     id="global ARG is not in the stage"),
        pytest.param("ARG PIP_NO_CACHE_DIR=1\nFROM python\nARG PIP_NO_CACHE_DIR\nRUN pip install a\n", [],
                     id="global ARG redeclared"),
        pytest.param("ARG OFF=1\nFROM python\nENV PIP_NO_CACHE_DIR=$OFF\nRUN pip install a\n", [(4, PIP)],
                     id="global ARG not expanded in the stage"),
        pytest.param("ARG OFF=1\nFROM python\nARG OFF\nENV PIP_NO_CACHE_DIR=$OFF\nRUN pip install a\n", [],
                     id="global ARG redeclared and expanded"),
        pytest.param("FROM python\nARG PIP_NO_CACHE_DIR\nRUN pip install a\n", [(3, PIP)], id="ARG without default"),
        # the command's own environment
        pytest.param("FROM python\nRUN PIP_NO_CACHE_DIR=1 pip install a\n", [], id="inline"),
        pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN PIP_NO_CACHE_DIR= pip install a\n", [(3, PIP)],
                     id="inline empty overrides ENV"),
    ],
)
def test_fold_through_a_document(text: str, expected: list[tuple[int, str]]) -> None:
    assert findings(text) == expected
