"""The pip-no-cache-dir rule, case by case: exact ranges and exact fixed text.

Each ``caught`` case lists its findings as ``(line, column, end_line, end_column)``
(0-based, code points, end exclusive) and the text after applying every fix;
each ``clean`` case must produce no finding.  Every caught case also checks
that the fixed text is clean and that fixing is idempotent.
"""

from __future__ import annotations

import pytest

from pip_cache_lsp.document import Document
from pip_cache_lsp.fix import apply_fixes
from rule_table import Range, assert_caught
from rule_table import ranges as table_ranges

PIP = frozenset({"pip-no-cache-dir"})  # these cases are the pip rule's; uv has its own table

def ranges(doc: Document, selected: frozenset[str] = PIP) -> list[Range]:
    return table_ranges(doc, selected)


CAUGHT: list[tuple[str, str, list[Range], str]] = [
    ("plain pip", "RUN pip install x\n", [(0, 4, 0, 15)], "RUN pip install --no-cache-dir x\n"),
    ("pip3", "RUN pip3 install x\n", [(0, 4, 0, 16)], "RUN pip3 install --no-cache-dir x\n"),
    ("pip3.12", "RUN pip3.12 install x\n", [(0, 4, 0, 19)], "RUN pip3.12 install --no-cache-dir x\n"),
    ("path to pip", "RUN /usr/local/bin/pip install x\n", [(0, 4, 0, 30)],
     "RUN /usr/local/bin/pip install --no-cache-dir x\n"),
    ("lower-case keyword", "run pip install x\n", [(0, 4, 0, 15)], "run pip install --no-cache-dir x\n"),
    ("python -m pip", "RUN python -m pip install x\n", [(0, 4, 0, 25)],
     "RUN python -m pip install --no-cache-dir x\n"),
    ("python3.11 -u -m pip", "RUN python3.11 -u -m pip install x\n", [(0, 4, 0, 32)],
     "RUN python3.11 -u -m pip install --no-cache-dir x\n"),
    ("install word last", "RUN pip install\n", [(0, 4, 0, 15)], "RUN pip install --no-cache-dir\n"),
    ("global option before install", "RUN pip --quiet install x\n", [(0, 4, 0, 23)],
     "RUN pip --quiet install --no-cache-dir x\n"),
    ("global option with value", "RUN pip --timeout 60 install x\n", [(0, 4, 0, 28)],
     "RUN pip --timeout 60 install --no-cache-dir x\n"),
    ("sudo wrapper", "RUN sudo -H -u app pip install x\n", [(0, 19, 0, 30)],
     "RUN sudo -H -u app pip install --no-cache-dir x\n"),
    ("env wrapper", "RUN env A=1 pip install x\n", [(0, 12, 0, 23)], "RUN env A=1 pip install --no-cache-dir x\n"),
    ("nice and time", "RUN nice -n 10 time pip install x\n", [(0, 20, 0, 31)],
     "RUN nice -n 10 time pip install --no-cache-dir x\n"),
    ("xargs", "RUN cat r.txt | xargs -n1 pip install\n", [(0, 26, 0, 37)],
     "RUN cat r.txt | xargs -n1 pip install --no-cache-dir\n"),
    ("and-list, both", "RUN pip install a && pip install b\n", [(0, 4, 0, 15), (0, 21, 0, 32)],
     "RUN pip install --no-cache-dir a && pip install --no-cache-dir b\n"),
    ("flag on the other command only", "RUN pip install --no-cache-dir a; pip install b\n", [(0, 34, 0, 45)],
     "RUN pip install --no-cache-dir a; pip install --no-cache-dir b\n"),
    ("or-list and pipe", "RUN pip install a || true | pip install b\n", [(0, 4, 0, 15), (0, 28, 0, 39)],
     "RUN pip install --no-cache-dir a || true | pip install --no-cache-dir b\n"),
    ("flag only in a comment", "RUN pip install a # --no-cache-dir\n", [(0, 4, 0, 15)],
     "RUN pip install --no-cache-dir a # --no-cache-dir\n"),
    ("flag only in an echo", "RUN echo --no-cache-dir && pip install a\n", [(0, 27, 0, 38)],
     "RUN echo --no-cache-dir && pip install --no-cache-dir a\n"),
    ("continuation lines", "RUN apt-get update && \\\n    pip install \\\n      a\n", [(1, 4, 1, 15)],
     "RUN apt-get update && \\\n    pip install --no-cache-dir \\\n      a\n"),
    ("command words across a continuation", "RUN pip \\\n  install a\n", [(0, 4, 1, 9)],
     "RUN pip \\\n  install --no-cache-dir a\n"),
    ("comment and blank line inside continuation", "RUN pip install a \\\n# note\n\n  && pip3 install b\n",
     [(0, 4, 0, 15), (3, 5, 3, 17)], "RUN pip install --no-cache-dir a \\\n# note\n\n  && pip3 install --no-cache-dir b\n"),
    ("trailing whitespace after the escape", "RUN pip install a \\  \n  b\n", [(0, 4, 0, 15)],
     "RUN pip install --no-cache-dir a \\  \n  b\n"),
    ("backtick escape directive", "# escape=`\nFROM x\nRUN pip install a `\n  b\n", [(2, 4, 2, 15)],
     "# escape=`\nFROM x\nRUN pip install --no-cache-dir a `\n  b\n"),
    ("CRLF", "FROM x\r\nRUN pip install \\\r\n  a\r\n", [(1, 4, 1, 15)],
     "FROM x\r\nRUN pip install --no-cache-dir \\\r\n  a\r\n"),
    ("non-ASCII before", "RUN echo 'héllo 🐍' && pip install a\n", [(0, 22, 0, 33)],
     "RUN echo 'héllo 🐍' && pip install --no-cache-dir a\n"),
    ("exec form", 'RUN ["pip3", "install", "a"]\n', [(0, 5, 0, 22)],
     'RUN ["pip3", "install", "--no-cache-dir", "a"]\n'),
    ("exec form, python -m", 'RUN ["python3", "-m", "pip", "install", "a"]\n', [(0, 5, 0, 38)],
     'RUN ["python3", "-m", "pip", "install", "--no-cache-dir", "a"]\n'),
    ("exec form running a shell", 'RUN ["/bin/sh", "-c", "pip install a && echo ok"]\n', [(0, 23, 0, 34)],
     'RUN ["/bin/sh", "-c", "pip install --no-cache-dir a && echo ok"]\n'),
    ("exec form shell with JSON escapes", 'RUN ["sh", "-c", "echo \\"hi\\" && pip install a"]\n', [(0, 33, 0, 44)],
     'RUN ["sh", "-c", "echo \\"hi\\" && pip install --no-cache-dir a"]\n'),
    ("sh -c double quotes", 'RUN sh -c "pip install a"\n', [(0, 11, 0, 22)],
     'RUN sh -c "pip install --no-cache-dir a"\n'),
    ("bash -ec single quotes", "RUN bash -ec 'pip install \"a>=1\"'\n", [(0, 14, 0, 25)],
     "RUN bash -ec 'pip install --no-cache-dir \"a>=1\"'\n"),
    ("install at the end of a sh -c string", 'RUN sh -c "pip install"\n', [(0, 11, 0, 22)],
     'RUN sh -c "pip install --no-cache-dir"\n'),
    ("command substitution", "RUN echo $(pip install a)\n", [(0, 11, 0, 22)],
     "RUN echo $(pip install --no-cache-dir a)\n"),
    ("if and for bodies", "RUN if true; then pip install a; fi; for p in x; do pip install $p; done\n",
     [(0, 18, 0, 29), (0, 52, 0, 63)],
     "RUN if true; then pip install --no-cache-dir a; fi; for p in x; do pip install --no-cache-dir $p; done\n"),
    ("redirect in the middle", "RUN pip install a>=1 b\n", [(0, 4, 0, 15)], "RUN pip install --no-cache-dir a>=1 b\n"),
    ("heredoc script", "RUN <<EOF\nset -e\npip install a\nEOF\n", [(2, 0, 2, 11)],
     "RUN <<EOF\nset -e\npip install --no-cache-dir a\nEOF\n"),
    ("heredoc with dash and quoted name", "RUN <<-'END'\n\tpip install a\n\tEND\n", [(1, 1, 1, 12)],
     "RUN <<-'END'\n\tpip install --no-cache-dir a\n\tEND\n"),
    ("heredoc fed to bash", "RUN bash <<EOF\npip install a\nEOF\n", [(1, 0, 1, 11)],
     "RUN bash <<EOF\npip install --no-cache-dir a\nEOF\n"),
    ("heredoc line after a pipeline", "RUN <<EOF\npip freeze | grep a | sort\npip install b && echo ok\nEOF\n",
     [(2, 0, 2, 11)], "RUN <<EOF\npip freeze | grep a | sort\npip install --no-cache-dir b && echo ok\nEOF\n"),
    ("redirect inside a list, expansion", "RUN set -e && pip >log install $V\n", [(0, 14, 0, 30)],
     "RUN set -e && pip >log install --no-cache-dir $V\n"),
    ("shell script after a redirect", 'RUN sh 2>/dev/null -c "pip install x" && echo $HOME\n', [(0, 23, 0, 34)],
     'RUN sh 2>/dev/null -c "pip install --no-cache-dir x" && echo $HOME\n'),
    ("descriptor before an input redirect", "RUN pip 0</dev/null install x $E\n", [(0, 4, 0, 27)],
     "RUN pip 0</dev/null install --no-cache-dir x $E\n"),
    ("negated command with a redirect", "RUN ! pip >log install x\n", [(0, 6, 0, 22)],
     "RUN ! pip >log install --no-cache-dir x\n"),
    ("redirect before install", "RUN pip >log install a\n", [(0, 4, 0, 20)], "RUN pip >log install --no-cache-dir a\n"),
    ("python -m pip in quotes", "RUN python -m 'pip' \"inst\"all a\n", [(0, 4, 0, 29)],
     "RUN python -m 'pip' \"inst\"all --no-cache-dir a\n"),
    ("heredoc with CRLF", "RUN <<EOF\r\npip install a\r\nEOF\r\n", [(1, 0, 1, 11)],
     "RUN <<EOF\r\npip install --no-cache-dir a\r\nEOF\r\n"),
    ("two heredocs, shell reads the first", "RUN bash <<A && cat <<B\npip install a\nA\npip install b\nB\n",
     [(1, 0, 1, 11)], "RUN bash <<A && cat <<B\npip install --no-cache-dir a\nA\npip install b\nB\n"),
    ("RUN flags before the command", "RUN --network=host --mount=type=bind,target=/src pip install a\n",
     [(0, 49, 0, 60)], "RUN --network=host --mount=type=bind,target=/src pip install --no-cache-dir a\n"),
    ("cache mount elsewhere", "RUN --mount=type=cache,target=/var/cache/apt pip install a\n", [(0, 45, 0, 56)],
     "RUN --mount=type=cache,target=/var/cache/apt pip install --no-cache-dir a\n"),
    ("ONBUILD RUN", "ONBUILD RUN pip install a\n", [(0, 12, 0, 23)], "ONBUILD RUN pip install --no-cache-dir a\n"),
    ("env var empty", "ENV PIP_NO_CACHE_DIR=\nRUN pip install a\n", [(1, 4, 1, 15)],
     "ENV PIP_NO_CACHE_DIR=\nRUN pip install --no-cache-dir a\n"),
    ("env var not a pip boolean", "ENV PIP_NO_CACHE_DIR=maybe\nRUN pip install a\n", [(1, 4, 1, 15)],
     "ENV PIP_NO_CACHE_DIR=maybe\nRUN pip install --no-cache-dir a\n"),
    ("env var in another stage", "FROM a AS one\nENV PIP_NO_CACHE_DIR=1\nFROM b\nRUN pip install a\n", [(3, 4, 3, 15)],
     "FROM a AS one\nENV PIP_NO_CACHE_DIR=1\nFROM b\nRUN pip install --no-cache-dir a\n"),
    ("global ARG not redeclared", "ARG PIP_NO_CACHE_DIR=1\nFROM a\nRUN pip install a\n", [(2, 4, 2, 15)],
     "ARG PIP_NO_CACHE_DIR=1\nFROM a\nRUN pip install --no-cache-dir a\n"),
    ("export after the install", "RUN pip install a && export PIP_NO_CACHE_DIR=1\n", [(0, 4, 0, 15)],
     "RUN pip install --no-cache-dir a && export PIP_NO_CACHE_DIR=1\n"),
    ("shell variable not exported", "RUN PIP_NO_CACHE_DIR=1; pip install a\n", [(0, 24, 0, 35)],
     "RUN PIP_NO_CACHE_DIR=1; pip install --no-cache-dir a\n"),
    ("inline empty value overrides ENV", "ENV PIP_NO_CACHE_DIR=1\nRUN PIP_NO_CACHE_DIR= pip install a\n",
     [(1, 22, 1, 33)], "ENV PIP_NO_CACHE_DIR=1\nRUN PIP_NO_CACHE_DIR= pip install --no-cache-dir a\n"),
    ("suppression not directly above", "# pip-cache-lsp: ignore\n\nRUN pip install a\n", [(2, 4, 2, 15)],
     "# pip-cache-lsp: ignore\n\nRUN pip install --no-cache-dir a\n"),
    ("hadolint ignore for another rule", "# hadolint ignore=DL3008\nRUN pip install a\n", [(1, 4, 1, 15)],
     "# hadolint ignore=DL3008\nRUN pip install --no-cache-dir a\n"),
    ("quoted install word", 'RUN pip "install" a\n', [(0, 4, 0, 17)], 'RUN pip "install" --no-cache-dir a\n'),
    ("half-typed quote later", 'RUN pip install a && echo "unterminated\n', [(0, 4, 0, 15)],
     'RUN pip install --no-cache-dir a && echo "unterminated\n'),
    ("continuation at end of file", "RUN pip install a \\\n", [(0, 4, 0, 15)], "RUN pip install --no-cache-dir a \\\n"),
    ("no final newline", "RUN pip install a", [(0, 4, 0, 15)], "RUN pip install --no-cache-dir a"),
    ("indented instruction", "  RUN pip install a\n", [(0, 6, 0, 17)], "  RUN pip install --no-cache-dir a\n"),
]

CLEAN: list[tuple[str, str]] = [
    ("flag after install", "RUN pip install --no-cache-dir a\n"),
    ("flag before install", "RUN pip --no-cache-dir install a\n"),
    ("flag at the end", "RUN pip install a b --no-cache-dir\n"),
    ("flag after a redirect", "RUN pip install a>=1 b --no-cache-dir\n"),
    ("flag after a redirect in a list", "RUN set -e && pip install a>=1 --no-cache-dir\n"),
    ("unsetenv is no bash command", "ENV PIP_NO_CACHE_DIR=1\nRUN unsetenv PIP_NO_CACHE_DIR; pip install x; echo $E\n"),
    ("flag after a redirect in a list, expansion", "RUN set -e && pip install $V>=1 --no-cache-dir\n"),
    ("unique abbreviation pip accepts", "RUN pip install --no-cache a\n"),
    ("other pip subcommands", "RUN pip uninstall -y c && pip list && pip freeze\n"),
    ("pipx", "RUN pipx install black\n"),
    ("pipenv", "RUN pipenv install --system\n"),
    ("poetry", "RUN poetry install\n"),
    ("uv pip", "RUN uv pip install a\n"),
    ("python running a script", "RUN python setup.py install\n"),
    ("python -c", "RUN python -c 'import pip'\n"),
    ("echo of pip install", 'RUN echo "pip install a"\n'),
    ("comment in the shell", "RUN true # pip install a\n"),
    ("Dockerfile comment", "# RUN pip install a\n"),
    ("comment inside continuation", "RUN true \\\n  # pip install a\n  && echo\n"),
    ("CMD", 'CMD ["pip", "install", "a"]\n'),
    ("ENTRYPOINT", "ENTRYPOINT pip install a\n"),
    ("LABEL", 'LABEL note="pip install a"\n'),
    ("COPY heredoc", "COPY <<EOF /req.sh\npip install a\nEOF\n"),
    ("heredoc fed to python", "RUN python3 <<EOF\nimport os  # pip install a\nEOF\n"),
    ("heredoc with python shebang", "RUN <<EOF\n#!/usr/bin/env python3\nprint('pip install a')\nEOF\n"),
    ("heredoc to cat", "RUN cat <<EOF > /x\npip install a\nEOF\n"),
    ("ENV key=value", "ENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n"),
    ("ENV legacy syntax", "ENV PIP_NO_CACHE_DIR true\nRUN pip install a\n"),
    ("ENV several pairs, quoted", 'ENV A=1 PIP_NO_CACHE_DIR="off"\nRUN pip install a\n'),
    ("ENV value 'false' still disables (pip compatibility)", "ENV PIP_NO_CACHE_DIR=false\nRUN pip install a\n"),
    ("ENV inherited from a named stage", "FROM a AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base AS b\nRUN pip install a\n"),
    ("stage name case-insensitive", "FROM a AS Base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install a\n"),
    ("ARG with default in stage", "FROM a\nARG PIP_NO_CACHE_DIR=1\nRUN pip install a\n"),
    ("global ARG redeclared", "ARG PIP_NO_CACHE_DIR=yes\nFROM a\nARG PIP_NO_CACHE_DIR\nRUN pip install a\n"),
    ("inline assignment", "RUN PIP_NO_CACHE_DIR=1 pip install a\n"),
    ("env wrapper assignment", "RUN env PIP_NO_CACHE_DIR=on pip install a\n"),
    ("earlier export", "RUN export PIP_NO_CACHE_DIR=1 && pip install a\n"),
    ("export of an earlier shell variable", "RUN PIP_NO_CACHE_DIR=1; export PIP_NO_CACHE_DIR; pip install a\n"),
    ("cache mount on pip's cache", "RUN --mount=type=cache,target=/root/.cache/pip pip install a\n"),
    ("cache mount on ~/.cache", "RUN --mount=type=cache,dst=/root/.cache pip install a\n"),
    ("cache mount on PIP_CACHE_DIR", "ENV PIP_CACHE_DIR=/pipcache\nRUN --mount=type=cache,target=/pipcache pip install a\n"),
    ("exec form with flag", 'RUN ["pip3", "install", "a", "--no-cache-dir"]\n'),
    ("exec form not JSON is shell form", "RUN [pip install --no-cache-dir a]\n"),
    ("our ignore", "# pip-cache-lsp: ignore\nRUN pip install a\n"),
    ("hadolint ignore list", "# hadolint ignore=DL3008, DL3042\nRUN pip install a\n"),
    ("kics ignore-line", "# kics-scan ignore-line\nRUN pip install a\n"),
    ("ignore above other comments", "# pip-cache-lsp: ignore\n# why: pinned wheel\nRUN pip install a\n"),
    ("kics file disable", "# kics-scan disable=f2f903fb-b977-461e-98d7-b3e2185c6118\nFROM a\nRUN pip install a\n"),
    ("our file disable", "# pip-cache-lsp: disable-file\nFROM a\nRUN pip install a\n"),
    ("hadolint global ignore", "# hadolint global ignore=DL3042\nFROM a\nRUN pip install a\n"),
    ("dynamic subcommand", "RUN pip $CMD a\n"),
    ("empty document", ""),
    ("only a keyword", "RUN\n"),
]


@pytest.mark.parametrize(("source", "expected", "fixed"),
                         [pytest.param(s, r, f, id=n) for n, s, r, f in CAUGHT])
def test_caught(source: str, expected: list[Range], fixed: str) -> None:
    assert_caught(source, expected, fixed, PIP)


@pytest.mark.parametrize("source", [pytest.param(s, id=n) for n, s in CLEAN])
def test_clean(source: str) -> None:
    assert ranges(Document(source)) == []


def test_honour_env_off_reports_covered_installs() -> None:
    source = "ENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n"
    doc = Document(source)
    assert doc.findings(honour_env=True) == []
    assert [(f.start, f.end) for f in doc.findings(honour_env=False, selected=PIP)] == [(70, 81)]


def test_suppression_survives_honour_env_off() -> None:
    assert Document("# pip-cache-lsp: ignore\nRUN pip install a\n").findings(honour_env=False, selected=PIP) == []


def test_finding_knows_where_an_ignore_comment_goes() -> None:
    doc = Document("FROM a\n# note\n    RUN pip install a\n")
    (finding,) = doc.findings(selected=PIP)
    assert (finding.instruction_at, finding.indent) == (14, "    ")


# The compliant and non-compliant examples of the KICS query (f2f903fb-…), verbatim.
SEED_COMPLIANT = """FROM python:3
RUN pip install --no-cache-dir --upgrade pip && \\
    pip install --no-cache-dir nibabel pydicom matplotlib pillow && \\
    pip install --no-cache-dir med2image
RUN pip3 install --no-cache-dir requests=2.7.0
RUN ["pip3", "install", "requests=2.7.0", "--no-cache-dir"]
CMD ["cat", "/etc/os-release"]
"""
SEED_NONCOMPLIANT = """FROM python:3
RUN pip install --upgrade pip && \\
    pip install nibabel pydicom matplotlib pillow && \\
    pip install med2image
CMD ["cat", "/etc/os-release"]

FROM python:3.1
RUN pip install --upgrade pip
RUN python -m pip install nibabel pydicom matplotlib pillow
RUN pip3 install requests=2.7.0
RUN ["pip3", "install", "requests=2.7.0"]
CMD ["cat", "/etc/os-release"]
"""


def test_seed_examples() -> None:
    assert Document(SEED_COMPLIANT).findings(selected=PIP) == []
    doc = Document(SEED_NONCOMPLIANT)
    assert ranges(doc) == [(1, 4, 1, 15), (2, 4, 2, 15), (3, 4, 3, 15), (7, 4, 7, 15), (8, 4, 8, 25),
                           (9, 4, 9, 16), (10, 5, 10, 22)]
    fixed = apply_fixes(SEED_NONCOMPLIANT, doc.findings(selected=PIP))
    assert Document(fixed).findings(selected=PIP) == []
    assert 'RUN ["pip3", "install", "--no-cache-dir", "requests=2.7.0"]' in fixed


@pytest.mark.parametrize(
    ("source", "count"),
    [
        pytest.param("ARG PIP_NO_CACHE_DIR=1\nENV PIP_NO_CACHE_DIR=${PIP_NO_CACHE_DIR}\nRUN pip install a\n", 1,
                     id="ENV from an unset global ARG is unknown"),
        pytest.param("FROM a\nARG PIP_NO_CACHE_DIR=1\nENV PIP_NO_CACHE_DIR=${PIP_NO_CACHE_DIR}\nRUN pip install a\n", 0,
                     id="ENV expanding a stage ARG"),
        pytest.param("FROM a\nENV V=1\nENV PIP_NO_CACHE_DIR=$V\nRUN pip install a\n", 0, id="ENV expanding ENV"),
        pytest.param("FROM a\nENV PIP_NO_CACHE_DIR=${UNSET:-1}\nRUN pip install a\n", 0, id="default value"),
        pytest.param("FROM a\nENV PIP_NO_CACHE_DIR=$UNSET\nRUN pip install a\n", 1, id="unknown variable"),
        pytest.param("FROM a\nARG PIP_CACHE_DIR=/tmp/pc\nRUN --mount=type=cache,target=${PIP_CACHE_DIR} pip install a\n",
                     0, id="mount target expanded"),
        pytest.param("FROM a\nENV PIP_CACHE_DIR=/tmp/.cache/pip\nRUN --mount=type=cache,target=/tmp/.cache pip install a\n",
                     0, id="mount on the parent of PIP_CACHE_DIR"),
        pytest.param("FROM a\nENV PIP_CACHE_DIR=/pc\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n",
                     1, id="mount elsewhere than PIP_CACHE_DIR"),
        pytest.param("FROM a\nUSER app\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n", 1,
                     id="root's cache mounted for a non-root user"),
        pytest.param("FROM a\nUSER app\nRUN --mount=type=cache,target=/home/app/.cache/pip pip install a\n", 0,
                     id="user's own cache mounted"),
        pytest.param("FROM a AS b\nUSER app\nFROM b\nRUN --mount=type=cache,target=/root/.cache pip install a\n", 1,
                     id="user inherited from a stage"),
        pytest.param("FROM a\nUSER root\nRUN --mount=type=cache,target=/root/.cache pip install a\n", 0, id="root"),
        pytest.param("RUN x=$(pip install a) && export V=`pip install b` && Y=${Z:-$(pip install c)} true\n", 3,
                     id="substitutions in assignments"),
        pytest.param("RUN <<EOF bash\npip install a\nEOF\n", 1, id="heredoc marker before the shell"),
        pytest.param("RUN cat <<A && bash <<B\nA\nB\n", 0, id="empty bodies"),
        pytest.param("RUN cat <<A && bash <<B\npip install a\nA\npip install b\nB\n", 1, id="second body to bash"),
    ],
)
def test_stage_environment_and_nesting(source: str, count: int) -> None:
    assert len(Document(source).findings(selected=PIP)) == count


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("RUN p''ip install a\n", id="quotes split the name"),
        pytest.param("RUN p\\ip install a\n", id="backslash in the name"),
        pytest.param('RUN ["p\\u0069p", "install", "a"]\n', id="JSON escape in exec form"),
    ],
)
def test_contrived_spellings_of_pip_are_still_read(source: str) -> None:
    assert len(Document(source).findings(selected=PIP)) == 1


def test_absurdly_nested_substitutions_are_skipped_not_fatal() -> None:
    deep = "RUN " + "echo $(" * 400 + "pip install x" + ")" * 400 + "\n"
    doc = Document(deep + "RUN pip install y\n")
    assert [doc.text[f.start:f.end] for f in doc.findings(selected=PIP)] == ["pip install"]
    assert doc.lines.position(doc.findings(selected=PIP)[0].start) == (1, 4)


@pytest.mark.parametrize("first", ["LABEL a=b", "WORKDIR /x", "FROM python", "ARG X"])
def test_file_disable_directly_above_any_first_instruction(first: str) -> None:
    assert Document(f"# pip-cache-lsp: disable-file\n{first}\nRUN pip install a\n").findings(selected=PIP) == []


@pytest.mark.parametrize(
    ("source", "count"),
    [
        pytest.param("FROM x\nRUN p\\\nip install a\n", 1, id="continuation splits the word pip"),
        pytest.param("# escape=`\nFROM x\nRUN p`\nip install a\n", 1, id="backtick continuation splits pip"),
        pytest.param('RUN --mount="type=cache,target=/root/.cache/pip" pip install a\n', 0, id="quoted mount value"),
        pytest.param("RUN --mount=Type=cache,Target=/root/.cache/pip pip install a\n", 0, id="mount keys in any case"),
        pytest.param("RUN <<EOF\n#!/bin/mksh\npip install a\nEOF\n", 1, id="heredoc with a mksh shebang"),
        pytest.param("RUN " + "[" * 1000 + "\n", 0, id="deeply nested brackets are shell form, not a crash"),
    ],
)
def test_reading_like_buildkit(source: str, count: int) -> None:
    assert len(Document(source).findings(selected=PIP)) == count
