"""The hover's explanations (``explain.py``), table-driven: each row a Dockerfile, where to look, and lines it must say.

Rows cover every exemption the stage fold checks and why it misses (the off variable unset, read as
"cache on", empty, set in a stage this one is not built on, after the RUN, a global ARG, reset by
sudo or ``env -i``, ignored by ``--isolated`` or a ``--cache-dir``), the flag, mounts (wrong target,
relative target and WORKDIR, a bind mount), cleanups (not always run, the wrong path, before the
command), configuration, where the cache directory comes from, builder stages, both rules, and the
exemptions themselves under the cursor.  Lines are compared whole (``Explanation.plain``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pip_cache_lsp import rules
from pip_cache_lsp.document import Document
from pip_cache_lsp.explain import Explanation, explain_at, explain_finding

sys.path.insert(0, str(Path(__file__).parent / "extra"))

import apk_rule  # noqa: E402

PIP_DOCS = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/pip-no-cache-dir.md"
UV_DOCS = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/uv-no-cache.md"


def finding_explained(text: str, needle: str, honour_env: bool = True) -> Explanation:
    doc = Document(text)
    start = text.index(needle)
    finding = next(f for f in doc.findings(honour_env) if f.start == start)
    explanation = explain_finding(doc, finding, finding.severity, honour_env)
    assert explanation is not None
    assert (explanation.start, explanation.end) == (finding.start, finding.end)
    return explanation


def lines(explanation: Explanation) -> list[str]:
    return explanation.plain().splitlines()


FINDINGS = [
    ("off variable unset", "FROM python:3.12\nRUN pip install flask\n", "pip install", [
        "- Command: pip install flask (line 2)",
        "- Stage: stage 0, FROM python:3.12 (line 1)",
        "- User: root (no USER: the default)",
        "- Cache directory: /root/.cache/pip — $HOME/.cache/pip, with root's home /root",
        "- PIP_NO_CACHE_DIR: not set in this stage",
        "- Flag: --no-cache-dir is not on the command",
        "- Mounts: none on this RUN",
        "- Cleanup: none later in this RUN (a cleanup in a later RUN cannot shrink this layer)",
        "- Configuration: nothing written in the image turns the cache off (read: global/pip/global, "
        "global/pip/install, site/pip/global, site/pip/install, user/pip/global, user/pip/install)",
        "- Stage 0 reaches the final image",
    ]),
    ("uv reads 0 as cache on", "FROM python:3.12\nENV UV_NO_CACHE=0\nRUN uv sync\n", "uv sync", [
        "- UV_NO_CACHE: set to 0 by ENV UV_NO_CACHE on line 2 (stage 0), which uv reads as 'cache on'",
        "- Flag: --no-cache is not on the command",
        "- Cache directory: /root/.cache/uv — $HOME/.cache/uv, with root's home /root",
    ]),
    ("uv reads FALSE (an ARG) as cache on", "FROM python:3.12\nARG UV_NO_CACHE=FALSE\nRUN uv pip install x\n", "uv pip",
     ["- UV_NO_CACHE: set to FALSE by ARG UV_NO_CACHE on line 2 (stage 0), which uv reads as 'cache on'"]),
    ("pip ignores an empty value", 'FROM python:3.12\nENV PIP_NO_CACHE_DIR=""\nRUN pip install flask\n', "pip", [
        '- PIP_NO_CACHE_DIR: set to "" by ENV PIP_NO_CACHE_DIR on line 2 (stage 0), an empty value, '
        "which pip does not read as 'cache off'",
    ]),
    ("set in a stage this one is not built on",
     "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=0\nFROM python:3.12\nRUN pip install flask\n", "pip", [
         "- Stage: stage 1, FROM python:3.12 (line 3)",
         "- PIP_NO_CACHE_DIR: not set in this stage",
         "- Elsewhere: PIP_NO_CACHE_DIR=0: ENV on line 2 in stage base, which pip reads as 'cache off' — "
         "not reached here: this stage is FROM python:3.12 (line 3), not built on base",
     ]),
    ("inherited through FROM <stage>, the cache directory too",
     "FROM python:3.12 AS base\nENV PIP_CACHE_DIR=/opt/pc PIP_NO_CACHE_DIR=\nFROM base AS app\nRUN pip install x\n",
     "pip", [
         "- Stage: app (stage 1), FROM base AS app (line 3); built on base",
         "- Cache directory: /opt/pc — from ENV PIP_CACHE_DIR on line 2 (stage base)",
         '- PIP_NO_CACHE_DIR: set to "" by ENV PIP_NO_CACHE_DIR on line 2 (stage base), an empty value, '
         "which pip does not read as 'cache off'",
         "- Use a BuildKit cache mount for the pip cache: RUN --mount=type=cache,target=/opt/pc",
     ]),
    ("set after the RUN", "FROM python:3.12\nRUN pip install flask\nENV PIP_NO_CACHE_DIR=1\n", "pip",
     ["- Elsewhere: PIP_NO_CACHE_DIR=1: ENV on line 3, which pip reads as 'cache off' — after this RUN"]),
    ("overridden later in the stage's chain",
     "FROM python:3.12\nENV UV_NO_CACHE=1\nENV UV_NO_CACHE=no\nRUN uv sync\n", "uv", [
         "- UV_NO_CACHE: set to no by ENV UV_NO_CACHE on line 3 (stage 0), which uv reads as 'cache on'",
         "- Elsewhere: UV_NO_CACHE=1: ENV on line 2, which uv reads as 'cache off' — overridden by a later setting",
     ]),
    ("an ARG of the base stage reaches a stage built on it (here empty)",
     "FROM python:3.12 AS base\nARG PIP_NO_CACHE_DIR=\nFROM base\nRUN pip install x\n", "pip", [
         "- PIP_NO_CACHE_DIR: set to \"\" by ARG PIP_NO_CACHE_DIR on line 2 (stage base), an empty value, "
         "which pip does not read as 'cache off'",
     ]),
    ("a global ARG not declared again", "ARG PIP_NO_CACHE_DIR=1\nFROM python:3.12\nRUN pip install flask\n", "pip", [
        "- Elsewhere: PIP_NO_CACHE_DIR=1: a global ARG on line 1, which pip reads as 'cache off' — not seen here: "
        "a stage sees a global ARG only after declaring it again (ARG PIP_NO_CACHE_DIR)",
    ]),
    ("sudo resets the environment", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN sudo pip install flask\n",
     "pip install", [
         "- Command: pip install flask (line 3)",
         "- PIP_NO_CACHE_DIR: set to 1 by ENV PIP_NO_CACHE_DIR on line 2 (stage 0), but sudo resets the environment "
         "(sudo's env_reset, env -i): the command does not see it",
     ]),
    ("env -i clears it", "FROM python:3.12\nENV UV_NO_CACHE=1\nRUN env -i uv sync\n", "uv sync", [
        "- UV_NO_CACHE: set to 1 by ENV UV_NO_CACHE on line 2 (stage 0), but env -i resets the environment "
        "(sudo's env_reset, env -i): the command does not see it",
    ]),
    ("the command's own environment", "FROM python:3.12\nRUN UV_NO_CACHE=off uv sync\n", "uv sync",
     ["- UV_NO_CACHE: set to off in the command's own environment, which uv reads as 'cache on'"]),
    ("a plain shell assignment is not exported", "FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1; pip install x\n",
     "pip install", ["- PIP_NO_CACHE_DIR: the script assigns 1 without exporting it, so the command does not see it "
                     "(the stage does not set it)"]),
    ("a plain shell assignment over the stage's exported value",
     "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN PIP_NO_CACHE_DIR=; pip install x\n", "pip install",
     ["- PIP_NO_CACHE_DIR: the script assigns \"\" before the command, an empty value, which pip does not read as "
      "'cache off'"]),
    ("pip --isolated reads no variable",
     "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install --isolated flask\n", "pip", [
         "- Cache directory: /root/.cache/pip — $HOME/.cache/pip, with root's home /root "
         "(the command ignores PIP_CACHE_DIR)",
         "- PIP_NO_CACHE_DIR: not read — an option on the command line (--isolated) makes the tool ignore its "
         "environment variables",
         "- Elsewhere: PIP_NO_CACHE_DIR=1: ENV on line 2 — not what this command reads",
     ]),
    ("a later --cache-dir wins, relative to WORKDIR",
     "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nWORKDIR /app\nRUN pip install --cache-dir c flask\n", "pip", [
         "- Cache directory: /app/c — from the command line's --cache-dir c, relative, resolved against WORKDIR /app",
         "- PIP_NO_CACHE_DIR: not read — the command line's --cache-dir c overrides the environment",
     ]),
    ("uv's --cache-dir", "FROM python:3.12\nRUN uv --cache-dir=/uvc sync\n", "uv",
     ["- Cache directory: /uvc — from the command line's --cache-dir=/uvc"]),
    ("a cache mount on another directory",
     "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv pip install flask\n", "pip", [
         "- Mount --mount=type=cache,target=/root/.cache/uv: on /root/.cache/uv, which is neither /root/.cache/pip "
         "nor a parent of it",
     ]),
    ("a relative mount target and WORKDIR",
     "FROM python:3.12\nWORKDIR /app\nRUN --mount=type=cache,target=.cache/pip pip install flask\n", "pip install", [
         "- Mount --mount=type=cache,target=.cache/pip: on /app/.cache/pip (relative: resolved against WORKDIR /app), "
         "which is neither /root/.cache/pip nor a parent of it",
     ]),
    ("a bind mount keeps nothing out",
     "FROM python:3.12\nRUN --mount=type=bind,target=/root/.cache/pip pip install flask\n", "pip install", [
         "- Mount --mount=type=bind,target=/root/.cache/pip: a type=bind mount keeps nothing out of the layer "
         "(only cache and tmpfs do)",
     ]),
    ("a cleanup that does not always run", "FROM python:3.12\nRUN pip install flask || rm -rf /root/.cache/pip\n",
     "pip", [
         "- Cleanup rm -rf /root/.cache/pip (line 2): does not always run (after ||, in a condition or a pipeline), "
         "so the cache may stay",
     ]),
    ("a cleanup of another tool's cache", "FROM python:3.12\nRUN uv sync && rm -rf /root/.cache/pip\n", "uv", [
        "- Cleanup rm -rf /root/.cache/pip (line 2): removes /root/.cache/pip, which is neither /root/.cache/uv "
        "nor a parent of it",
    ]),
    ("a cleanup before the command", "FROM python:3.12\nRUN pip cache purge && pip install flask\n", "pip install",
     ["- Cleanup pip cache purge (line 2): runs before the command, so it empties nothing it left"]),
    ("an incomplete cleanup", "FROM python:3.12\nRUN uv sync && uv cache prune --ci\n", "uv sync",
     ["- Cleanup uv cache prune --ci (line 2): uv cache prune --ci keeps the wheels uv built from source"]),
    ("configuration that does not turn it off",
     'FROM python:3.12\nRUN pip config set global.no-cache-dir ""\nRUN pip install flask\n', "pip install",
     ["- Configuration user/pip/global: \"\", an empty value, which pip does not read as 'cache off'"]),
    ("a builder stage", "FROM python:3.12 AS build\nRUN pip install flask\nFROM python:3.12-slim\nCOPY --from=build /app /app\n",
     "pip", [
         "- Stage: build (stage 0), FROM python:3.12 AS build (line 1)",
         "- Stage build does not reach the final image (the last stage, 1): a builder stage, and no COPY --from "
         "ships its cache",
     ]),
    ("a builder stage whose cache a COPY ships",
     "FROM python:3.12 AS build\nRUN pip install flask\nFROM python:3.12-slim\nCOPY --from=build /root /root\n", "pip",
     ["- Stage build does not reach the final image (the last stage, 1), but a COPY --from ships its cache directory"]),
    ("XDG_CACHE_HOME", "FROM python:3.12\nENV XDG_CACHE_HOME=/xdg\nRUN uv sync\n", "uv",
     ["- Cache directory: /xdg/uv — $XDG_CACHE_HOME/uv, from ENV XDG_CACHE_HOME on line 2 (stage 0)"]),
    ("HOME from ENV, a named user", "FROM python:3.12\nENV HOME=/home/app\nUSER app\nRUN pip install flask\n", "pip", [
        "- User: app (USER on line 3)",
        "- Cache directory: /home/app/.cache/pip — $HOME/.cache/pip, with HOME from ENV HOME on line 2 (stage 0)",
    ]),
    ("a named user's unknown home", "FROM python:3.12\nUSER app\nRUN pip install flask\n", "pip", [
        "- Cache directory: unknown — $HOME/.cache/pip for user app whose home the Dockerfile does not set "
        "(no ENV HOME); the rule assumes a .cache under some home",
    ]),
    ("UV_CACHE_DIR from an ARG", "FROM python:3.12\nARG UV_CACHE_DIR=/uvc\nRUN uv sync\n", "uv sync",
     ["- Cache directory: /uvc — from ARG UV_CACHE_DIR on line 2 (stage 0)"]),
    ("a continued command, as written", "FROM python:3.12\nRUN pip install `cat reqs` \\\n    flask\n", "pip",
     ["- Command: pip install `cat reqs` flask (line 2)"]),
    ("no FROM", "RUN pip install x\n", "pip", [
        "- Stage: none (no FROM before this RUN)",
        "- No FROM before this RUN: it is checked as part of the final image",
    ]),
    ("a mount target with a variable the Dockerfile does not set",
     "FROM python\nRUN --mount=type=cache,target=$HOME/.cache pip install x\n", "pip install",
     ["- Mount --mount=type=cache,target=$HOME/.cache: its target $HOME/.cache uses a variable the Dockerfile "
      "does not set"]),
    ("a mount on root's cache for a user whose HOME is elsewhere",
     "FROM python\nENV HOME=/h\nRUN --mount=type=cache,target=/root/.cache pip install x\n", "pip install",
     ["- Mount --mount=type=cache,target=/root/.cache: on /root/.cache, which is neither /h/.cache/pip nor a parent "
      "of it"]),
    ("a heredoc script", "FROM python\nRUN <<EOF\npip install x\nrm -rf /tmp/y\nEOF\n", "pip", [
        "- Command: pip install x (line 3)",
        "- Cleanup rm -rf /tmp/y (line 4): removes /tmp/y, which is neither /root/.cache/pip nor a parent of it",
    ]),
    ("a command named by a variable", "FROM python\nARG PIP=pip\nRUN $PIP install x\n", "$PIP",
     ["- Command: $PIP install x (line 3)"]),
    ("sh -c", "FROM python\nRUN sh -c 'pip install x'\n", "pip", ["- Command: pip install x (line 2)"]),
    ("honourEnv off", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n", "pip", [
        "- honourEnv is off: the environment, mounts and cleanups are not consulted; every such command is reported",
        "- PIP_NO_CACHE_DIR: set to 1 by ENV PIP_NO_CACHE_DIR on line 2 (stage 0), which pip reads as 'cache off'",
    ]),
]


@pytest.mark.parametrize("text, needle, expected", [row[1:] for row in FINDINGS], ids=[row[0] for row in FINDINGS])
def test_finding_explained(text: str, needle: str, expected: list[str]) -> None:
    said = lines(finding_explained(text, needle, honour_env="honourEnv" not in "".join(expected)))
    missing = [line for line in expected if line not in said]
    assert not missing, "\n".join(["missing:", *missing, "said:", *said])


def test_headline_fixes_and_link() -> None:
    text = "FROM python:3.12 AS base\nRUN pip install flask\n"
    explanation = finding_explained(text, "pip")
    said = lines(explanation)
    assert said[0] == ("pip-no-cache-dir (warning): pip install without --no-cache-dir: pip's download cache stays in "
                       "the image layer; add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)")
    fixes = said[said.index("Fixes:") + 1:]
    assert fixes[:3] == [
        "- Add --no-cache-dir to the command (quick fix: Add --no-cache-dir)",
        "- Turn the pip cache off for the stage: ENV PIP_NO_CACHE_DIR=1 after the stage's FROM (line 1)",
        "- Use a BuildKit cache mount for the pip cache: RUN --mount=type=cache,target=/root/.cache/pip",
    ]
    assert said[-1] == f"- Rule page: pip-no-cache-dir: {PIP_DOCS}"
    assert [s.heading for s in explanation.sections] == ["What it saw", "Exemptions checked", "Image", "Fixes", ""]
    uv = lines(finding_explained("FROM python:3.12\nRUN uv sync\n", "uv"))
    assert "- Turn the uv cache off for the stage: ENV UV_NO_CACHE=1 after the stage's FROM (line 1)" in uv and uv[-1] == f"- Rule page: uv-no-cache: {UV_DOCS}"


def test_exec_form_flag_is_the_option_not_the_json() -> None:
    said = lines(finding_explained('FROM python:3.12\nRUN ["pip", "install", "flask"]\n', "\"pip"))
    assert "- Flag: --no-cache-dir is not on the command" in said


@pytest.fixture
def apk() -> Iterator[None]:
    apk_rule.install()
    yield
    rules.unregister(apk_rule.RULE.code)


def test_a_registered_rule_speaks_from_its_declarations(apk: None) -> None:
    text = "FROM alpine\nENV APK_TEST_NO_CACHE=0\nRUN apk add curl\n"
    said = lines(finding_explained(text, "apk add"))
    assert said[0].startswith("apk-no-cache (error): apk add without --no-cache")
    for line in ["- APK_TEST_NO_CACHE: set to 0 by ENV APK_TEST_NO_CACHE on line 2 (stage 0), which apk reads as "
                 "'cache on'",
                 "- Cache directory: /root/.cache/apk — $HOME/.cache/apk, with root's home /root",
                 "- Flag: --no-cache is not on the command",
                 "- Rule page: apk-no-cache: https://example.invalid/apk-no-cache"]:
        assert line in said
    assert not any("pip" in line.lower() for line in said)
    assert not any("Turn the apk cache off" in line for line in said)  # it declares no off_value: no such fix
    hovered = explain_at(Document(text), text.index("APK_TEST"))
    assert hovered is not None and lines(hovered)[0] == "ENV APK_TEST_NO_CACHE: the off variable of apk-no-cache"


# -- exemptions under the cursor: (Dockerfile, where, the hovered text, lines) -------------------------------------

EXEMPTIONS = [
    ("ENV: the commands it turns off, in this stage and those built on it",
     "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\nFROM base\nRUN pip install b && uv sync\n"
     "FROM python:3.12\nRUN pip install c\n", "NO_CACHE_DIR=1", "PIP_NO_CACHE_DIR=1", [
         "ENV PIP_NO_CACHE_DIR: the off variable of pip-no-cache-dir",
         "- Value 1, which pip reads as 'cache off'",
         "- It turns off the cache of 2 command(s) of pip-no-cache-dir in stage base and the stages built on it",
         "- pip install (line 3)",
         "- pip install (line 5)",
     ]),
    ("the second word of an ENV", "FROM python:3.12\nENV A=1 PIP_NO_CACHE_DIR=1\nRUN pip install a\n",
     "PIP_NO", "PIP_NO_CACHE_DIR=1", ["- Value 1, which pip reads as 'cache off'"]),
    ("a spelling pip folds", "FROM python:3.12\nENV PIP_no_cache_dir=yes\nRUN pip install a\n", "PIP_no",
     "PIP_no_cache_dir=yes", [
         "- pip reads PIP_no_cache_dir as PIP_NO_CACHE_DIR",
         "- It turns off the cache of 1 command(s) of pip-no-cache-dir in stage 0 and the stages built on it",
     ]),
    ("legacy ENV syntax, uv's false", "FROM python:3.12\nENV UV_NO_CACHE false\nRUN uv sync\n", "UV_NO",
     "UV_NO_CACHE false", [
         "- Value false, which uv reads as 'cache on'",
         "- It does not turn off the cache of 1 command(s) of uv-no-cache in stage 0 and the stages built on it",
         "- uv sync (line 3)",
     ]),
    ("an ARG without a default", "FROM python:3.12\nARG PIP_NO_CACHE_DIR\nRUN pip install a\n", "PIP_NO",
     "PIP_NO_CACHE_DIR", ["- No value here (an ARG without a default): the build may pass one with --build-arg"]),
    ("a global ARG", "ARG UV_NO_CACHE=1\nFROM python:3.12\nRUN uv sync\n", "UV_NO", "UV_NO_CACHE=1",
     ["- A global ARG: stages see it only after declaring it again (ARG UV_NO_CACHE)"]),
    ("commands that do not see it",
     "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\nRUN sudo pip install s\nENV PIP_NO_CACHE_DIR=\n"
     "RUN pip install b\n", "PIP_NO", "PIP_NO_CACHE_DIR=1", [
         "- It turns off the cache of 1 command(s) of pip-no-cache-dir in stage 0 and the stages built on it",
         "- pip install (line 3)",
         "- pip install (line 4): its environment is reset (sudo, env -i)",
         "- pip install (line 6): overridden by line 5",
     ]),
    ("a cache mount holding both tools' caches",
     "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install a && uv sync\n", "type=cache",
     "--mount=type=cache,target=/root/.cache", [
         "- Keeps pip's cache out of the layer for pip install (line 2; pip-no-cache-dir): on /root/.cache, which is "
         "the cache directory /root/.cache/pip or a parent of it",
         "- Keeps uv's cache out of the layer for uv sync (line 2; uv-no-cache): on /root/.cache, which is the cache "
         "directory /root/.cache/uv or a parent of it",
     ]),
    ("a cache mount on another directory",
     "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv pip install a\n", "--mount",
     "--mount=type=cache,target=/root/.cache/uv", [
         "- Holds nothing for pip install (line 2; pip-no-cache-dir): on /root/.cache/uv, which is neither "
         "/root/.cache/pip nor a parent of it",
     ]),
    ("a relative tmpfs target and WORKDIR",
     "FROM python:3.12\nWORKDIR /root\nRUN --mount=type=tmpfs,target=.cache/pip pip install a\n", "target",
     "--mount=type=tmpfs,target=.cache/pip", [
         "- Keeps pip's cache out of the layer for pip install (line 3; pip-no-cache-dir): on /root/.cache/pip "
         "(relative: resolved against WORKDIR /root), which is the cache directory /root/.cache/pip or a parent of it",
     ]),
    ("the second mount of a continued RUN",
     "FROM python:3.12\nRUN --mount=type=secret,id=x \\\n    --mount=type=bind,target=/src pip install /src\n",
     "type=bind", "--mount=type=bind,target=/src",
     ["- A type=bind mount keeps nothing out of the layer: only cache and tmpfs mounts hold a tool's cache"]),
    ("a mount where no rule's command runs",
     "FROM python:3.12\nRUN --mount=type=cache,target=/var/cache/apt apt-get install x\n", "--mount",
     "--mount=type=cache,target=/var/cache/apt", ["- No command of a checked rule in this RUN uses a cache"]),
    ("rm of pip's cache", "FROM python:3.12\nRUN pip install a && uv sync && rm -rf /root/.cache/pip\n", "rm -rf",
     "rm -rf /root/.cache/pip", [
         "rm -rf /root/.cache/pip: a cleanup",
         "- pip-no-cache-dir: removes /root/.cache/pip, the cache directory or a parent of it",
         "- uv-no-cache: removes /root/.cache/pip, which is neither /root/.cache/uv nor a parent of it",
         "Commands before it in this RUN that it exempts:",
         "- pip install (line 2)",
     ]),
    ("rm of ~/.cache", "FROM python:3.12\nRUN pip install a && uv sync && rm -rf ~/.cache\n", "~/.cache",
     "rm -rf ~/.cache", ["- pip install (line 2)", "- uv sync (line 2)"]),
    ("rm that does not always run", "FROM python:3.12\nRUN pip install a || rm -rf /root/.cache/pip\n", "rm",
     "rm -rf /root/.cache/pip", [
         "- It does not always run (after ||, in a condition or a pipeline): it exempts nothing",
         "- It exempts none of the commands before it in this RUN",
     ]),
    ("rm of the directory a tool reports", 'FROM python\nRUN pip install a && uv sync && rm -rf "$(uv cache dir)"\n',
     "rm -rf", 'rm -rf "$(uv cache dir)"', [
         "- pip-no-cache-dir: removes the cache directory uv reports, not this one",
         "- uv-no-cache: removes the tool's own cache directory",
         "- uv sync (line 2)",
     ]),
    ("pip cache purge", "FROM python:3.12\nRUN pip install a && pip cache purge\n", "purge", "pip cache purge",
     ["- Empties pip's cache (pip-no-cache-dir)", "- pip install (line 2)"]),
    ("uv cache clean", "FROM python:3.12\nRUN uv sync && uv cache clean\n", "uv cache", "uv cache clean",
     ["- Empties uv's cache (uv-no-cache)", "- uv sync (line 2)"]),
]


@pytest.mark.parametrize("text, needle, hovered, expected", [row[1:] for row in EXEMPTIONS],
                         ids=[row[0] for row in EXEMPTIONS])
def test_exemption_explained(text: str, needle: str, hovered: str, expected: list[str]) -> None:
    doc = Document(text)
    explanation = explain_at(doc, text.index(needle))
    assert explanation is not None
    assert text[explanation.start:explanation.end] == hovered
    for at in (explanation.start, explanation.end - 1):  # its first and last character explain the same
        assert explain_at(doc, at) == explanation
    after = explain_at(doc, explanation.end)  # the character after it explains something else, if anything
    assert after is None or after.start >= explanation.end
    said = lines(explanation)
    missing = [line for line in expected if line not in said]
    assert not missing, "\n".join(["missing:", *missing, "said:", *said])


@pytest.mark.parametrize("text, needle", [
    ("FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n", "ENV"),  # the keyword
    ("FROM python:3.12\nENV A=1 PIP_NO_CACHE_DIR=1\nRUN pip install a\n", "A=1"),  # another variable
    ("FROM python:3.12\nENV pip_no_cache_dir=1\nRUN pip install a\n", "pip_no"),  # pip reads only PIP_ names
    ("FROM python:3.12\nRUN pip install a && echo hi\n", "echo"),  # a plain command
    ("FROM python:3.12\nRUN pip install a\n", "python"),  # FROM
    ("FROM python:3.12\nRUN --mount=type=cache,target=/x pip install a\n", "RUN"),  # the keyword, not the mount
    ("FROM python:3.12\n\n# a comment\n", "comment"),
])
def test_nothing_to_explain(text: str, needle: str) -> None:
    assert explain_at(Document(text), text.index(needle)) is None


def test_exemptions_of_unselected_rules_are_not_explained() -> None:
    text = "FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv sync && uv cache clean\n"
    doc = Document(text)
    assert explain_at(doc, text.index("UV_NO"), frozenset({"pip-no-cache-dir"})) is None
    assert explain_at(doc, text.index("uv cache"), frozenset({"pip-no-cache-dir"})) is None
    assert explain_at(doc, text.index("UV_NO"), frozenset({"uv-no-cache"})) is not None
