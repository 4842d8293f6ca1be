"""The three fixes per finding (flag, stage ENV, cache mount), each checked before it is offered.

Table-driven: for one finding of a text, each strategy's exact resulting text (None: not
offered) and how many findings it claims; then whole-file fixing per strategy
(``check --fix --fix-strategy``), and the check refusing wrong fixes of a test-only rule.
Every resulting text is checked again from scratch: the claimed findings are gone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "extra"))

import wrong_fix_rule  # noqa: E402

from pip_cache_lsp import rules  # noqa: E402
from pip_cache_lsp.document import Document  # noqa: E402
from pip_cache_lsp.remedies import Check, Edit, Planner, apply_edits, fix_text, remedies_for  # noqa: E402

PIP_ENV = "ENV PIP_NO_CACHE_DIR=1\n"
ROOT_PIP = "--mount=type=cache,target=/root/.cache/pip"
SYNTAX = "# syntax=docker/dockerfile:1\n"
MOUNT_OK = Check(offer_cache_mount=True)


def offered(text: str, nth: int = 0, check: Check = MOUNT_OK, lone_cr: bool = False) -> dict[str, tuple[str, str, int]]:
    """strategy -> (title, resulting text, findings claimed) for the ``nth`` finding of ``text``."""
    doc = Document(text, lone_cr=lone_cr)
    finding = doc.findings()[nth]
    out = {}
    for remedy in remedies_for(doc, finding, check):
        # a remedy always fixes the finding it is offered for
        assert (finding.code, finding.start) in {(f.code, f.start) for f in remedy.fixes}
        assert all(e.start == e.end for e in remedy.edits)  # pure insertions: no other byte changes
        result = apply_edits(text, remedy.edits)
        assert len(Document(result, lone_cr=lone_cr).findings()) == len(doc.findings()) - len(remedy.fixes), result
        out[remedy.strategy] = (remedy.title, result, len(remedy.fixes))
    return out


# (id, text, nth finding, check, {strategy: (resulting text or None, findings claimed)})
CASES = [
    ("plain root: flag, env after FROM, no mount without a BuildKit sign",
     "FROM python\nRUN pip install a\n", 0, Check(),
     {"flag": ("FROM python\nRUN pip install --no-cache-dir a\n", 1),
      "env": ("FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n", 1),
      "mount": (None, 0)}),
    ("offerCacheMount on: the mount without a sign",
     "FROM python\nRUN pip install a\n", 0, MOUNT_OK,
     {"mount": (f"FROM python\nRUN {ROOT_PIP} pip install a\n", 1)}),
    ("syntax directive is a BuildKit sign",
     SYNTAX + "FROM python\nRUN pip install a\n", 0, Check(),
     {"mount": (SYNTAX + f"FROM python\nRUN {ROOT_PIP} pip install a\n", 1)}),
    ("another --mount is a BuildKit sign; the new mount goes next to it",
     "FROM python\nRUN --mount=type=bind,target=/src pip install /src\n", 0, Check(),
     {"mount": (f"FROM python\nRUN {ROOT_PIP} --mount=type=bind,target=/src pip install /src\n", 1)}),
    ("a heredoc is a BuildKit sign",
     "FROM python\nRUN <<EOF\npip install a\nEOF\n", 0, Check(),
     {"mount": (f"FROM python\nRUN {ROOT_PIP} <<EOF\npip install a\nEOF\n", 1),
      "flag": ("FROM python\nRUN <<EOF\npip install --no-cache-dir a\nEOF\n", 1)}),
    ("a mount of another type on the cache directory: no second mount there",
     "FROM python\nRUN --mount=type=bind,target=/root/.cache/pip pip install a\n", 0, MOUNT_OK,
     {"mount": (None, 0), "flag": ("FROM python\nRUN --mount=type=bind,target=/root/.cache/pip pip install "
                                   "--no-cache-dir a\n", 1)}),
    ("CRLF file: the ENV line ends in CRLF",
     "FROM python\r\nRUN pip install a\r\n", 0, MOUNT_OK,
     {"env": ("FROM python\r\nENV PIP_NO_CACHE_DIR=1\r\nRUN pip install a\r\n", 1),
      "mount": (f"FROM python\r\nRUN {ROOT_PIP} pip install a\r\n", 1)}),
    ("FROM continued over lines: ENV after its last line",
     "FROM python \\\n    AS app\nRUN pip install a\n", 0, Check(),
     {"env": ("FROM python \\\n    AS app\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n", 1)}),
    ("indented FROM: the ENV line is indented like it",
     "  FROM python\nRUN pip install a\n", 0, Check(),
     {"env": ("  FROM python\n  ENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n", 1)}),
    ("RUN at the end of the file without newline",
     "FROM python\nRUN pip install a", 0, MOUNT_OK,
     {"env": ("FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a", 1),
      "mount": (f"FROM python\nRUN {ROOT_PIP} pip install a", 1)}),
    ("stage chain: the base's ENV fixes its findings and its descendants'",
     "FROM python AS base\nRUN pip install a\nFROM base AS build\nRUN pip install b\nFROM build\nRUN pip install c\n"
     "FROM python\nRUN pip install d\n", 0, Check(builder_stages="report"),
     {"env": ("FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\nFROM base AS build\nRUN pip install b\n"
              "FROM build\nRUN pip install c\nFROM python\nRUN pip install d\n", 3)}),
    ("stage chain: a descendant's ENV fixes it and its own descendants only",
     "FROM python AS base\nRUN pip install a\nFROM base AS build\nRUN pip install b\nFROM build\nRUN pip install c\n",
     1, Check(),
     {"env": ("FROM python AS base\nRUN pip install a\nFROM base AS build\nENV PIP_NO_CACHE_DIR=1\nRUN pip install b\n"
              "FROM build\nRUN pip install c\n", 2)}),
    ("numeric USER with group: uid and gid", SYNTAX + "FROM python\nENV HOME=/home/app\nUSER 1000:1001\nRUN pip install a\n",
     0, Check(),
     {"mount": (SYNTAX + "FROM python\nENV HOME=/home/app\nUSER 1000:1001\nRUN --mount=type=cache,"
                "target=/home/app/.cache/pip,uid=1000,gid=1001 pip install a\n", 1)}),
    ("named USER created with useradd -u", SYNTAX + "FROM python\nRUN useradd -m -u 1234 app\nUSER app\n"
     "ENV HOME=/home/app\nRUN pip install a\n", 0, Check(),
     {"mount": (SYNTAX + "FROM python\nRUN useradd -m -u 1234 app\nUSER app\nENV HOME=/home/app\nRUN --mount=type=cache,"
                "target=/home/app/.cache/pip,uid=1234 pip install a\n", 1)}),
    ("named USER:group from a base stage's adduser --uid and addgroup -g",
     SYNTAX + "FROM python AS base\nRUN addgroup -g 50 grp && adduser -D --uid=70 -G grp app\nFROM base\n"
     "USER app:grp\nENV HOME=/home/app\nRUN pip install a\n", 0, Check(),
     {"mount": (SYNTAX + "FROM python AS base\nRUN addgroup -g 50 grp && adduser -D --uid=70 -G grp app\nFROM base\n"
                "USER app:grp\nENV HOME=/home/app\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=70,gid=50 "
                "pip install a\n", 1)}),
    ("named USER whose uid is unknown: no mount", SYNTAX + "FROM python\nUSER app\nENV HOME=/home/app\nRUN pip install a\n",
     0, Check(), {"mount": (None, 0)}),
    ("useradd of another user gives no uid", SYNTAX + "FROM python\nRUN useradd -u 5 other\nUSER app\n"
     "ENV HOME=/home/app\nRUN pip install a\n", 0, Check(), {"mount": (None, 0)}),
    ("USER from an unknown variable: no mount", SYNTAX + "FROM python\nUSER $APP\nRUN pip install a\n", 0, Check(),
     {"mount": (None, 0)}),
    ("USER root needs no uid", SYNTAX + "FROM python\nUSER root\nRUN pip install a\n", 0, Check(),
     {"mount": (SYNTAX + f"FROM python\nUSER root\nRUN {ROOT_PIP} pip install a\n", 1)}),
    ("named USER without HOME: the directory is unknown, no mount",
     SYNTAX + "FROM python\nRUN useradd -u 9 app\nUSER app\nRUN pip install a\n", 0, Check(), {"mount": (None, 0)}),
    ("XDG_CACHE_HOME moves the cache", SYNTAX + "FROM python\nENV XDG_CACHE_HOME=/cache\nRUN pip install a\n", 0, Check(),
     {"mount": (SYNTAX + "FROM python\nENV XDG_CACHE_HOME=/cache\nRUN --mount=type=cache,target=/cache/pip "
                "pip install a\n", 1)}),
    ("PIP_CACHE_DIR moves it", SYNTAX + "FROM python\nENV PIP_CACHE_DIR=/tmp/pc\nRUN pip install a\n", 0, Check(),
     {"mount": (SYNTAX + "FROM python\nENV PIP_CACHE_DIR=/tmp/pc\nRUN --mount=type=cache,target=/tmp/pc pip install a\n", 1)}),
    ("UV_CACHE_DIR relative to WORKDIR", SYNTAX + "FROM python\nWORKDIR /app\nENV UV_CACHE_DIR=.uv\nRUN uv sync\n", 0,
     Check(),
     {"mount": (SYNTAX + "FROM python\nWORKDIR /app\nENV UV_CACHE_DIR=.uv\nRUN --mount=type=cache,target=/app/.uv uv sync\n",
                1),
      "env": (SYNTAX + "FROM python\nENV UV_NO_CACHE=1\nWORKDIR /app\nENV UV_CACHE_DIR=.uv\nRUN uv sync\n", 1),
      "flag": (SYNTAX + "FROM python\nWORKDIR /app\nENV UV_CACHE_DIR=.uv\nRUN uv sync --no-cache\n", 1)}),
    ("a cache directory with a comma: BuildKit's CSV would split it, no mount",
     SYNTAX + "FROM python\nENV PIP_CACHE_DIR=/a,b\nRUN pip install a\n", 0, Check(), {"mount": (None, 0)}),
    ("a cache directory with a blank: no mount",
     SYNTAX + "FROM python\nENV PIP_CACHE_DIR=\"/a b\"\nRUN pip install a\n", 0, Check(), {"mount": (None, 0)}),
    ("two findings of one rule in one RUN: one mount fixes both",
     SYNTAX + "FROM python\nRUN pip install a && pip install b\n", 1, Check(),
     {"mount": (SYNTAX + f"FROM python\nRUN {ROOT_PIP} pip install a && pip install b\n", 2),
      "flag": (SYNTAX + "FROM python\nRUN pip install a && pip install --no-cache-dir b\n", 1)}),
    ("pip and uv in one RUN: the uv mount is uv's only",
     SYNTAX + "FROM python\nRUN pip install a && uv pip install b\n", 1, Check(),
     {"mount": (SYNTAX + "FROM python\nRUN --mount=type=cache,target=/root/.cache/uv pip install a && uv pip install b\n",
                1),
      "env": (SYNTAX + "FROM python\nENV UV_NO_CACHE=1\nRUN pip install a && uv pip install b\n", 1)}),
    ("a RUN that already mounts pip's cache gets uv's next to it",
     "FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install a && uv pip install b\n", 0, Check(),
     {"mount": ("FROM python\nRUN --mount=type=cache,target=/root/.cache/uv --mount=type=cache,target=/root/.cache/pip "
                "pip install a && uv pip install b\n", 1)}),
    ("exec form", "FROM python\nRUN [\"pip\", \"install\", \"a\"]\n", 0, MOUNT_OK,
     {"flag": ("FROM python\nRUN [\"pip\", \"install\", \"--no-cache-dir\", \"a\"]\n", 1),
      "mount": (f"FROM python\nRUN {ROOT_PIP} [\"pip\", \"install\", \"a\"]\n", 1),
      "env": ("FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN [\"pip\", \"install\", \"a\"]\n", 1)}),
    ("RUN continued right after the keyword: the mount keeps a blank on both sides",
     "FROM python\nRUN \\\n  pip install a\n", 0, MOUNT_OK,
     {"mount": (f"FROM python\nRUN {ROOT_PIP} \\\n  pip install a\n", 1)}),
    ("sudo resets the environment: no ENV fix", "FROM python\nRUN sudo pip install a\n", 0, Check(),
     {"env": (None, 0), "flag": ("FROM python\nRUN sudo pip install --no-cache-dir a\n", 1)}),
    ("pip --isolated reads no PIP_*: no ENV fix", "FROM python\nRUN pip --isolated install a\n", 0, Check(),
     {"env": (None, 0)}),
    ("a later empty ENV PIP_NO_CACHE_DIR= wins: no ENV fix",
     "FROM python\nENV PIP_NO_CACHE_DIR=\nRUN pip install a\n", 0, Check(), {"env": (None, 0)}),
    ("uv: a later UV_NO_CACHE=0 wins: no ENV fix", "FROM python\nENV UV_NO_CACHE=0\nRUN uv sync\n", 0, Check(),
     {"env": (None, 0)}),
    ("a RUN before any FROM: no stage to set", "RUN pip install a\n", 0, Check(), {"env": (None, 0)}),
    ("honourEnv off: neither ENV nor a mount removes a finding", SYNTAX + "FROM python\nRUN pip install a\n", 0,
     Check(honour_env=False), {"env": (None, 0), "mount": (None, 0)}),
]


@pytest.mark.parametrize(("text", "nth", "check", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_strategy_exact(text: str, nth: int, check: Check, want: dict[str, tuple[str | None, int]]) -> None:
    got = offered(text, nth, check)
    for strategy, (result, claimed) in want.items():
        if result is None:
            assert strategy not in got, got.get(strategy)
        else:
            assert strategy in got, got
            assert got[strategy][1] == result
            assert got[strategy][2] == claimed


def test_order_and_titles() -> None:
    text = SYNTAX + "FROM python AS build\nRUN pip install a\nRUN pip install b\nFROM build\nRUN pip install c\n"
    got = offered(text, 1, Check(builder_stages="report"))
    assert list(got) == ["flag", "env", "mount"]
    assert [title for title, _, _ in got.values()] == [
        "Add --no-cache-dir",
        "Turn the pip cache off for stage 'build' (ENV PIP_NO_CACHE_DIR=1): fixes 3 findings",
        f"Use a BuildKit cache mount for the pip cache ({ROOT_PIP})",
    ]
    uv = offered("FROM python\nRUN uv sync\n", 0)
    assert [t for t, _, _ in uv.values()] == [
        "Add --no-cache", "Turn the uv cache off for stage '0' (ENV UV_NO_CACHE=1): fixes 1 finding",
        "Use a BuildKit cache mount for the uv cache (--mount=type=cache,target=/root/.cache/uv)"]


def test_env_claims_only_what_vanishes() -> None:
    """A finding of the stage that the ENV cannot reach (sudo) is not counted."""
    text = "FROM python\nRUN pip install a\nRUN sudo pip install b\n"
    assert offered(text, 0)["env"][2] == 1
    assert "env" not in offered(text, 1)


def test_lone_cr_line_model_is_kept() -> None:
    """The LSP model (a lone CR ends a line) verifies under that model."""
    text = "FROM python\nRUN pip install a\n"
    assert offered(text, 0, lone_cr=True)["env"][1] == "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n"


# --- whole-file fixing (check --fix --fix-strategy) ---------------------------------------------------

FILE = ("FROM python AS base\nRUN pip install a && pip install b\nRUN sudo pip install c\n"
        "FROM base\nRUN uv sync\n")
FIXED = {
    "flag": (FILE.replace("install a", "install --no-cache-dir a").replace("install b", "install --no-cache-dir b")
             .replace("install c", "install --no-cache-dir c").replace("uv sync", "uv sync --no-cache"), 4),
    "env": ("FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a && pip install b\nRUN sudo pip install c\n"
            "FROM base\nENV UV_NO_CACHE=1\nRUN uv sync\n", 3),
    "mount": (f"FROM python AS base\nRUN {ROOT_PIP} pip install a && pip install b\nRUN {ROOT_PIP} sudo pip install c\n"
              "FROM base\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n", 4),
}


@pytest.mark.parametrize("strategy", sorted(FIXED))
def test_whole_file(strategy: str) -> None:
    text, count = fix_text(FILE, strategy, Check(builder_stages="report", offer_cache_mount=True))
    assert (text, count) == FIXED[strategy]
    left = len(Document(text, lone_cr=False).findings())
    assert left == len(Document(FILE, lone_cr=False).findings()) - count
    assert fix_text(text, strategy, Check(offer_cache_mount=True)) == (text, 0)  # nothing more to do


def test_whole_file_env_once_per_stage_chain() -> None:
    text = "FROM python AS a\nRUN pip install x\nFROM a\nRUN pip install y\n"
    assert fix_text(text, "env")[0] == "FROM python AS a\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x\nFROM a\nRUN pip install y\n"


def test_whole_file_keeps_crlf() -> None:
    text = "FROM python\r\nRUN pip install a\r\n"
    assert fix_text(text, "env")[0] == "FROM python\r\nENV PIP_NO_CACHE_DIR=1\r\nRUN pip install a\r\n"


def test_whole_file_unknown_strategy() -> None:
    with pytest.raises(ValueError, match="unknown fix strategy"):
        Planner(Document("FROM python\nRUN pip install a\n")).for_file("magic")


def test_apply_edits_keeps_order_at_one_offset() -> None:
    assert apply_edits("ab", [Edit(1, 1, "x"), Edit(1, 1, "y"), Edit(0, 1, "A"), Edit(1, 1, "x")]) == "Axyb"


# --- the check refuses wrong fixes ---------------------------------------------------------------------


@pytest.fixture
def wrong() -> Iterator[None]:
    wrong_fix_rule.install()
    yield
    rules.unregister(wrong_fix_rule.RULE.code)


def test_refused_fixes_are_logged_and_not_offered(wrong: None) -> None:
    text = "FROM python\nRUN wrongtool install a\nRUN badtool install b\n"
    doc = Document(text)
    logged: list[str] = []
    first, second = doc.findings()
    got = remedies_for(doc, first, MOUNT_OK, logged.append)
    # the flag fixes nothing, the ENV value is one turns_off rejects; the mount is right
    assert [r.strategy for r in got] == ["mount"]
    assert logged == ["not offering the flag fix for wrong-fix on line 2: the finding it is for would remain",
                      "not offering the env fix for wrong-fix on line 2: the finding it is for would remain"]
    logged.clear()
    got = remedies_for(doc, second, MOUNT_OK, logged.append)
    assert [r.strategy for r in got] == ["mount"]
    assert logged[0] == "not offering the flag fix for wrong-fix on line 3: a pip-no-cache-dir finding would appear on line 3"
    # whole-file: nothing wrong is applied, the mount is
    fixed, count = fix_text(text, "flag", MOUNT_OK)
    assert (fixed, count) == (text, 0)
    fixed, count = fix_text(text, "mount", MOUNT_OK)
    assert count == 2 and fixed.count("--mount=type=cache,target=/root/.cache/wrong ") == 2


def test_extra_rule_without_off_value_gets_no_env_fix() -> None:
    sys.path.insert(0, str(Path(__file__).parent / "extra"))
    import apk_rule

    apk_rule.install()
    try:
        doc = Document("FROM alpine\nRUN apk add curl\n")
        assert [r.strategy for r in remedies_for(doc, doc.findings()[0], MOUNT_OK)] == ["flag", "mount"]
    finally:
        rules.unregister(apk_rule.RULE.code)
