"""The uv-no-cache rule, case by case (issue 14, section 1): exact ranges and exact fixed text.

Each ``caught`` case lists its findings as ``(line, column, end_line, end_column)``
(0-based, code points, end exclusive) and the text after applying every fix;
each ``clean`` case must produce no finding.  Every caught case also checks
that the fixed text is clean and that fixing is idempotent.  Only uv-no-cache is
selected here, except where a case says it checks both rules.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pip_cache_lsp.document import Document
from pip_cache_lsp.fix import apply_fixes
from pip_cache_lsp.rules import by_code, uv_no_cache
from rule_table import Range, assert_caught
from rule_table import ranges as table_ranges

UV = frozenset({"uv-no-cache"})
PIP = frozenset({"pip-no-cache-dir"})
BOTH = UV | PIP

def ranges(doc: Document, selected: frozenset[str] = UV) -> list[Range]:
    return table_ranges(doc, selected)


CAUGHT: list[tuple[str, str, list[Range], str]] = [
    ("uv pip install", "RUN uv pip install x\n", [(0, 4, 0, 18)],
     "RUN uv pip install --no-cache x\n"),
    ("uv pip sync", "RUN uv pip sync requirements.txt\n", [(0, 4, 0, 15)],
     "RUN uv pip sync --no-cache requirements.txt\n"),
    ("uv pip compile", "RUN uv pip compile r.in -o r.txt\n", [(0, 4, 0, 18)],
     "RUN uv pip compile --no-cache r.in -o r.txt\n"),
    ("uv sync", "RUN uv sync\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache\n"),
    ("uv sync --frozen", "RUN uv sync --frozen --no-dev\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache --frozen --no-dev\n"),
    ("uv add", "RUN uv add requests\n", [(0, 4, 0, 10)],
     "RUN uv add --no-cache requests\n"),
    ("uv remove", "RUN uv remove requests\n", [(0, 4, 0, 13)],
     "RUN uv remove --no-cache requests\n"),
    ("uv lock", "RUN uv lock\n", [(0, 4, 0, 11)],
     "RUN uv lock --no-cache\n"),
    ("uv export", "RUN uv export -o r.txt\n", [(0, 4, 0, 13)],
     "RUN uv export --no-cache -o r.txt\n"),
    ("uv build", "RUN uv build --wheel\n", [(0, 4, 0, 12)],
     "RUN uv build --no-cache --wheel\n"),
    ("uv tool install", "RUN uv tool install ruff\n", [(0, 4, 0, 19)],
     "RUN uv tool install --no-cache ruff\n"),
    ("uv tool run", "RUN uv tool run ruff check .\n", [(0, 4, 0, 15)],
     "RUN uv tool run --no-cache ruff check .\n"),
    ("uvx: fix before the tool", "RUN uvx ruff check .\n", [(0, 4, 0, 7)],
     "RUN uvx --no-cache ruff check .\n"),
    ("uv run: fix after run", "RUN uv run python x.py\n", [(0, 4, 0, 10)],
     "RUN uv run --no-cache python x.py\n"),
    ("uv venv --seed", "RUN uv venv --seed /opt/venv\n", [(0, 4, 0, 11)],
     "RUN uv venv --no-cache --seed /opt/venv\n"),
    ("global option before the subcommand", "RUN uv --quiet sync\n", [(0, 4, 0, 19)],
     "RUN uv --quiet sync --no-cache\n"),
    ("global option with a value", "RUN uv --directory /app sync\n", [(0, 4, 0, 28)],
     "RUN uv --directory /app sync --no-cache\n"),
    ("by absolute path", "RUN /usr/local/bin/uv sync\n", [(0, 4, 0, 26)],
     "RUN /usr/local/bin/uv sync --no-cache\n"),
    ("by ~/.local/bin", "RUN ~/.local/bin/uv pip install x\n", [(0, 4, 0, 31)],
     "RUN ~/.local/bin/uv pip install --no-cache x\n"),
    ("python -m uv", "RUN python -m uv pip install x\n", [(0, 4, 0, 28)],
     "RUN python -m uv pip install --no-cache x\n"),
    ("python3.12 -m uv", "RUN python3.12 -m uv sync\n", [(0, 4, 0, 25)],
     "RUN python3.12 -m uv sync --no-cache\n"),
    ("sudo", "RUN sudo -u app uv sync\n", [(0, 16, 0, 23)],
     "RUN sudo -u app uv sync --no-cache\n"),
    ("env wrapper", "RUN env A=1 uv sync\n", [(0, 12, 0, 19)],
     "RUN env A=1 uv sync --no-cache\n"),
    ("xargs", "RUN cat r.txt | xargs uv pip install\n", [(0, 22, 0, 36)],
     "RUN cat r.txt | xargs uv pip install --no-cache\n"),
    ("sh -c", 'RUN sh -c "uv sync"\n', [(0, 11, 0, 18)],
     'RUN sh -c "uv sync --no-cache"\n'),
    ("exec form", 'RUN ["uv", "sync"]\n', [(0, 5, 0, 17)],
     'RUN ["uv", "sync", "--no-cache"]\n'),
    ("exec form uvx", 'RUN ["uvx", "ruff", "check"]\n', [(0, 5, 0, 10)],
     'RUN ["uvx", "--no-cache", "ruff", "check"]\n'),
    ("heredoc", "RUN <<EOF\nset -e\nuv sync\nEOF\n", [(2, 0, 2, 7)],
     "RUN <<EOF\nset -e\nuv sync --no-cache\nEOF\n"),
    ("nice", "RUN nice -n 5 uv sync\n", [(0, 14, 0, 21)],
     "RUN nice -n 5 uv sync --no-cache\n"),
    ("time", "RUN time uv sync\n", [(0, 9, 0, 16)],
     "RUN time uv sync --no-cache\n"),
    ("timeout", "RUN timeout 60 uv sync\n", [(0, 15, 0, 22)],
     "RUN timeout 60 uv sync --no-cache\n"),
    ("nohup", "RUN nohup uv sync\n", [(0, 10, 0, 17)],
     "RUN nohup uv sync --no-cache\n"),
    ("exec", "RUN exec uv sync\n", [(0, 9, 0, 16)],
     "RUN exec uv sync --no-cache\n"),
    ("command", "RUN command uv sync\n", [(0, 12, 0, 19)],
     "RUN command uv sync --no-cache\n"),
    ("stdbuf", "RUN stdbuf -o0 uv sync\n", [(0, 15, 0, 22)],
     "RUN stdbuf -o0 uv sync --no-cache\n"),
    ("doas", "RUN doas -u app uv sync\n", [(0, 16, 0, 23)],
     "RUN doas -u app uv sync --no-cache\n"),
    ("bash -ec", 'RUN bash -ec "uv sync"\n', [(0, 14, 0, 21)],
     'RUN bash -ec "uv sync --no-cache"\n'),
    ("heredoc to bash", "RUN bash <<EOF\nuv sync\nEOF\n", [(1, 0, 1, 7)],
     "RUN bash <<EOF\nuv sync --no-cache\nEOF\n"),
    ("heredoc, marker before the shell", "RUN <<EOF bash\nuv sync\nEOF\n", [(1, 0, 1, 7)],
     "RUN <<EOF bash\nuv sync --no-cache\nEOF\n"),
    ("exec form sh -c", 'RUN ["sh", "-c", "uv sync"]\n', [(0, 18, 0, 25)],
     'RUN ["sh", "-c", "uv sync --no-cache"]\n'),
    ("exec form python -m uv", 'RUN ["python", "-m", "uv", "sync"]\n', [(0, 5, 0, 33)],
     'RUN ["python", "-m", "uv", "sync", "--no-cache"]\n'),
    ("exec form uv run", 'RUN ["uv", "run", "python", "x"]\n', [(0, 5, 0, 16)],
     'RUN ["uv", "run", "--no-cache", "python", "x"]\n'),
    ("command substitution", "RUN echo $(uv pip compile r.in)\n", [(0, 11, 0, 25)],
     "RUN echo $(uv pip compile --no-cache r.in)\n"),
    ("uv cache clean in the background", "RUN uv sync && uv cache clean &\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache && uv cache clean &\n"),
    ("and-list, both", "RUN uv sync && uv pip install x\n", [(0, 4, 0, 11), (0, 15, 0, 29)],
     "RUN uv sync --no-cache && uv pip install --no-cache x\n"),
    ("uvx: the tool's own --no-cache", "RUN uvx ruff check --no-cache .\n", [(0, 4, 0, 7)],
     "RUN uvx --no-cache ruff check --no-cache .\n"),
    ("uv tool run: the tool's own -n", "RUN uv tool run ruff -n\n", [(0, 4, 0, 15)],
     "RUN uv tool run --no-cache ruff -n\n"),
    ("uv run: -n belongs to python", "RUN uv run python -n x\n", [(0, 4, 0, 10)],
     "RUN uv run --no-cache python -n x\n"),
    ("uv run: --no-cache belongs to the script", "RUN uv run pytest --no-cache\n", [(0, 4, 0, 10)],
     "RUN uv run --no-cache pytest --no-cache\n"),
    ("flag on the other command only", "RUN uv pip install --no-cache a; uv sync\n", [(0, 33, 0, 40)],
     "RUN uv pip install --no-cache a; uv sync --no-cache\n"),
    ("flag only in a comment", "RUN uv sync # --no-cache\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache # --no-cache\n"),
    ("ENV UV_NO_CACHE=0 leaves the cache on", "ENV UV_NO_CACHE=0\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=0\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE=false leaves the cache on", "ENV UV_NO_CACHE=false\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=false\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE=no leaves the cache on", "ENV UV_NO_CACHE=no\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=no\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE=off leaves the cache on", "ENV UV_NO_CACHE=off\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=off\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE=f leaves the cache on", "ENV UV_NO_CACHE=f\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=f\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE=n leaves the cache on", "ENV UV_NO_CACHE=n\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=n\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE=FALSE leaves the cache on", "ENV UV_NO_CACHE=FALSE\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=FALSE\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE=Off leaves the cache on", "ENV UV_NO_CACHE=Off\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=Off\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE empty", "ENV UV_NO_CACHE=\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=\nRUN uv sync --no-cache\n"),
    ("ENV UV_NO_CACHE not a boolean", "ENV UV_NO_CACHE=maybe\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV UV_NO_CACHE=maybe\nRUN uv sync --no-cache\n"),
    ("ARG UV_NO_CACHE=0", "FROM a\nARG UV_NO_CACHE=0\nRUN uv sync\n", [(2, 4, 2, 11)],
     "FROM a\nARG UV_NO_CACHE=0\nRUN uv sync --no-cache\n"),
    ("inline UV_NO_CACHE=no", "RUN UV_NO_CACHE=no uv sync\n", [(0, 19, 0, 26)],
     "RUN UV_NO_CACHE=no uv sync --no-cache\n"),
    ("export UV_NO_CACHE=false", "RUN export UV_NO_CACHE=false && uv sync\n", [(0, 32, 0, 39)],
     "RUN export UV_NO_CACHE=false && uv sync --no-cache\n"),
    ("inline empty overrides ENV", "ENV UV_NO_CACHE=1\nRUN UV_NO_CACHE= uv sync\n", [(1, 17, 1, 24)],
     "ENV UV_NO_CACHE=1\nRUN UV_NO_CACHE= uv sync --no-cache\n"),
    ("inline 0 overrides ENV 1", "ENV UV_NO_CACHE=1\nRUN UV_NO_CACHE=0 uv sync\n", [(1, 18, 1, 25)],
     "ENV UV_NO_CACHE=1\nRUN UV_NO_CACHE=0 uv sync --no-cache\n"),
    ("shell variable not exported", "RUN UV_NO_CACHE=1; uv sync\n", [(0, 19, 0, 26)],
     "RUN UV_NO_CACHE=1; uv sync --no-cache\n"),
    ("PIP_NO_CACHE_DIR does not cover uv", "ENV PIP_NO_CACHE_DIR=1\nRUN uv sync\n", [(1, 4, 1, 11)],
     "ENV PIP_NO_CACHE_DIR=1\nRUN uv sync --no-cache\n"),
    ("pip's cache mount does not cover uv", "RUN --mount=type=cache,target=/root/.cache/pip uv sync\n", [(0, 47, 0, 54)],
     "RUN --mount=type=cache,target=/root/.cache/pip uv sync --no-cache\n"),
    ("pip cache purge does not clean uv's", "RUN uv sync && pip cache purge\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache && pip cache purge\n"),
    ("bind mount", "RUN --mount=type=bind,target=/root/.cache/uv uv sync\n", [(0, 45, 0, 52)],
     "RUN --mount=type=bind,target=/root/.cache/uv uv sync --no-cache\n"),
    ("root's cache mounted for another HOME", "FROM a\nUSER app\nENV HOME=/home/app\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n", [(3, 46, 3, 53)],
     "FROM a\nUSER app\nENV HOME=/home/app\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --no-cache\n"),
    ("root's cache mounted for a user of unknown home", "FROM a\nUSER app\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n", [(2, 46, 2, 53)],
     "FROM a\nUSER app\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --no-cache\n"),
    ("--cache-dir elsewhere than the mount", "RUN --mount=type=cache,target=/root/.cache/uv uv sync --cache-dir /c\n", [(0, 46, 0, 53)],
     "RUN --mount=type=cache,target=/root/.cache/uv uv sync --no-cache --cache-dir /c\n"),
    ("--cache-dir wins over UV_CACHE_DIR", "ENV UV_CACHE_DIR=/m\nRUN --mount=type=cache,target=/m uv --cache-dir=/c sync\n", [(1, 33, 1, 55)],
     "ENV UV_CACHE_DIR=/m\nRUN --mount=type=cache,target=/m uv --cache-dir=/c sync --no-cache\n"),
    ("UV_CACHE_DIR elsewhere than the mount", "ENV UV_CACHE_DIR=/c\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n", [(1, 46, 1, 53)],
     "ENV UV_CACHE_DIR=/c\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --no-cache\n"),
    ("UV_CACHE_DIR wins over XDG_CACHE_HOME", "ENV XDG_CACHE_HOME=/x UV_CACHE_DIR=/c\nRUN --mount=type=cache,target=/x uv sync\n", [(1, 33, 1, 40)],
     "ENV XDG_CACHE_HOME=/x UV_CACHE_DIR=/c\nRUN --mount=type=cache,target=/x uv sync --no-cache\n"),
    ("XDG_CACHE_HOME elsewhere than the mount", "ENV XDG_CACHE_HOME=/x\nRUN --mount=type=cache,target=/root/.cache uv sync\n", [(1, 43, 1, 50)],
     "ENV XDG_CACHE_HOME=/x\nRUN --mount=type=cache,target=/root/.cache uv sync --no-cache\n"),
    ("relative target under another WORKDIR", "FROM a\nWORKDIR /app\nRUN --mount=type=cache,target=.cache/uv uv sync\n", [(2, 40, 2, 47)],
     "FROM a\nWORKDIR /app\nRUN --mount=type=cache,target=.cache/uv uv sync --no-cache\n"),
    ("uv cache clean of one package", "RUN uv sync && uv cache clean somepkg\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache && uv cache clean somepkg\n"),
    ("uv cache clean after ||", "RUN uv sync || uv cache clean\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache || uv cache clean\n"),
    ("uv cache clean before the sync", "RUN uv cache clean && uv sync\n", [(0, 22, 0, 29)],
     "RUN uv cache clean && uv sync --no-cache\n"),
    ("uv cache prune --ci", "RUN uv sync && uv cache prune --ci\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache && uv cache prune --ci\n"),
    ("rm of pip's cache", "RUN uv sync && rm -rf /root/.cache/pip\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache && rm -rf /root/.cache/pip\n"),
    ("rm without -r", "RUN uv sync && rm -f /root/.cache/uv\n", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache && rm -f /root/.cache/uv\n"),
    ("ignore for pip only", "# pip-cache-lsp: ignore=pip-no-cache-dir\nRUN uv sync\n", [(1, 4, 1, 11)],
     "# pip-cache-lsp: ignore=pip-no-cache-dir\nRUN uv sync --no-cache\n"),
    ("hadolint DL3042 is pip's", "# hadolint ignore=DL3042\nRUN uv sync\n", [(1, 4, 1, 11)],
     "# hadolint ignore=DL3042\nRUN uv sync --no-cache\n"),
    ("no final newline", "RUN uv sync", [(0, 4, 0, 11)],
     "RUN uv sync --no-cache"),
    ("continuation", "RUN uv \\\n  sync\n", [(0, 4, 1, 6)],
     "RUN uv \\\n  sync --no-cache\n"),
    # issue 13 §2 and §5, through the same engine as pip
    ("$'…' under sh is no flag (dash)", "RUN uv pip install $'--no-cache' x\n", [(0, 4, 0, 18)],
     "RUN uv pip install --no-cache $'--no-cache' x\n"),
    ("ONBUILD RUN with an ARG of the parent", "FROM a\nARG UV_NO_CACHE=1\nONBUILD RUN uv sync\n", [(2, 12, 2, 19)],
     "FROM a\nARG UV_NO_CACHE=1\nONBUILD RUN uv sync --no-cache\n"),
    ("stdin is the last << redirect", "RUN sh <<A <<B\nuv sync\nA\nuv pip install x\nB\n", [(3, 0, 3, 14)],
     "RUN sh <<A <<B\nuv sync\nA\nuv pip install --no-cache x\nB\n"),
    ("#!/usr/bin/env -S bash -e", "RUN <<EOF\n#!/usr/bin/env -S bash -e\nuv sync\nEOF\n", [(2, 0, 2, 7)],
     "RUN <<EOF\n#!/usr/bin/env -S bash -e\nuv sync --no-cache\nEOF\n"),
]

CLEAN: list[tuple[str, str]] = [
    # commands that never touch the cache
    ("uv pip uninstall", "RUN uv pip uninstall -y x\n"),
    ("uv pip list", "RUN uv pip list\n"),
    ("uv pip freeze", "RUN uv pip freeze > r.txt\n"),
    ("uv pip show", "RUN uv pip show x\n"),
    ("uv cache clean", "RUN uv cache clean\n"),
    ("uv cache dir", "RUN uv cache dir\n"),
    ("uv cache prune --ci alone", "RUN uv cache prune --ci\n"),
    ("uv python install", "RUN uv python install 3.12\n"),
    ("uv --version", "RUN uv --version\n"),
    ("uv version", "RUN uv version\n"),
    ("plain uv venv", "RUN uv venv /opt/venv\n"),
    ("uv export --frozen", "RUN uv export --frozen -o r.txt\n"),
    ("uv as an argument", "RUN echo uv sync && pip download uv\n"),
    ("uv in a string", 'RUN echo "uv pip install x"\n'),
    ("uv in a shell comment", "RUN true # uv sync\n"),
    ("CMD", 'CMD ["uv", "run", "app"]\n'),
    ("ENTRYPOINT", "ENTRYPOINT uv run app\n"),
    ("COPY heredoc", "COPY <<EOF /s.sh\nuv sync\nEOF\n"),
    ("python -m other module", "RUN python -m uvicorn app:app\n"),
    ("python -c", "RUN python -c 'import uv'\n"),
    ("pip install of uv", "RUN pip install uv\n"),
    ("dynamic subcommand", "RUN uv $CMD\n"),
    # the flags, before or after the subcommand
    ("--no-cache after", "RUN uv pip install --no-cache x\n"),
    ("--no-cache before", "RUN uv --no-cache pip install x\n"),
    ("--no-cache between pip and install", "RUN uv pip --no-cache install x\n"),
    ("--no-cache at the end", "RUN uv pip install x y --no-cache\n"),
    ("-n after", "RUN uv sync -n\n"),
    ("-n before", "RUN uv -n sync\n"),
    ("-n grouped with -q", "RUN uv sync -qn\n"),
    ("--no-cache-dir alias after", "RUN uv sync --no-cache-dir\n"),
    ("--no-cache-dir alias before", "RUN uv --no-cache-dir pip install x\n"),
    ("uv add --no-cache", "RUN uv add --no-cache requests\n"),
    ("uv lock -n", "RUN uv lock -n\n"),
    ("uv tool install --no-cache", "RUN uv tool install --no-cache ruff\n"),
    ("uv venv --seed --no-cache", "RUN uv venv --seed --no-cache /opt/venv\n"),
    ("uvx --no-cache before the tool", "RUN uvx --no-cache ruff check .\n"),
    ("uvx -n before the tool", "RUN uvx -n ruff\n"),
    ("uvx option with value, then --no-cache", "RUN uvx --from ruff==0.5 --no-cache ruff\n"),
    ("uv run --no-cache before the command", "RUN uv run --no-cache python x\n"),
    ("uv --no-cache run", "RUN uv --no-cache run python x\n"),
    ("uv tool run --no-cache", "RUN uv tool run --no-cache ruff\n"),
    ("by path with flag", "RUN /usr/local/bin/uv sync --no-cache\n"),
    ("python -m uv with flag", "RUN python3.12 -m uv pip install --no-cache x\n"),
    ("sh -c with flag", 'RUN sh -c "uv sync --no-cache"\n'),
    ("exec form with flag", 'RUN ["uv", "sync", "--no-cache"]\n'),
    ("heredoc with flag", "RUN <<EOF\nuv sync -n\nEOF\n"),
    # UV_NO_CACHE, read as clap's BoolishValueParser
    ("ENV UV_NO_CACHE=1", "ENV UV_NO_CACHE=1\nRUN uv sync\n"),
    ("ENV UV_NO_CACHE=true", "ENV UV_NO_CACHE=true\nRUN uv sync\n"),
    ("ENV UV_NO_CACHE=yes", "ENV UV_NO_CACHE=yes\nRUN uv sync\n"),
    ("ENV UV_NO_CACHE=on", "ENV UV_NO_CACHE=on\nRUN uv sync\n"),
    ("ENV UV_NO_CACHE=t", "ENV UV_NO_CACHE=t\nRUN uv sync\n"),
    ("ENV UV_NO_CACHE=y", "ENV UV_NO_CACHE=y\nRUN uv sync\n"),
    ("ENV UV_NO_CACHE=TRUE", "ENV UV_NO_CACHE=TRUE\nRUN uv sync\n"),
    ("ENV UV_NO_CACHE=Yes", "ENV UV_NO_CACHE=Yes\nRUN uv sync\n"),
    ("ENV legacy syntax", "ENV UV_NO_CACHE 1\nRUN uv sync\n"),
    ("ENV covers uvx", "ENV UV_NO_CACHE=1\nRUN uvx ruff check .\n"),
    ("ARG UV_NO_CACHE=1", "FROM a\nARG UV_NO_CACHE=1\nRUN uv sync\n"),
    ("global ARG redeclared", "ARG UV_NO_CACHE=on\nFROM a\nARG UV_NO_CACHE\nRUN uv sync\n"),
    ("ENV inherited from a stage", "FROM a AS base\nENV UV_NO_CACHE=1\nFROM base\nRUN uv sync\n"),
    ("inline", "RUN UV_NO_CACHE=1 uv sync\n"),
    ("env wrapper assignment", "RUN env UV_NO_CACHE=true uv sync\n"),
    ("export", "RUN export UV_NO_CACHE=1 && uv sync\n"),
    # where the cache is, and mounts on it or a parent
    ("cache mount on uv's cache", "RUN --mount=type=cache,target=/root/.cache/uv uv sync\n"),
    ("cache mount on ~/.cache", "RUN --mount=type=cache,target=/root/.cache uv sync\n"),
    ("cache mount on /root", "RUN --mount=type=cache,target=/root uv sync\n"),
    ("tmpfs mount", "RUN --mount=type=tmpfs,target=/root/.cache/uv uv sync\n"),
    ("TYPE=Cache in any case", "RUN --mount=TYPE=Cache,Target=/root/.cache/uv uv sync\n"),
    ("dst= key", "RUN --mount=type=cache,dst=/root/.cache/uv uv sync\n"),
    ("mount with uid and sharing", "RUN --mount=type=cache,target=/root/.cache/uv,sharing=locked uv sync\n"),
    ("mount on --cache-dir", "RUN --mount=type=cache,target=/c uv sync --cache-dir /c\n"),
    ("mount on --cache-dir=", "RUN --mount=type=cache,target=/c uv --cache-dir=/c sync\n"),
    ("mount on UV_CACHE_DIR", "ENV UV_CACHE_DIR=/c\nRUN --mount=type=cache,target=/c uv sync\n"),
    ("mount on inline UV_CACHE_DIR", "RUN --mount=type=cache,target=/c UV_CACHE_DIR=/c uv sync\n"),
    ("mount on $XDG_CACHE_HOME/uv", "ENV XDG_CACHE_HOME=/x\nRUN --mount=type=cache,target=/x/uv uv sync\n"),
    ("mount on the user's own cache", "FROM a\nUSER app\nENV HOME=/home/app\nRUN --mount=type=cache,target=/home/app/.cache/uv uv sync\n"),
    ("relative target joined to WORKDIR", "FROM a\nWORKDIR /root\nRUN --mount=type=cache,target=.cache/uv uv sync\n"),
    ("mount target from an ARG", "FROM a\nARG UV_CACHE_DIR=/tmp/uvc\nRUN --mount=type=cache,target=${UV_CACHE_DIR} uv sync\n"),
    # cleanups later in the same RUN
    ("uv cache clean after", "RUN uv sync && uv cache clean\n"),
    ("uv cache clear after", "RUN uv sync && uv cache clear\n"),
    ("python -m uv cache clean after", "RUN uv sync && python -m uv cache clean\n"),
    ("uv clean after", "RUN uv sync && uv clean\n"),
    ("uv cache clean after ;", "RUN uv sync; uv cache clean\n"),
    ("rm -rf of uv's cache", "RUN uv sync && rm -rf /root/.cache/uv\n"),
    ("rm -rf of ~/.cache", "RUN uv sync && rm -rf /root/.cache\n"),
    ("rm -rf ~/.cache/uv", "RUN uv sync && rm -rf ~/.cache/uv\n"),
    ("rm -rf of --cache-dir", "RUN uv sync --cache-dir /c && rm -rf /c\n"),
    # suppression
    ("ignore=uv-no-cache", "# pip-cache-lsp: ignore=uv-no-cache\nRUN uv sync\n"),
    ("bare ignore", "# pip-cache-lsp: ignore\nRUN uv sync\n"),
    ("file disable for uv", "# pip-cache-lsp: disable-file=uv-no-cache\nFROM a\nRUN uv sync\n"),
    ("empty document", ""),
    # issue 13 §2 and §5, through the same engine as pip
    ("bash decodes $'…'", "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN uv pip install $'--no-\\x63ache' x\n"),
    ("ONBUILD RUN sees an ENV written after it", "FROM a\nONBUILD RUN uv sync\nENV UV_NO_CACHE=1\n"),
    ("a line of heredoc redirects alone runs nothing", "RUN <<A <<B\nuv sync\nA\nuv sync\nB\n"),
]


@pytest.mark.parametrize(("source", "expected", "fixed"),
                         [pytest.param(s, r, f, id=n) for n, s, r, f in CAUGHT])
def test_caught(source: str, expected: list[Range], fixed: str) -> None:
    assert {f.code for f in Document(source).findings(selected=UV)} == {"uv-no-cache"}
    assert_caught(source, expected, fixed, UV)


@pytest.mark.parametrize("source", [pytest.param(s, id=n) for n, s in CLEAN])
def test_clean(source: str) -> None:
    assert ranges(Document(source)) == []


RULE_MESSAGE = "uv without --no-cache: uv's cache stays in the image layer; add --no-cache (or set UV_NO_CACHE=1)"


def test_message_and_rule_metadata() -> None:
    (finding,) = Document("RUN uv sync\n").findings(selected=UV)
    assert finding.message == RULE_MESSAGE
    assert (finding.severity, finding.builder_stage, finding.insert_text) == ("warning", None, " --no-cache")
    rule = by_code("uv-no-cache")
    assert rule is not None and rule.docs_url.endswith("/docs/rules/uv-no-cache.md")


def test_prune_ci_is_reported_and_the_message_says_why() -> None:
    (finding,) = Document("RUN uv sync && uv cache prune --ci\n").findings(selected=UV)
    assert finding.message.startswith(RULE_MESSAGE + " (")
    assert "uv cache prune --ci" in finding.message
    assert finding.message == f"{RULE_MESSAGE} (uv cache prune --ci keeps the wheels uv built from source)"


def test_plain_finding_message_has_no_prune_note() -> None:
    (finding,) = Document("RUN uv sync || uv cache clean\n").findings(selected=UV)
    assert finding.message == RULE_MESSAGE


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("ENV UV_NO_CACHE=1\nRUN pip install a\n", [("pip-no-cache-dir", 1, 4, 1, 15)],
                     id="UV_NO_CACHE does not cover pip"),
        pytest.param("ENV PIP_NO_CACHE_DIR=1\nRUN pip install a && uv sync\n", [("uv-no-cache", 1, 21, 1, 28)],
                     id="PIP_NO_CACHE_DIR does not cover uv"),
        pytest.param("RUN --mount=type=cache,target=/root/.cache/uv pip install a && uv sync\n",
                     [("pip-no-cache-dir", 0, 46, 0, 57)], id="uv's cache mount does not cover pip"),
        pytest.param("RUN --mount=type=cache,target=/root/.cache/pip pip install a && uv sync\n",
                     [("uv-no-cache", 0, 64, 0, 71)], id="pip's cache mount does not cover uv"),
        pytest.param("RUN pip install a && uv sync && uv cache clean\n", [("pip-no-cache-dir", 0, 4, 0, 15)],
                     id="uv cache clean does not clean pip's"),
        pytest.param("RUN pip install a && uv sync && pip cache purge\n", [("uv-no-cache", 0, 21, 0, 28)],
                     id="pip cache purge does not clean uv's"),
        pytest.param("RUN pip install a && uv sync && rm -rf /root/.cache\n", [], id="rm of ~/.cache cleans both"),
        pytest.param("RUN --mount=type=cache,target=/root/.cache pip install a && uv sync\n", [],
                     id="a mount on ~/.cache covers both"),
        pytest.param("RUN uv pip install --no-cache-dir a && pip install b\n", [("pip-no-cache-dir", 0, 39, 0, 50)],
                     id="uv's alias flag on uv covers only uv"),
        pytest.param("RUN pip install --no-cache-dir uv && uv sync\n", [("uv-no-cache", 0, 37, 0, 44)],
                     id="pip's flag on pip covers only pip"),
    ],
)
def test_each_rule_keeps_its_own_exemptions(source: str, expected: list[tuple[str, int, int, int, int]]) -> None:
    doc = Document(source)
    got = [(f.code, *doc.lines.position(f.start), *doc.lines.position(f.end)) for f in doc.findings(selected=BOTH)]
    assert got == expected


@pytest.mark.parametrize(
    ("comment", "codes"),
    [
        pytest.param("# pip-cache-lsp: ignore=uv-no-cache", ["pip-no-cache-dir"], id="by uv's code: uv only"),
        pytest.param("# pip-cache-lsp: ignore=pip-no-cache-dir", ["uv-no-cache"], id="by pip's code: uv stays"),
        pytest.param("# pip-cache-lsp: ignore", [], id="bare: both"),
        pytest.param("# pip-cache-lsp: ignore=uv-no-cache,pip-no-cache-dir", [], id="both codes"),
        pytest.param("# hadolint ignore=DL3042", ["uv-no-cache"], id="hadolint's DL3042 is pip's"),
        pytest.param("# other comment", ["pip-no-cache-dir", "uv-no-cache"], id="no suppression"),
    ],
)
def test_suppression_by_code(comment: str, codes: list[str]) -> None:
    doc = Document(f"FROM a\n{comment}\nRUN pip install a && uv sync\n")
    assert [f.code for f in doc.findings(selected=BOTH)] == codes


def test_fix_both_rules_in_one_run() -> None:
    source = "RUN pip install a && uvx ruff && uv run python x\n"
    doc = Document(source)
    fixed = apply_fixes(source, doc.findings(selected=BOTH))
    assert fixed == "RUN pip install --no-cache-dir a && uvx --no-cache ruff && uv run --no-cache python x\n"
    assert Document(fixed).findings(selected=BOTH) == []


def test_honour_env_off_reports_covered_uv_commands() -> None:
    source = "ENV UV_NO_CACHE=1\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n"
    doc = Document(source)
    assert doc.findings(selected=UV) == []
    assert [(f.start, f.end) for f in doc.findings(honour_env=False, selected=UV)] == [(64, 71)]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("ENV UV_CACHE_DIR=/c\nRUN uv sync && rm -rf $UV_CACHE_DIR\n", id="rm -rf $UV_CACHE_DIR, ENV known"),
        pytest.param("ENV UV_CACHE_DIR=/c\nRUN uv sync && rm -rf \"${UV_CACHE_DIR}\"\n", id="rm -rf quoted ${UV_CACHE_DIR}"),
        pytest.param("RUN uv sync && rm -rf $HOME/.cache\n", id="rm -rf $HOME/.cache as root"),
        pytest.param("RUN uv sync && rm -rf \"$(uv cache dir)\"\n", id="rm -rf $(uv cache dir)"),
    ],
)
def test_rm_of_the_cache_directory_through_a_variable(source: str) -> None:
    assert ranges(Document(source)) == []


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="uvx.-/_ a'\"1é$\\", max_size=14))
def test_uv_word_search_is_the_regex(text: str) -> None:
    """``_names_uv`` finds from the literal what ``(?<![\\w.-])uvx?(?![\\w./-])`` finds from every character."""
    assert uv_no_cache._names_uv(text) == (re.search(r"(?<![\w.-])uvx?(?![\w./-])", text) is not None)


@pytest.mark.parametrize(("text", "runs"), [
    ("RUN uv pip install x", True),
    ("RUN python -c 'import uvicorn; print(1)'", False),  # quoted, and no uv word once the quotes go
    ("RUN pip install 'uvicorn[standard]'", False),
    ("RUN u''v pip install x", True),  # the shell reads uv
    ("RUN \"uv\" pip install x", True),
    ("RUN u\\v pip install x", True),
    ("RUN \"$X\"uv pip install x", True),  # a value glued to it
    ("RUN echo libuv 'a'", False),
])
def test_uv_may_run(text: str, runs: bool) -> None:
    assert by_code("uv-no-cache").may_run(text) is runs
