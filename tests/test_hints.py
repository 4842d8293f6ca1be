"""The two hints, table-driven: exact ranges, the text after each fix, and what the fix must not do.

Every row checks, besides the ranges and the text after all the hints' fixes:
each fix applied alone removes its hint and no other, and no rule's finding
appears or goes (a fix removes only what silences nothing or turns off nothing).
"""

from __future__ import annotations

import pytest

from pip_cache_lsp.document import Document
from pip_cache_lsp.findings import Finding
from pip_cache_lsp.fix import apply_fixes
from pip_cache_lsp.rules import codes
from pip_cache_lsp.rules.pip_no_cache_dir import KICS_ID

UNUSED = "unused-suppression"
MOUNT = "useless-cache-mount"
RULES = frozenset(codes())

Range = tuple[int, int, int, int]


def _hints(doc: Document, code: str, honour_env: bool) -> list[Finding]:
    return doc.findings(honour_env, frozenset({code}))


def _rule_findings(text: str, honour_env: bool) -> list[tuple[str, str, str]]:
    """Each rule finding as (code, what it spans, message): offsets move when a line goes."""
    return [(f.code, text[f.start:f.end], f.message) for f in Document(text).findings(honour_env, RULES)]


def check(source: str, code: str, expected: list[Range], fixed: str, honour_env: bool = True,
          messages: list[str] | None = None) -> None:
    doc = Document(source)
    found = _hints(doc, code, honour_env)
    got = []
    for f in found:
        (line, col), (end_line, end_col) = doc.lines.position(f.start), doc.lines.position(f.end)
        got.append((line, col, end_line, end_col))
    assert got == expected
    if messages is not None:
        assert [f.message for f in found] == messages
    assert all(f.severity == "hint" and f.rule.kind == "hint" for f in found)
    before = _rule_findings(source, honour_env)
    assert apply_fixes(source, found) == fixed
    assert _hints(Document(fixed), code, honour_env) == []
    assert _rule_findings(fixed, honour_env) == before
    for one in found:  # the editor applies one quick fix at a time: its hint goes (others may go with it)
        alone = apply_fixes(source, [one])
        left = _hints(Document(alone), code, honour_env)
        assert len(left) < len(found)
        assert _rule_findings(alone, honour_env) == before


MOUNTED = "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n"  # no finding: the mount keeps the cache

UNUSED_CASES = [
    pytest.param("FROM python\n# pip-cache-lsp: ignore\nRUN pip install --no-cache-dir x\n",
                 [(1, 0, 1, 23)], "FROM python\nRUN pip install --no-cache-dir x\n", id="bare, nothing to silence"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore\nRUN pip install x\n", [], None, id="bare, used"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore\nRUN uv sync\n", [], None, id="bare, used by uv"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore=uv-no-cache\nRUN pip install x\n",
                 [(1, 0, 1, 35)], "FROM python\nRUN pip install x\n", id="used by one rule, names another"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore=pip-no-cache-dir, uv-no-cache\nRUN pip install x\n",
                 [(1, 42, 1, 53)], "FROM python\n# pip-cache-lsp: ignore=pip-no-cache-dir\nRUN pip install x\n",
                 id="one code of two unused: it and the separator before it"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore=uv-no-cache,pip-no-cache-dir\nRUN pip install x\n",
                 [(1, 24, 1, 35)], "FROM python\n# pip-cache-lsp: ignore=pip-no-cache-dir\nRUN pip install x\n",
                 id="the first code unused: it and the separator after it"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore=pip-no-cache-dir,uv-no-cache,other\nRUN echo\n",
                 [(1, 24, 1, 40), (1, 41, 1, 52)], "FROM python\n# pip-cache-lsp: ignore=other\nRUN echo\n",
                 id="two unused before an unknown code: no overlap"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore=DL3042\nRUN pip install --no-cache-dir x\n",
                 [(1, 0, 1, 30)], "FROM python\nRUN pip install --no-cache-dir x\n", id="an alias in our pragma"),
    pytest.param("FROM python\n# hadolint ignore=DL3042\nRUN pip install --no-cache-dir x\n",
                 [(1, 0, 1, 24)], "FROM python\nRUN pip install --no-cache-dir x\n", id="hadolint, ours alone"),
    pytest.param("FROM python\n# hadolint ignore=DL3008,DL3042\nRUN pip install --no-cache-dir x\n",
                 [(1, 25, 1, 31)], "FROM python\n# hadolint ignore=DL3008\nRUN pip install --no-cache-dir x\n",
                 id="hadolint, ours after theirs"),
    pytest.param("FROM python\n# hadolint ignore=DL3042, DL3008\nRUN pip install --no-cache-dir x\n",
                 [(1, 18, 1, 24)], "FROM python\n# hadolint ignore=DL3008\nRUN pip install --no-cache-dir x\n",
                 id="hadolint, ours before theirs"),
    pytest.param("FROM python\n# hadolint ignore=DL3008\nRUN pip install --no-cache-dir x\n", [], None,
                 id="hadolint, theirs alone: never"),
    pytest.param("FROM python\n# hadolint ignore=DL3042,DL3008\nRUN pip install x\n", [], None,
                 id="hadolint, used"),
    pytest.param("FROM python\n# kics-scan ignore-line\nRUN pip install --no-cache-dir x\n", [], None,
                 id="kics ignore-line: KICS's to judge"),
    pytest.param("FROM python\n# kics-scan ignore-line\n# hadolint ignore=DL3042\nRUN pip install x\n", [], None,
                 id="kics ignore-line takes no credit"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore\n# hadolint ignore=DL3042\nRUN pip install x\n",
                 [(2, 0, 2, 24)], "FROM python\n# pip-cache-lsp: ignore\nRUN pip install x\n",
                 id="two comments for one finding: the first is used"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore=pip-no-cache-dir,dl3042\nRUN pip install x\n",
                 [(1, 41, 1, 47)], "FROM python\n# pip-cache-lsp: ignore=pip-no-cache-dir\nRUN pip install x\n",
                 id="one rule named twice in a list"),
    pytest.param("FROM python\n  # PIP-CACHE-LSP: IGNORE\r\nRUN pip install --no-cache-dir x\r\n",
                 [(1, 2, 1, 25)], "FROM python\nRUN pip install --no-cache-dir x\r\n", id="indented, CRLF, any case"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore\nCOPY . /app\n", [(1, 0, 1, 23)], "FROM python\nCOPY . /app\n",
                 id="above an instruction that runs nothing"),
    pytest.param("# pip-cache-lsp: ignore\nFROM python\nRUN pip install x\n", [(0, 0, 0, 23)],
                 "FROM python\nRUN pip install x\n", id="instruction-level above FROM"),
    pytest.param("FROM python\n# pip-cache-lsp: ignore-stage\nRUN pip install x\n", [(1, 0, 1, 29)],
                 "FROM python\nRUN pip install x\n", id="ignore-stage above a RUN is read by nothing"),
    pytest.param("FROM python\n# a reason\n# pip-cache-lsp: ignore -- cached elsewhere\nRUN echo x\n",
                 [(2, 0, 2, 43)], "FROM python\n# a reason\nRUN echo x\n", id="a reason after it, another comment"),
    # stage level
    pytest.param("# pip-cache-lsp: ignore-stage\nFROM python AS b\nRUN pip install x\nFROM python\nRUN echo\n",
                 [], None, id="ignore-stage, used"),
    pytest.param("# pip-cache-lsp: ignore-stage\nFROM python AS b\nRUN echo\nFROM b\nRUN pip install x\n",
                 [(0, 0, 0, 29)], "FROM python AS b\nRUN echo\nFROM b\nRUN pip install x\n",
                 id="ignore-stage, a stage built on it is another stage"),
    pytest.param("# pip-cache-lsp: ignore-stage=uv-no-cache\nFROM python\nRUN pip install x\n",
                 [(0, 0, 0, 41)], "FROM python\nRUN pip install x\n", id="ignore-stage names another rule"),
    pytest.param("# hadolint stage ignore=DL3042,DL3059\nFROM python\nRUN pip install --no-cache-dir x\n",
                 [(0, 24, 0, 30)], "# hadolint stage ignore=DL3059\nFROM python\nRUN pip install --no-cache-dir x\n",
                 id="hadolint stage, theirs kept"),
    pytest.param("# pip-cache-lsp: ignore-stage\nFROM python\n# pip-cache-lsp: ignore\nRUN pip install x\n",
                 [(0, 0, 0, 29)], "FROM python\n# pip-cache-lsp: ignore\nRUN pip install x\n",
                 id="the instruction's comment is used first"),
    pytest.param("# pip-cache-lsp: ignore-stage\nFROM python\nRUN echo\nRUN pip install x\nRUN echo\n",
                 [], None, id="ignore-stage used by a later RUN"),
    # file level
    pytest.param("# pip-cache-lsp: disable-file\n\nFROM python\nRUN pip install x\n", [], None,
                 id="disable-file, used"),
    pytest.param("# syntax=docker/dockerfile:1\n# pip-cache-lsp: disable-file\n\nFROM python\nRUN echo\n",
                 [(1, 0, 1, 29)], "# syntax=docker/dockerfile:1\n\nFROM python\nRUN echo\n", id="disable-file, unused"),
    pytest.param("# pip-cache-lsp: disable-file=uv-no-cache,pip-no-cache-dir\nFROM python\nRUN pip install x\n",
                 [(0, 30, 0, 41)], "# pip-cache-lsp: disable-file=pip-no-cache-dir\nFROM python\nRUN pip install x\n",
                 id="disable-file, one code unused"),
    pytest.param(f"# kics-scan disable={KICS_ID},e36d8880-3f78-4546-b9a1-12f0745ca0d5\nFROM python\nRUN echo\n",
                 [(0, 20, 0, 56)], "# kics-scan disable=e36d8880-3f78-4546-b9a1-12f0745ca0d5\nFROM python\nRUN echo\n",
                 id="kics disable: our query's id, theirs kept"),
    pytest.param("# hadolint global ignore=DL3042\nFROM python\nRUN pip install --no-cache-dir x\n",
                 [(0, 0, 0, 31)], "FROM python\nRUN pip install --no-cache-dir x\n", id="hadolint global, ours alone"),
    pytest.param("# pip-cache-lsp: disable-file\nFROM python\n# pip-cache-lsp: ignore\nRUN pip install x\n",
                 [(0, 0, 0, 29)], "FROM python\n# pip-cache-lsp: ignore\nRUN pip install x\n",
                 id="disable-file and the instruction's: the instruction's is used"),
    pytest.param("\ufeff# pip-cache-lsp: disable-file\nFROM python\nRUN echo\n", [(0, 1, 0, 30)],
                 "\ufeffFROM python\nRUN echo\n", id="after a byte order mark, which stays"),
    pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=1\n# pip-cache-lsp: ignore\nRUN pip install x\n",
                 [(2, 0, 2, 23)], "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x\n",
                 id="the environment turns the cache off"),
    pytest.param(f"FROM python\n# pip-cache-lsp: ignore\n{MOUNTED}", [(1, 0, 1, 23)], f"FROM python\n{MOUNTED}",
                 id="a cache mount covers it"),
    pytest.param(f"FROM python\n# hadolint ignore=DL3042\n{MOUNTED}", [], None,
                 id="hadolint's comment: hadolint sees no mount (hadolint #497)"),
    pytest.param(f"FROM python\n# hadolint ignore=DL3042\n# pip-cache-lsp: ignore=pip-no-cache-dir\n{MOUNTED}",
                 [(2, 0, 2, 40)], f"FROM python\n# hadolint ignore=DL3042\n{MOUNTED}",
                 id="ours and hadolint's over a mount: ours goes"),
    pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=1\n# hadolint ignore=DL3042\nRUN pip install x\n", [], None,
                 id="hadolint's comment, the environment exempts: judged by the command line"),
    pytest.param(f"# hadolint global ignore=DL3042\nFROM python\n{MOUNTED}", [], None,
                 id="hadolint global over a mount"),
    pytest.param(f"# hadolint stage ignore=DL3042\nFROM python\n{MOUNTED}FROM python\nRUN echo\n", [], None,
                 id="hadolint stage over a mount"),
    pytest.param(f"# hadolint stage ignore=DL3042\nFROM python\nRUN echo\nFROM python\n{MOUNTED}", [(0, 0, 0, 30)],
                 f"FROM python\nRUN echo\nFROM python\n{MOUNTED}", id="hadolint stage, the pip in another stage"),
    pytest.param(f"# kics-scan disable={KICS_ID}\nFROM python\n{MOUNTED}", [], None, id="kics disable over a mount"),
    pytest.param("FROM python\nSHELL [\"pwsh\", \"-c\"]\n# pip-cache-lsp: ignore\nRUN pip install x\n",
                 [(2, 0, 2, 23)], "FROM python\nSHELL [\"pwsh\", \"-c\"]\nRUN pip install x\n",
                 id="a RUN no sh reads"),
]


@pytest.mark.parametrize(("source", "expected", "fixed"), UNUSED_CASES)
def test_unused_suppression(source: str, expected: list[Range], fixed: str | None) -> None:
    check(source, UNUSED, expected, source if fixed is None else fixed)


def test_unused_suppression_follows_honour_env() -> None:
    """With honourEnv off the environment exempts nothing: the comment silences the finding."""
    source = "FROM python\nENV PIP_NO_CACHE_DIR=1\n# pip-cache-lsp: ignore\nRUN pip install x\n"
    check(source, UNUSED, [], source, honour_env=False)
    check(source, UNUSED, [(2, 0, 2, 23)], source.replace("# pip-cache-lsp: ignore\n", ""), honour_env=True)


def test_unused_suppression_messages() -> None:
    source = "FROM python\n# hadolint ignore=DL3008,DL3042\n# pip-cache-lsp: ignore\nRUN echo\n"
    check(source, UNUSED, [(1, 25, 1, 31), (2, 0, 2, 23)],
          "FROM python\n# hadolint ignore=DL3008\nRUN echo\n",
          messages=["unused suppression: DL3042 silences nothing here",
                    "unused suppression: this comment silences nothing here"])


def test_unused_suppression_follows_edits() -> None:
    """Adding the flag by a keystroke makes the comment unused; removing it makes it used again."""
    source = "# pip-cache-lsp: ignore-stage\nFROM python\nRUN pip install x\n# pip-cache-lsp: ignore\nRUN uv sync\n"
    doc = Document(source)
    selected = frozenset({UNUSED})
    assert doc.findings(selected=selected) == []
    at = source.index("install x") + len("install")
    doc.edit(at, at, " --no-cache-dir")
    assert [(f.start, f.end) for f in doc.findings(selected=selected)] == [(0, 29)]
    doc.edit(at, at + len(" --no-cache-dir"), "")
    assert doc.findings(selected=selected) == []
    at = doc.text.index("uv sync") + len("uv sync")
    doc.edit(at, at, " --no-cache")
    start = doc.text.index("# pip-cache-lsp: ignore\n")
    assert [(f.start, f.end) for f in doc.findings(selected=selected)] == [(start, start + 23)]


PIP_MOUNT = "RUN --mount=type=cache,target=/root/.cache/pip "
MESSAGE = "the cache mount on {} is never used; remove {} to reuse downloads across builds"

MOUNT_CASES = [
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install --no-cache-dir x\n", [(1, 59, 1, 73)],
                 f"FROM python\n{PIP_MOUNT}pip install x\n", [MESSAGE.format("/root/.cache/pip", "--no-cache-dir")],
                 id="pip"),
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install x --no-cache-dir\n", [(1, 61, 1, 75)],
                 f"FROM python\n{PIP_MOUNT}pip install x\n", None, id="last word: the blank before it goes"),
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install --no-cache x\n", [(1, 59, 1, 69)],
                 f"FROM python\n{PIP_MOUNT}pip install x\n", [MESSAGE.format("/root/.cache/pip", "--no-cache")],
                 id="pip, an abbreviation"),
    pytest.param(f"FROM python\n{PIP_MOUNT}\\\n    pip install \\\n    --no-cache-dir \\\n    x\n", [(3, 4, 3, 18)],
                 f"FROM python\n{PIP_MOUNT}\\\n    pip install \\\n    \\\n    x\n", None, id="continued lines"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache pip install --no-cache-dir x\n",
                 [(1, 55, 1, 69)], "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install x\n",
                 [MESSAGE.format("/root/.cache", "--no-cache-dir")], id="a parent of the cache"),
    pytest.param("FROM python\nWORKDIR /root\nRUN --mount=type=cache,target=.cache/pip pip install --no-cache-dir x\n",
                 [(2, 53, 2, 67)], "FROM python\nWORKDIR /root\nRUN --mount=type=cache,target=.cache/pip pip install x\n",
                 [MESSAGE.format("/root/.cache/pip", "--no-cache-dir")], id="relative target, WORKDIR"),
    pytest.param("FROM python\nRUN --mount=TYPE=Cache,Target=/root/.cache/pip pip install --no-cache-dir x\n",
                 [(1, 59, 1, 73)], "FROM python\nRUN --mount=TYPE=Cache,Target=/root/.cache/pip pip install x\n",
                 None, id="keys and type in any case"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/tmp/c pip install --no-cache-dir x\n", [], None, None,
                 id="a mount on another directory"),
    pytest.param("FROM python\nRUN --mount=type=tmpfs,target=/root/.cache/pip pip install --no-cache-dir x\n", [],
                 None, None, id="tmpfs: nothing is reused"),
    pytest.param("FROM python\nRUN --mount=target=/root/.cache/pip pip install --no-cache-dir x\n", [], None, None,
                 id="a bind mount"),
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install --no-cache-dir x && pip install y\n", [], None, None,
                 id="another pip uses the mount"),
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install --no-cache-dir x && pip install --no-cache-dir y\n",
                 [(1, 59, 1, 73), (1, 91, 1, 105)], f"FROM python\n{PIP_MOUNT}pip install x && pip install y\n", None,
                 id="every pip off: each flag"),
    pytest.param("FROM python\nENV PIP_NO_CACHE_DIR=1\n" f"{PIP_MOUNT}pip install --no-cache-dir x\n", [], None, None,
                 id="off by ENV as well"),
    pytest.param(f"FROM python\n{PIP_MOUNT}PIP_NO_CACHE_DIR=1 pip install x\n", [], None, None,
                 id="off by the environment alone: no flag"),
    pytest.param("FROM python\nENV PIP_CACHE_DIR=/c\nRUN --mount=type=cache,target=/c pip install --no-cache-dir x\n",
                 [(2, 45, 2, 59)], "FROM python\nENV PIP_CACHE_DIR=/c\nRUN --mount=type=cache,target=/c pip install x\n",
                 [MESSAGE.format("/c", "--no-cache-dir")], id="PIP_CACHE_DIR"),
    pytest.param("FROM python\nENV PIP_CACHE_DIR=/c\n" f"{PIP_MOUNT}pip install --no-cache-dir x\n", [], None, None,
                 id="PIP_CACHE_DIR elsewhere"),
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install --no-cache-dir --cache-dir /x y\n", [], None, None,
                 id="--cache-dir after it: a finding, no hint"),
    pytest.param("FROM python\nUSER nobody\n" f"{PIP_MOUNT}pip install --no-cache-dir x\n", [], None, None,
                 id="a user whose cache is not root's"),
    pytest.param(f'FROM python\n{PIP_MOUNT}["pip", "install", "--no-cache-dir", "x"]\n', [(1, 66, 1, 82)],
                 f'FROM python\n{PIP_MOUNT}["pip", "install", "x"]\n', None, id="exec form: the element and its comma"),
    pytest.param(f"FROM python\n{PIP_MOUNT}<<EOF\npip install --no-cache-dir x\nEOF\n", [(2, 12, 2, 26)],
                 f"FROM python\n{PIP_MOUNT}<<EOF\npip install x\nEOF\n", None, id="a heredoc script"),
    pytest.param("FROM python\nARG D=/root/.cache\nRUN --mount=type=cache,target=$D/pip pip install --no-cache-dir x\n",
                 [(2, 49, 2, 63)], "FROM python\nARG D=/root/.cache\nRUN --mount=type=cache,target=$D/pip pip install x\n",
                 None, id="a target with a variable"),
    pytest.param(f'FROM python\n{PIP_MOUNT}"pip" install "--no-cache-dir" x\n', [(1, 61, 1, 77)],
                 f'FROM python\n{PIP_MOUNT}"pip" install x\n', None, id="a quoted flag goes with its quotes"),
    pytest.param(f"FROM python\n{PIP_MOUNT}sh -c 'pip install --no-cache-dir x'\n", [(1, 66, 1, 80)],
                 f"FROM python\n{PIP_MOUNT}sh -c 'pip install x'\n", None, id="inside sh -c"),
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install --no-cache-dir x && rm -rf /root/.cache/pip\n", [], None,
                 None, id="removed after: nothing would be reused"),
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install --no-cache-dir x && rm -rf /tmp/*\n", [(1, 59, 1, 73)],
                 f"FROM python\n{PIP_MOUNT}pip install x && rm -rf /tmp/*\n", None, id="another directory removed"),
    # uv
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --no-cache\n", [(1, 54, 1, 64)],
                 "FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n",
                 [MESSAGE.format("/root/.cache/uv", "--no-cache")], id="uv --no-cache"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv --no-cache-dir pip install x\n",
                 [(1, 49, 1, 63)], "FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install x\n",
                 [MESSAGE.format("/root/.cache/uv", "--no-cache-dir")], id="uv --no-cache-dir, before the command"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install -n x\n", [(1, 61, 1, 63)],
                 "FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install x\n",
                 [MESSAGE.format("/root/.cache/uv", "-n")], id="uv -n"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install -qn x\n", [(1, 63, 1, 64)],
                 "FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install -q x\n",
                 [MESSAGE.format("/root/.cache/uv", "-n")], id="uv -qn: the letter alone"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv run --no-cache python -V -n\n",
                 [(1, 53, 1, 63)], "FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv run python -V -n\n",
                 None, id="uv run: the command's own -n is not uv's"),
    pytest.param("FROM python\nENV UV_NO_CACHE=1\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --no-cache\n",
                 [], None, None, id="uv off by ENV as well"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache/uv uv venv --no-cache\n", [], None, None,
                 id="uv venv without --seed fills no cache"),
    # pip and uv in one RUN
    pytest.param(f"FROM python\n{PIP_MOUNT}pip install --no-cache-dir x && uv sync --no-cache\n", [(1, 59, 1, 73)],
                 f"FROM python\n{PIP_MOUNT}pip install x && uv sync --no-cache\n", None, id="pip and uv, pip's mount"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache pip install --no-cache-dir x && uv sync -n\n",
                 [(1, 55, 1, 69), (1, 83, 1, 85)],
                 "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install x && uv sync\n", None,
                 id="pip and uv, one mount on both"),
    pytest.param("FROM python\nRUN --mount=type=cache,target=/root/.cache pip install x && uv sync -n\n",
                 [(1, 68, 1, 70)], "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install x && uv sync\n",
                 None, id="pip uses the mount, uv does not"),
]


@pytest.mark.parametrize(("source", "expected", "fixed", "messages"), MOUNT_CASES)
def test_useless_cache_mount(source: str, expected: list[Range], fixed: str | None,
                             messages: list[str] | None) -> None:
    check(source, MOUNT, expected, source if fixed is None else fixed, messages=messages)


def test_useless_cache_mount_not_with_honour_env_off() -> None:
    """Without honourEnv the mount covers nothing: removing the flag would bring a finding."""
    source = f"FROM python\n{PIP_MOUNT}pip install --no-cache-dir x\n"
    check(source, MOUNT, [], source, honour_env=False)


def test_hints_are_not_reported_unless_selected() -> None:
    source = f"FROM python\n# pip-cache-lsp: ignore\n{PIP_MOUNT}pip install --no-cache-dir x\n"
    doc = Document(source)
    assert doc.findings() == []
    assert [f.code for f in doc.findings(selected=frozenset({UNUSED, MOUNT}))] == [UNUSED, MOUNT]


@pytest.mark.parametrize("insert", ["#", "\n", "", "x", "# pip-cache-lsp: disable-file\n"])
def test_kept_prologue_follows_every_edit(insert: str) -> None:
    """The prologue (file-level comments) kept across edits is the one a fresh parse reads, wherever one lands."""
    source = "# syntax=docker/dockerfile:1\n# pip-cache-lsp: disable-file\n\n  # c\n  FROM python\nRUN pip install x\n"
    for at in range(len(source) + 1):
        doc = Document(source)
        assert doc.prologue == Document(source).prologue
        end = min(at + (0 if insert else 1), len(source))
        doc.edit(at, end, insert)
        fresh = Document(doc.text)
        assert doc.prologue == fresh.prologue, (at, insert)
        assert doc.findings(selected=frozenset({UNUSED, *RULES})) == fresh.findings(selected=frozenset({UNUSED, *RULES}))


INCREMENTAL = ("# pip-cache-lsp: disable-file=uv-no-cache\nFROM python AS b\n# hadolint ignore=DL3042,DL3008\n"
               "RUN pip install x\n# pip-cache-lsp: ignore-stage\nFROM b\nRUN echo\n"
               "RUN --mount=type=cache,target=/root/.cache pip install --no-cache-dir y && uv sync -n\n"
               "# pip-cache-lsp: ignore\nRUN pip install z\n")


@pytest.mark.parametrize("insert", ["x", " --no-cache-dir", "", "\n#"])
def test_hints_after_an_edit_are_those_of_a_fresh_parse(insert: str) -> None:
    """Hints kept on blocks (instruction level) or judged after the fold (stage, file) follow every keystroke."""
    everything = frozenset({UNUSED, MOUNT, *RULES})
    for at in range(len(INCREMENTAL) + 1):
        doc = Document(INCREMENTAL)
        doc.findings(selected=everything)  # folded: the edit goes the incremental way
        doc.edit(at, min(at + (0 if insert else 1), len(INCREMENTAL)), insert)
        assert doc.findings(selected=everything) == Document(doc.text).findings(selected=everything), (at, insert)


def test_a_third_rule_joins_by_saying_where_its_off_flag_is() -> None:
    """``Rule.off_flags`` is the whole contract for a rule to get the mount hint.

    tests/extra/apk_rule.py registered as it is (no ``off_flags``) gets none; with it, the hint and its fix.
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "extra"))
    import apk_rule

    from pip_cache_lsp.rules import OffFlag, register, unregister
    from pip_cache_lsp.shell import Command

    class ApkWithOffFlag(apk_rule.ApkNoCache):
        def off_flags(self, command: Command) -> tuple[OffFlag, ...]:
            argv = command.argv
            if len(argv) < 2 or argv[1].value != "add":
                return ()
            return tuple(OffFlag(i, w.start, w.end, True, "--no-cache") for i, w in enumerate(argv)
                         if i > 1 and w.value == "--no-cache")

    text = "FROM alpine\nRUN --mount=type=cache,target=/root/.cache/apk apk add --no-cache curl\n"
    selected = frozenset({MOUNT, "apk-no-cache"})
    try:
        register(apk_rule.RULE)
        assert Document(text).findings(selected=selected) == []  # no off_flags: no hint
        rule = ApkWithOffFlag(**{f: getattr(apk_rule.RULE, f) for f in (
            "code", "name", "summary", "message", "help", "docs_url", "cache", "fix_title", "fix_all_title",
            "severity", "aliases")})
        register(rule)
        found = Document(text).findings(selected=selected)
        assert [(f.code, text[f.start:f.end], f.message) for f in found] == [
            (MOUNT, "--no-cache", "the cache mount on /root/.cache/apk is never used; remove --no-cache to reuse "
                                  "downloads across builds")]
        fixed = apply_fixes(text, found)
        assert fixed == "FROM alpine\nRUN --mount=type=cache,target=/root/.cache/apk apk add curl\n"
        assert Document(fixed).findings(selected=selected) == []  # the mount covers the apk cache: no finding
    finally:
        unregister("apk-no-cache")
