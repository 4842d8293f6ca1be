"""Property tests for the pure-Python core: incremental model, line index, fixes, positions.

Each property compares a cheap or clever path against an obviously-correct one
(a fresh parse, a fresh line split, the text before fixing), over generated
Dockerfile-ish text that mixes the constructs the parser treats specially.
Found counterexamples are kept as ``@example`` rows so they run every time.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pip_cache_lsp.dockerfile import parse
from pip_cache_lsp.document import Document
from pip_cache_lsp.findings import Finding
from pip_cache_lsp.fix import apply_fixes
from pip_cache_lsp.text import LineIndex

# PROPERTY_EXAMPLES=5000 for a deeper hunt; the default keeps the file well under a minute.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- text strategies ------------------------------------------------------------------

_ODD = ["é", "e\u0301", "😀", "𝔘", "\u200d", "中文", "\ufeff", "\x85", "\u2028", "\x0c", "\u3000", "\t"]
odd = st.sampled_from(_ODD)

pip_cmd = st.sampled_from([
    "pip install flask",
    "pip3 install -r requirements.txt",
    "python -m pip install numpy",
    "python3 -m pip install --upgrade pip",
    "pip install --no-cache-dir x",
    "pip install --no-ca x",
    "/usr/bin/pip install 'a==1'",
    "sudo -H pip install ☃",
    "PIP_NO_CACHE_DIR=1 pip install y",
    "sh -c \"pip install z\"",
    "apt-get update && pip install q",
    "pip --log x install r",
])

plain_line = st.one_of(
    st.sampled_from([
        "FROM python:3.12 AS base",
        "FROM base",
        "ENV PIP_NO_CACHE_DIR=1",
        "ENV PIP_NO_CACHE_DIR=",
        "ENV FOO bar baz",
        "ARG PIP_NO_CACHE_DIR",
        "ARG X=1",
        "WORKDIR /app",
        "COPY . .",
        "",
        "   ",
        "# a comment",
        "# hadolint ignore=DL3042",
        "# pip-cache-lsp: ignore",
        "# hadolint global ignore=DL3042",
        "  # indented comment",
        "RUN [\"pip\", \"install\", \"flask\"]",
        "RUN [\"python\", \"-m\", \"pip\", \"install\", \"x\"]",
        "RUN [\"sh\", \"-c\", \"pip install \\\"a\\\"\"]",
        "RUN [\"pip\", \"install\", \"\\u00e9\"]",
        "RUN [ \"pip\" ,\"install\" ]",
        "RUN [\"p\\u0069p\", \"install\", \"\\\\\"]",
        "RUN [\"sh\", \"-c\", \"pip install \\u00e9 && pip install \\\"x\\\"\"]",
        "RUN [\"bash\", \"-c\", \"echo 😀; pip3 install y\"]",
        "RUN bash -c 'pip install a' && sh -c \"python -m pip install b\"",
        "RUN --mount=type=cache,target=/root/.cache/pip pip install m",
        "ONBUILD RUN pip install o",
        "EOF",
        "\tEOF",
        "END",
    ]),
    pip_cmd.map(lambda c: "RUN " + c),
    st.tuples(pip_cmd, odd).map(lambda t: f"RUN {t[0]} # {t[1]}"),
    st.tuples(st.sampled_from(["RUN ", "  RUN ", "run "]), pip_cmd, odd).map(lambda t: f"{t[0]}echo {t[2]} && {t[1]}"),
)


@st.composite
def exec_line(draw: st.DrawFn) -> str:
    """An exec-form RUN, maybe ``sh -c SCRIPT``, with random chars written as JSON escapes.

    The last character of a word is never escaped: that case is a known bug, pinned by
    ``test_exec_script_word_ending_in_json_escape`` below.
    """
    script = draw(st.one_of(pip_cmd, st.tuples(odd, pip_cmd).map(lambda t: f"echo {t[0]}; {t[1]}")))

    def encode(value: str) -> str:
        out = []
        for i, c in enumerate(value):
            last = i + 1 == len(value) or value[i + 1].isspace()
            if c in '"\\':
                out.append("\\" + c)
            elif ord(c) < 0x20 or (not last and ord(c) < 0x10000 and draw(st.integers(0, 9)) == 0):
                out.append(f"\\u{ord(c):04x}")
            else:
                out.append(c)
        return '"' + "".join(out) + '"'

    if draw(st.booleans()):
        words = [draw(st.sampled_from(["sh", "/bin/bash"])), "-c", script]
    else:
        words = script.split()
    sep = draw(st.sampled_from([", ", ",", " , ", ", \\\n  "]))
    return "RUN [" + sep.join(encode(w) for w in words) + "]"


@st.composite
def continued(draw: st.DrawFn) -> list[str]:
    r"""A RUN split over lines with ``\`` (maybe trailing blanks), comments and blanks between."""
    parts = draw(st.lists(st.one_of(pip_cmd, odd.map(lambda o: f"echo {o}")), min_size=2, max_size=4))
    lines = ["RUN " + parts[0]]
    for part in parts[1:]:
        lines[-1] += " && \\" + draw(st.sampled_from(["", " ", " \t"]))
        lines.extend(draw(st.lists(st.sampled_from(["# inside", "  # inside", "", " "]), max_size=2)))
        lines.append("    " + part)
    if draw(st.booleans()):
        lines[-1] += " \\"  # open continuation
    return lines


@st.composite
def heredoc(draw: st.DrawFn) -> list[str]:
    """A RUN with one or two heredocs, maybe quoted or ``<<-``, maybe unterminated."""
    names = draw(st.lists(st.sampled_from(["EOF", "END"]), min_size=1, max_size=2, unique=True))
    words = []
    for name in names:
        word = draw(st.sampled_from(["<<{}", "<<-{}", "<<'{}'", '<<"{}"', "0<<{}"])).format(name)
        words.append(word)
    head = draw(st.sampled_from(["RUN ", "RUN bash ", "RUN cat ", "COPY "]))
    lines = [head + " ".join(words) + draw(st.sampled_from(["", " > /x"]))]
    for name in names:
        lines.extend(draw(st.lists(st.one_of(pip_cmd, odd, st.just("#!/bin/sh"), st.just("")), max_size=3)))
        if draw(st.integers(0, 5)):
            lines.append(draw(st.sampled_from(["{}", "\t{}"])).format(name))
    return lines


directive = st.sampled_from(["# escape=`", "# escape=\\", "# syntax=docker/dockerfile:1", "#escape = `"])
eol = st.sampled_from(["\n"] * 6 + ["\r\n"] * 2 + ["\r"])


@st.composite
def dockerfiles(draw: st.DrawFn, max_chunks: int = 8) -> str:
    lines: list[str] = list(draw(st.lists(directive, max_size=2)))
    chunks = st.one_of(plain_line.map(lambda x: [x]), exec_line().map(lambda x: [x]), continued(), heredoc())
    for chunk in draw(st.lists(chunks,
                               max_size=max_chunks)):
        lines.extend(chunk)
    if lines and draw(st.booleans()):
        lines[0] = "\ufeff" + lines[0]
    text = "".join(line + draw(eol) for line in lines)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")
    if draw(st.integers(0, 7)) == 0:
        # A backtick continuation makes sense only under ``# escape=```: sprinkle some.
        text = text.replace(" \\", " `")
    return text


insert_text = st.one_of(
    st.sampled_from([
        "\\", " \\", "\\\n", "\n", "\r", "\r\n", "<<EOF", "<<-EOF", "<<'EOF'", "EOF", "\nEOF\n", "\tEOF\n",
        "#", "# ", "\n#", "`", "RUN ", "RUN pip install x\n", "pip install ", " install", "[\"pip\",",
        "\"", "'", " ", "x", "&&", "ENV PIP_NO_CACHE_DIR=1\n", "# hadolint ignore=DL3042\n",
        "# escape=`\n", "FROM a\n",
    ]),
    odd,
    st.text(alphabet="ab \\\n\r#<-EOF`\"'", max_size=6),
)


@st.composite
def edits(draw: st.DrawFn, text: str) -> tuple[int, int, str]:
    start = draw(st.integers(0, len(text)))
    kind = draw(st.sampled_from(["insert", "delete", "replace"]))
    end = start if kind == "insert" else draw(st.integers(start, min(len(text), start + 8)))
    new = "" if kind == "delete" else draw(insert_text)
    return start, end, new


# --- helpers ------------------------------------------------------------------------------


def project(doc: Document) -> list[tuple]:
    return [
        (b.start, b.length, b.keyword, b.instruction_offset, b.indent, b.open_ended, b.facts)
        for b in doc.blocks
    ]


def assert_same(doc: Document, text: str) -> None:
    fresh = Document(text)
    assert doc.text == text
    assert doc.lines.starts == fresh.lines.starts
    assert project(doc) == project(fresh)
    assert doc.findings() == fresh.findings()
    assert doc.findings(honour_env=False) == fresh.findings(honour_env=False)


def apply_edit(text: str, edit: tuple[int, int, str]) -> str:
    start, end, new = edit
    return text[:start] + new + text[end:]


# --- 1. incremental == full -----------------------------------------------------------


def run_edits(text: str, data: st.DataObject) -> None:
    doc = Document(text)
    assert_same(doc, text)
    for i in range(data.draw(st.integers(1, 8), label="n_edits")):
        edit = data.draw(edits(text), label=f"edit{i}")
        text = apply_edit(text, edit)
        doc.edit(*edit)
        assert_same(doc, text)


@SETTINGS
@given(text=dockerfiles(), data=st.data())
def test_incremental_matches_full_parse(text: str, data: st.DataObject) -> None:
    run_edits(text, data)


@SETTINGS
@given(text=dockerfiles(max_chunks=20), edit=st.data())
def test_incremental_line_index_and_blocks_after_single_edit(text: str, edit: st.DataObject) -> None:
    doc = Document(text)
    step = edit.draw(edits(text))
    doc.edit(*step)
    assert_same(doc, apply_edit(text, step))


def test_edits_that_open_and_close_heredocs_and_continuations() -> None:
    text = "FROM a\r\nRUN pip install x\nEOF\n# c\nRUN pip install y \\\n\n  && echo 😀\rRUN z\n"
    doc = Document(text)
    steps = [  # each computes its (start, end, new) on the current text
        lambda t: (t.index("x\n"), t.index("x\n"), "<<EOF "),  # swallows lines up to EOF as a body
        lambda t: (t.index("<<EOF "), t.index("<<EOF ") + 6, ""),  # and gives them back
        lambda t: (t.index("EOF"), t.index("EOF") + 3, "EOX"),
        lambda t: (t.index("x\n"), t.index("x\n"), "<<-EOX "),  # no terminator: open-ended body
        lambda t: (t.index("y ") + 2, t.index("y ") + 3, ""),  # drop a continuation
        lambda t: (t.index("FROM") + 6, t.index("FROM") + 7, "\n"),  # CRLF -> CR + new line
        lambda t: (len(t) - 1, len(t), "\\"),  # open continuation at the very end
        lambda t: (0, 0, "# escape=`\n"),
    ]
    for step in steps:
        start, end, new = step(text)
        text = apply_edit(text, (start, end, new))
        doc.edit(start, end, new)
        assert_same(doc, text)


def test_one_char_edit_in_big_document_reparses_few_blocks() -> None:
    body = "".join(
        f"# step {i}\nRUN apt-get update && \\\n    pip install pkg{i} && \\\n    echo done\nENV X{i}=1\n"
        for i in range(400)
    )
    text = "FROM python:3.12\n" + body
    doc = Document(text)
    anchor = text.index("pip install pkg200")
    for offset, new in [(anchor + 3, "x"), (anchor + 12, "é"), (anchor + 12, "😀")]:
        doc.edit(offset, offset, new)
        text = apply_edit(text, (offset, offset, new))
        assert not doc.last_edit.full
        assert doc.last_edit.reparsed <= 3
        assert_same(doc, text)
    doc.edit(anchor, anchor + 1, "")
    text = apply_edit(text, (anchor, anchor + 1, ""))
    assert doc.last_edit.reparsed <= 3
    assert_same(doc, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_plain_char_in_run_line_reparses_few_blocks(data: st.DataObject) -> None:
    n = data.draw(st.integers(20, 60), label="n")
    lines = []
    for i in range(n):
        lines.append(data.draw(st.sampled_from([
            f"RUN pip install p{i}", f"ENV A{i}=1", f"# c{i}", "", f"RUN echo {i} && \\\n  pip install q{i}",
        ])))
    text = "FROM x\n" + "\n".join(lines) + "\n"
    doc = Document(text)
    runs = [i for i, b in enumerate(doc.blocks) if b.keyword == "RUN"]
    if not runs:
        return
    block = doc.blocks[data.draw(st.sampled_from(runs), label="block")]
    first_line_end = text.index("\n", block.start + block.instruction_offset) - block.start
    rel = data.draw(st.integers(block.instruction_offset + 4, first_line_end - 1), label="rel")
    char = data.draw(st.sampled_from("az0-_.é😀"), label="char")
    offset = block.start + rel
    doc.edit(offset, offset, char)
    assert not doc.last_edit.full
    assert doc.last_edit.reparsed <= 3
    assert_same(doc, apply_edit(text, (offset, offset, char)))


# --- 2. LineIndex.edit == LineIndex(new_text) ------------------------------------------

line_text = st.text(alphabet="ab\r\n😀", max_size=30)


@settings(max_examples=500, deadline=None)
@given(text=line_text, data=st.data())
def test_line_index_edit_matches_fresh_index(text: str, data: st.DataObject) -> None:
    index = LineIndex(text)
    for _ in range(data.draw(st.integers(1, 5))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
        new = data.draw(line_text)
        text = text[:start] + new + text[end:]
        index.edit(text, start, end, len(new))
        assert index.starts == LineIndex(text).starts


# --- 3. fixes --------------------------------------------------------------------------


def _unfix(fixed: str, findings: list[Finding]) -> str:
    """Remove each distinct insertion at its recorded (pre-fix) offset, leftmost last."""
    inserts = sorted({(f.insert_at, f.insert_text) for f in findings})
    shift = 0
    positions = []
    for at, ins in inserts:  # where each insertion ended up in the fixed text
        positions.append((at + shift, ins))
        shift += len(ins)
    for at, ins in reversed(positions):
        assert fixed[at : at + len(ins)] == ins
        fixed = fixed[:at] + fixed[at + len(ins):]
    return fixed


def shape(doc: Document) -> list[tuple]:
    """What a fix must not change: the blocks, their kind, exec form and heredocs."""
    return [(b.keyword, b.exec_form is None, len(b.heredocs), b.open_ended) for b in parse(doc.text)]


@SETTINGS
@given(text=dockerfiles(max_chunks=10))
@example("RUN pip install\\\n x\nRUN [\"sh\", \"-c\", \"pip install\\tx\"]\nRUN sh -c \"pip \\\"install\\\" x\"\n")
@example("RUN <<-EOF\n\tpip install a\n\tEOF\nRUN sh <<EOF\npip install b\nEOF\n")
def test_fixes_clear_findings_and_only_insert(text: str) -> None:
    doc = Document(text)
    findings = doc.findings()
    fixed = apply_fixes(text, findings)
    assert shape(Document(fixed)) == shape(doc)  # "no findings" must not come from a broken parse
    assert Document(fixed).findings() == []
    assert apply_fixes(fixed, Document(fixed).findings()) == fixed
    assert _unfix(fixed, findings) == text


# --- 4. positions -----------------------------------------------------------------------


def _exec_token(token: str) -> str:
    return json.loads(token.strip())


def _pip_word(word: str) -> bool:
    return word.strip("'\"").rsplit("/", 1)[-1].startswith(("pip", "python"))


@SETTINGS
@given(text=dockerfiles(max_chunks=10))
@example("RUN echo 😀 e\u0301 \\\r\n # c\r\n  && pip install x\r\n")
@example("RUN echo 𝔘\rRUN pip install a\r\nRUN [\"p\\u0069p\", \"inst\\u0061ll\"]\n")
@example("RUN <<EOF\n\u2028😀 pip install a\nEOF\nRUN [\"sh\", \"-c\", \"echo \\ud83d\\ude00; pip install x\"]\n")
@example("# escape=`\nRUN echo 😀 `\n  && pip install x\n")
def test_finding_ranges_cover_pip_to_install(text: str) -> None:
    doc = Document(text)
    exec_blocks = [(b.start, b.end) for b in parse(text) if b.exec_form is not None]
    for f in doc.findings(honour_env=False):
        span = text[f.start : f.end]
        assert f.insert_at == f.end
        if span.startswith('"') and span.endswith('"'):  # an exec-form array: "pip", ..., "install"
            assert _pip_word(_exec_token(span[: span.index('"', 1) + 1])), span
            assert _exec_token(span[span.rindex('"', 0, -1) :]) == "install", span
            continue
        if any(s <= f.start < e for s, e in exec_blocks):  # a script inside a JSON string
            span = json.loads('"' + span + '"')
        assert span.endswith("install") or span.endswith(('"install"', "'install'")), span
        assert _pip_word(span.split(None, 1)[0]), span


# --- regressions: bugs these properties found in shell.py and rule.py ------------------


@SETTINGS
@given(text=dockerfiles(), escape=st.sampled_from(["\\", "`"]))
def test_logical_map_lands_on_each_logical_character(text: str, escape: str) -> None:
    # The logical text is joined from source lines and its map is rebuilt lazily by a
    # second reading of them: both must agree, character by character.
    if escape == "`":
        text = "# escape=`\n" + text.replace("\\\n", "`\n")
    for ins in parse(text):
        smap = ins.logical_map
        for i, char in enumerate(ins.logical):
            assert ins.text[smap.start(i)] == char, (ins.logical, i)


@pytest.mark.parametrize("text", [
    'RUN ["sh", "-c", "pip instal\\u006c x"]\n',
    'RUN ["sh", "-c", "pip \\"install\\""]\n',
])
def test_exec_script_word_ending_in_json_escape(text: str) -> None:
    doc = Document(text)
    (finding,) = doc.findings()
    fixed = apply_fixes(text, [finding])
    assert shape(Document(fixed)) == shape(doc)
    assert text[finding.end - 1] == '"' or text[finding.end - 6 : finding.end] == "\\u006c"


def test_heredoc_lone_cr_is_not_a_line_break() -> None:
    # The shell runs ``echo x<CR>pip install y``: one echo, as for the same RUN in shell form.
    assert Document("RUN echo x\rpip install y\n").findings() == []
    assert Document("RUN <<EOF\necho x\rpip install y\nEOF\n").findings() == []


@pytest.mark.parametrize("text", ["RUN x=$(pip install a)\n", "RUN export V=$(pip install a)\n"])
def test_substitution_in_assignment_runs(text: str) -> None:
    assert len(Document(text).findings()) == 1


def test_heredoc_marker_before_shell_word() -> None:
    assert len(Document("RUN <<EOF bash\npip install a\nEOF\n").findings()) == 1
