"""Stages that never reach the final image (issue 14, section 2), case by case.

A finding in a stage that the final stage (the last FROM) neither is nor descends
from through ``FROM <stage>`` names that stage in ``Finding.builder_stage`` (its
``AS`` name lower-cased, else its index) and its message says so; a ``COPY
--from`` of the cache directory or a parent into a stage that reaches the final
image ships the cache, and the finding keeps its full severity.  Names match as
BuildKit matches them.  Stage pragmas silence a stage's findings, and the
incremental model agrees with a fresh parse after every edit.
"""

from __future__ import annotations

import pytest

from pip_cache_lsp.document import Document
from pip_cache_lsp.findings import shown_severity

UV = frozenset({"uv-no-cache"})
PIP = frozenset({"pip-no-cache-dir"})
BOTH = UV | PIP

PIP_MESSAGE = ("pip install without --no-cache-dir: pip's download cache stays in the image layer; "
               "add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)")
UV_MESSAGE = "uv without --no-cache: uv's cache stays in the image layer; add --no-cache (or set UV_NO_CACHE=1)"
MESSAGES = {"pip-no-cache-dir": PIP_MESSAGE, "uv-no-cache": UV_MESSAGE}

Row = tuple[str, int, str | None]  # (code, 0-based line of the finding, builder_stage)


def rows(source: str, selected: frozenset[str] = BOTH) -> list[Row]:
    doc = Document(source)
    return [(f.code, doc.lines.position(f.start)[0], f.builder_stage) for f in doc.findings(selected=selected)]


CASES: list[tuple[str, str, list[Row]]] = [
    # which stage is final, and which reach it
    ("single stage", "FROM python\nRUN pip install a\n", [("pip-no-cache-dir", 1, None)]),
    ("named builder, final elsewhere", "FROM python AS builder\nRUN pip install a\nFROM python\nRUN echo\n",
     [("pip-no-cache-dir", 1, "builder")]),
    ("unnamed builder: its index", "FROM python\nRUN pip install a\nFROM python\n", [("pip-no-cache-dir", 1, "0")]),
    ("second unnamed stage: index 1", "FROM a\nFROM b\nRUN pip install a\nFROM c\n", [("pip-no-cache-dir", 2, "1")]),
    ("final stage reported in full", "FROM python AS builder\nRUN uv sync\nFROM python\nRUN uv sync\n",
     [("uv-no-cache", 1, "builder"), ("uv-no-cache", 3, None)]),
    ("both rules in a builder", "FROM python AS builder\nRUN pip install a && uv sync\nFROM python\n",
     [("pip-no-cache-dir", 1, "builder"), ("uv-no-cache", 1, "builder")]),
    ("ancestors through FROM <stage>", "FROM python AS base\nRUN pip install a\nFROM base AS b\nRUN uv sync\nFROM b\n",
     [("pip-no-cache-dir", 1, None), ("uv-no-cache", 3, None)]),
    ("a sibling of the final stage's base", "FROM python AS base\nRUN pip install a\nFROM base AS test\nRUN uv sync\n"
     "FROM base\n", [("pip-no-cache-dir", 1, None), ("uv-no-cache", 3, "test")]),
    ("a child of a builder is a builder too", "FROM python AS builder\nRUN pip install a\nFROM builder AS test\n"
     "RUN uv sync\nFROM python\n", [("pip-no-cache-dir", 1, "builder"), ("uv-no-cache", 3, "test")]),
    ("final stage is the last FROM, not the last named", "FROM python AS final\nRUN pip install a\nFROM python AS x\n",
     [("pip-no-cache-dir", 1, "final")]),
    ("text before any FROM is never a builder", "RUN pip install a\nFROM python AS x\nFROM python\n",
     [("pip-no-cache-dir", 0, None)]),
    ("FROM --platform", "FROM --platform=$BUILDPLATFORM python AS builder\nRUN pip install a\nFROM python\n",
     [("pip-no-cache-dir", 1, "builder")]),
    ("FROM --platform of a stage", "FROM --platform=linux/amd64 python AS base\nRUN pip install a\nFROM base\n",
     [("pip-no-cache-dir", 1, None)]),
    ("lower-case keyword", "from python as builder\nrun pip install a\nfrom python\n",
     [("pip-no-cache-dir", 1, "builder")]),
    # names as BuildKit matches them
    ("AS Builder is stored as builder", "FROM python AS Builder\nRUN pip install a\nFROM python\n",
     [("pip-no-cache-dir", 1, "builder")]),
    ("AS BUILDER is stored as builder", "FROM python AS BUILDER\nRUN pip install a\nFROM python\n",
     [("pip-no-cache-dir", 1, "builder")]),
    ("FROM builder matches AS Builder", "FROM python AS Builder\nRUN pip install a\nFROM builder\n",
     [("pip-no-cache-dir", 1, None)]),
    ("FROM Builder does not match (FROM's reference is not lower-cased)",
     "FROM python AS Builder\nRUN pip install a\nFROM Builder\n", [("pip-no-cache-dir", 1, "builder")]),
    ("FROM ${BASE} with a global ARG naming the stage",
     "ARG BASE=builder\nFROM python AS builder\nRUN pip install a\nFROM ${BASE}\n", [("pip-no-cache-dir", 2, None)]),
    ("FROM $BASE", "ARG BASE=builder\nFROM python AS builder\nRUN pip install a\nFROM $BASE\n",
     [("pip-no-cache-dir", 2, None)]),
    ("FROM ${BASE:-builder}", "ARG BASE\nFROM python AS builder\nRUN pip install a\nFROM ${BASE:-builder}\n",
     [("pip-no-cache-dir", 2, None)]),
    ("FROM ${BASE} naming an image", "ARG BASE=python\nFROM python AS builder\nRUN pip install a\nFROM ${BASE}\n",
     [("pip-no-cache-dir", 2, "builder")]),
    # COPY --from of the cache ships it
    ("COPY --from of /", "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder / /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from of /root", "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder /root /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from of /root/.cache",
     "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder /root/.cache /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from of the cache itself",
     "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder /root/.cache/pip /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from of the cache, trailing slash",
     "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder /root/.cache/pip/ /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from, relative source is from the stage's root",
     "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder root/.cache /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from of /app ships nothing",
     "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder /app /app\n",
     [("pip-no-cache-dir", 1, "builder")]),
    ("COPY --from of a sibling name", "FROM python AS builder\nRUN pip install a\nFROM python\n"
     "COPY --from=builder /root/.cache/pip.bak /x\n", [("pip-no-cache-dir", 1, "builder")]),
    ("COPY --from, one of several sources",
     "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder /app /root/.cache /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from with other flags first",
     "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --link --chown=1 --from=builder /root /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from=Builder looks up lower-cased",
     "FROM python AS Builder\nRUN pip install a\nFROM python\nCOPY --from=Builder /root/.cache/pip /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from=BUILDER", "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=BUILDER /root /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from=0 by index", "FROM python\nRUN pip install a\nFROM python\nCOPY --from=0 / /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from=0 of a named stage", "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=0 /root /x\n",
     [("pip-no-cache-dir", 1, None)]),
    ("COPY --from=1 is another stage", "FROM python\nRUN pip install a\nFROM python\nRUN echo\nFROM python\n"
     "COPY --from=1 / /x\n", [("pip-no-cache-dir", 1, "0")]),
    ("COPY --from of an image of the same name is no stage",
     "FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=python:3 /root /x\n",
     [("pip-no-cache-dir", 1, "builder")]),
    ("COPY --from of uv's cache ships uv's only", "FROM python AS builder\nRUN pip install a && uv sync\nFROM python\n"
     "COPY --from=builder /root/.cache/uv /x\n", [("pip-no-cache-dir", 1, "builder"), ("uv-no-cache", 1, None)]),
    ("COPY --from of pip's cache ships pip's only", "FROM python AS builder\nRUN pip install a && uv sync\nFROM python\n"
     "COPY --from=builder /root/.cache/pip /x\n", [("pip-no-cache-dir", 1, None), ("uv-no-cache", 1, "builder")]),
    ("COPY --from of UV_CACHE_DIR", "FROM python AS builder\nENV UV_CACHE_DIR=/uvc\nRUN uv sync\nFROM python\n"
     "COPY --from=builder /uvc /x\n", [("uv-no-cache", 2, None)]),
    ("COPY --from of /root when HOME moved", "FROM python AS builder\nENV HOME=/home/app\nRUN uv sync\nFROM python\n"
     "COPY --from=builder /root /x\n", [("uv-no-cache", 2, "builder")]),
    ("COPY --from into a stage that never reaches", "FROM python AS builder\nRUN pip install a\nFROM python AS other\n"
     "COPY --from=builder / /x\nFROM python\n", [("pip-no-cache-dir", 1, "builder")]),
    ("COPY --from into an ancestor of the final stage", "FROM python AS builder\nRUN pip install a\n"
     "FROM python AS base\nCOPY --from=builder /root /root\nFROM base\n", [("pip-no-cache-dir", 1, None)]),
    ("RUN --mount=from copies nothing", "FROM python AS builder\nRUN pip install a\nFROM python\n"
     "RUN --mount=from=builder,target=/b cp -r /b/root/.cache /x\n", [("pip-no-cache-dir", 1, "builder")]),
    ("RUN --mount=type=bind,from", "FROM python AS builder\nRUN pip install a\nFROM python\n"
     "RUN --mount=type=bind,from=builder,source=/root,target=/r true\n", [("pip-no-cache-dir", 1, "builder")]),
    # pragmas above a FROM
    ("hadolint stage ignore=DL3042 silences pip in that stage",
     "FROM x\n# hadolint stage ignore=DL3042\nFROM python AS builder\nRUN pip install a && uv sync\nFROM python\n"
     "RUN pip install b\n", [("uv-no-cache", 3, "builder"), ("pip-no-cache-dir", 5, None)]),
    ("hadolint stage ignore above the first FROM",
     "# hadolint stage ignore=DL3042\nFROM python AS builder\nRUN pip install a && uv sync\nFROM python\n",
     [("uv-no-cache", 2, "builder")]),
    ("hadolint stage ignore, a list", "# hadolint stage ignore=DL3008, DL3042\nFROM python AS builder\n"
     "RUN pip install a\nFROM python\n", []),
    ("hadolint stage ignore of another rule", "FROM x\n# hadolint stage ignore=DL3008\nFROM python AS builder\n"
     "RUN pip install a\nFROM python\n", [("pip-no-cache-dir", 3, "builder")]),
    ("ignore-stage silences every rule", "FROM x\n# pip-cache-lsp: ignore-stage\nFROM python AS builder\n"
     "RUN pip install a && uv sync\nFROM python\nRUN pip install b\n", [("pip-no-cache-dir", 5, None)]),
    ("ignore-stage=uv-no-cache silences uv only", "FROM x\n# pip-cache-lsp: ignore-stage=uv-no-cache\n"
     "FROM python AS builder\nRUN pip install a && uv sync\nFROM python\nRUN uv sync\n",
     [("pip-no-cache-dir", 3, "builder"), ("uv-no-cache", 5, None)]),
    ("ignore-stage=pip-no-cache-dir leaves uv", "FROM x\n# pip-cache-lsp: ignore-stage=pip-no-cache-dir\n"
     "FROM python AS builder\nRUN pip install a && uv sync\nFROM python\n", [("uv-no-cache", 3, "builder")]),
    ("ignore-stage on the final stage", "FROM python AS builder\nRUN pip install a\n# pip-cache-lsp: ignore-stage\n"
     "FROM python\nRUN pip install b && uv sync\n", [("pip-no-cache-dir", 1, "builder")]),
    ("ignore-stage does not reach a child stage", "# pip-cache-lsp: ignore-stage\nFROM python AS builder\n"
     "RUN pip install a\nFROM builder AS child\nRUN pip install b\nFROM python\n", [("pip-no-cache-dir", 4, "child")]),
    ("ignore-stage covers every RUN of its stage", "# pip-cache-lsp: ignore-stage\nFROM python AS builder\n"
     "RUN pip install a\nENV X=1\nRUN uv sync\nFROM python\n", []),
    ("ignore-stage separated by a blank line", "# pip-cache-lsp: ignore-stage\n\nFROM python AS builder\n"
     "RUN pip install a\nFROM python\n", [("pip-no-cache-dir", 3, "builder")]),
]


@pytest.mark.parametrize(("source", "expected"), [pytest.param(s, e, id=n) for n, s, e in CASES])
def test_stage_placement(source: str, expected: list[Row]) -> None:
    assert rows(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("FROM python AS builder\nRUN pip install a\nFROM python\nCOPY --from=builder [\"/root\", \"/x\"]\n",
                     [("pip-no-cache-dir", 1, None)], id="exec-form COPY --from of /root"),
        pytest.param("FROM python AS builder\nRUN pip install a\nFROM builder AS mid\nFROM python\n"
                     "COPY --from=mid /root /x\n", [("pip-no-cache-dir", 1, None)],
                     id="COPY --from of a stage built FROM the builder"),
        pytest.param("FROM python AS builder\nRUN pip install a\nFROM python AS mid\nCOPY --from=builder /root /root\n"
                     "FROM python\nCOPY --from=mid /root /root\n", [("pip-no-cache-dir", 1, None)],
                     id="COPY --from of a stage that copied the cache"),
    ],
)
def test_copies_that_ship_the_cache(source: str, expected: list[Row]) -> None:
    assert rows(source) == expected


@pytest.mark.parametrize(("source", "expected"), [pytest.param(s, e, id=n) for n, s, e in CASES if e])
def test_messages_name_the_stage(source: str, expected: list[Row]) -> None:
    doc = Document(source)
    for finding in doc.findings(selected=BOTH):
        base = MESSAGES[finding.code]
        if finding.builder_stage is None:
            assert finding.message == base
        else:
            assert finding.message == f"{base} (stage '{finding.builder_stage}' is not part of the final image)"


def test_message_of_a_builder_stage_exactly() -> None:
    (finding,) = Document("FROM python AS Builder\nRUN uv sync\nFROM python\n").findings(selected=UV)
    assert finding.message == f"{UV_MESSAGE} (stage 'builder' is not part of the final image)"
    assert finding.message.endswith("(stage 'builder' is not part of the final image)")


def test_builder_message_keeps_a_cleanup_note() -> None:
    (finding,) = Document("FROM python AS builder\nRUN uv sync && uv cache prune --ci\nFROM python\n").findings(
        selected=UV)
    assert finding.message == (f"{UV_MESSAGE} (uv cache prune --ci keeps the wheels uv built from source) "
                               "(stage 'builder' is not part of the final image)")


@pytest.mark.parametrize(
    ("builder_stages", "override", "shown"),
    [
        ("information", None, ("info", "warning")),
        ("report", None, ("warning", "warning")),
        ("ignore", None, (None, "warning")),
        ("information", "error", ("info", "error")),
        ("report", "error", ("error", "error")),
    ],
)
def test_shown_severity(builder_stages: str, override: str | None, shown: tuple[str | None, str | None]) -> None:
    builder, final = Document("FROM python AS b\nRUN pip install a\nFROM python\nRUN pip install b\n").findings(
        selected=PIP)
    assert (builder.builder_stage, final.builder_stage) == ("b", None)
    assert (builder.severity, final.severity) == ("warning", "warning")  # the rule's own
    assert (shown_severity(builder, override, builder_stages), shown_severity(final, override, builder_stages)) == shown


# The incremental model: edits that change which stages reach the final image.
BASE = ("ARG BASE=python\n"
        "FROM python AS builder\n"
        "RUN pip install a && uv sync\n"
        "FROM builder AS test\n"
        "RUN uv pip install b\n"
        "# note\n"
        "FROM ${BASE}\n"
        "RUN pip install c\n")


def key(doc: Document) -> list[tuple[str, int, int, str | None, str]]:
    return [(f.code, f.start, f.end, f.builder_stage, f.message) for f in doc.findings()]


P, U = "pip-no-cache-dir", "uv-no-cache"
BEFORE = [(P, "builder"), (U, "builder"), (U, "test"), (P, None)]
EDITS: list[tuple[str, str, str, list[tuple[str, str | None]]]] = [  # (name, old text in BASE, new, after)
    ("last FROM -> builder", "FROM ${BASE}\nRUN pip install c", "FROM builder\nRUN pip install c",
     [(P, None), (U, None), (U, "test"), (P, None)]),
    ("last FROM -> test", "FROM ${BASE}\nRUN pip install c", "FROM test\nRUN pip install c",
     [(P, None), (U, None), (U, None), (P, None)]),
    ("last FROM -> Builder", "FROM ${BASE}\nRUN pip install c", "FROM Builder\nRUN pip install c", BEFORE),
    ("last FROM -> python", "FROM ${BASE}\nRUN pip install c", "FROM python\nRUN pip install c", BEFORE),
    ("ARG BASE names the builder", "ARG BASE=python", "ARG BASE=builder",
     [(P, None), (U, None), (U, "test"), (P, None)]),
    ("ARG BASE names test", "ARG BASE=python", "ARG BASE=test", [(P, None), (U, None), (U, None), (P, None)]),
    ("test built FROM python", "FROM builder AS test", "FROM python AS test", BEFORE),
    ("builder renamed", "FROM python AS builder", "FROM python AS b2", [(P, "b2"), (U, "b2"), (U, "test"), (P, None)]),
    ("delete the last FROM", "# note\nFROM ${BASE}\n", "", [(P, None), (U, None), (U, None), (P, None)]),
    ("delete the last stage", "# note\nFROM ${BASE}\nRUN pip install c\n", "", [(P, None), (U, None), (U, None)]),
    ("add a final stage", "RUN pip install c\n", "RUN pip install c\nFROM scratch\n",
     [(P, "builder"), (U, "builder"), (U, "test"), (P, "2")]),
    ("COPY --from of the cache", "RUN pip install c\n", "RUN pip install c\nCOPY --from=builder /root /r\n",
     [(P, None), (U, None), (U, "test"), (P, None)]),
    ("COPY --from of /app", "RUN pip install c\n", "RUN pip install c\nCOPY --from=builder /app /app\n", BEFORE),
    ("pragma above the builder", "FROM python AS builder", "# pip-cache-lsp: ignore-stage\nFROM python AS builder",
     [(U, "test"), (P, None)]),
    ("pragma in the comment above the last FROM", "# note", "# pip-cache-lsp: ignore-stage",
     [(P, "builder"), (U, "builder"), (U, "test")]),
    ("FROM keyword broken", "FROM ${BASE}\nRUN pip install c", "FRO ${BASE}\nRUN pip install c",
     [(P, None), (U, None), (U, None), (P, None)]),
]


@pytest.mark.parametrize(("old", "new", "after"), [pytest.param(o, n, a, id=name) for name, o, n, a in EDITS])
def test_edit_matches_a_fresh_parse(old: str, new: str, after: list[tuple[str, str | None]]) -> None:
    doc = Document(BASE)
    assert [(f.code, f.builder_stage) for f in doc.findings()] == BEFORE
    start = BASE.index(old)
    doc.edit(start, start + len(old), new)
    text = BASE[:start] + new + BASE[start + len(old):]
    assert doc.text == text
    assert [(f.code, f.builder_stage) for f in doc.findings()] == after
    assert key(doc) == key(Document(text))


@pytest.mark.parametrize(("old", "new"), [pytest.param(o, n, id=name) for name, o, n, _ in EDITS])
def test_typing_an_edit_keystroke_by_keystroke(old: str, new: str) -> None:
    """Delete ``old`` one character at a time from its end, then type ``new``; check after each keystroke."""
    doc = Document(BASE)
    doc.findings()
    start = BASE.index(old)
    for end in range(start + len(old), start, -1):
        doc.edit(end - 1, end, "")
        assert key(doc) == key(Document(doc.text))
    for i, char in enumerate(new):
        doc.edit(start + i, start + i, char)
        assert key(doc) == key(Document(doc.text))
    assert doc.text == BASE[:start] + new + BASE[start + len(old):]


def test_renaming_the_last_from_changes_which_stages_reach() -> None:
    doc = Document(BASE)
    assert [(f.code, f.builder_stage) for f in doc.findings()] == [
        ("pip-no-cache-dir", "builder"), ("uv-no-cache", "builder"), ("uv-no-cache", "test"),
        ("pip-no-cache-dir", None)]
    start = BASE.index("FROM ${BASE}\nRUN pip install c") + len("FROM ")
    doc.edit(start, start + len("${BASE}"), "builder")
    assert [(f.code, f.builder_stage) for f in doc.findings()] == [
        ("pip-no-cache-dir", None), ("uv-no-cache", None), ("uv-no-cache", "test"), ("pip-no-cache-dir", None)]
    doc.edit(start, start + len("builder"), "test")
    assert [(f.code, f.builder_stage) for f in doc.findings()] == [
        ("pip-no-cache-dir", None), ("uv-no-cache", None), ("uv-no-cache", None), ("pip-no-cache-dir", None)]
    doc.edit(start, start + len("test"), "${BASE}")
    assert key(doc) == key(Document(BASE))


@pytest.mark.parametrize("anchor", ["uv pip install b", "pip install a", "pip install c"])
def test_a_keystroke_in_a_run_reparses_only_its_block(anchor: str) -> None:
    doc = Document(BASE)
    doc.findings()
    at = BASE.index(anchor) + len(anchor)
    doc.edit(at, at, " x")
    assert (doc.last_edit.reparsed, doc.last_edit.full) == (1, False)
    assert key(doc) == key(Document(doc.text))
    doc.edit(at, at + 2, " --no-cache" if anchor.startswith("uv") else " --no-cache-dir")
    assert doc.last_edit.reparsed == 1
    assert key(doc) == key(Document(doc.text))
    assert len(doc.findings()) == 3


def test_a_keystroke_in_a_builder_run_keeps_its_stage() -> None:
    doc = Document(BASE)
    doc.findings()
    at = BASE.index("RUN pip install a && uv sync") + len("RUN pip install a")
    doc.edit(at, at, "b")
    assert doc.last_edit.reparsed == 1
    assert [(f.code, f.builder_stage) for f in doc.findings()][:2] == [
        ("pip-no-cache-dir", "builder"), ("uv-no-cache", "builder")]
    assert key(doc) == key(Document(doc.text))
