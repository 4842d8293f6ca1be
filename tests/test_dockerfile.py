"""The parser against BuildKit's rules: directives, escapes, continuations, heredocs, forms."""

from __future__ import annotations

import pytest

from pip_cache_lsp.dockerfile import Directives, parse, parse_directives


def test_directives_only_at_the_top() -> None:
    assert parse_directives("# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n") == Directives("`", 40, syntax=True)
    assert not parse_directives("# escape=`\nFROM a\n").syntax
    assert parse_directives("FROM a\n# escape=`\n").escape == "\\"
    assert parse_directives("# hello\n# escape=`\n").escape == "\\", "a plain comment ends the directives"
    assert parse_directives("\n# escape=`\n").escape == "\\", "an empty line ends the directives"
    assert parse_directives("#  ESCAPE = ` \n").escape == "`", "names are case-insensitive, blanks allowed"
    assert parse_directives("# escape=x\n").escape == "\\", "only backslash and backtick are escapes"
    assert parse_directives("\ufeff# escape=`\nRUN a\n").escape == "`", "a BOM is skipped"


@pytest.mark.parametrize(
    ("source", "logical"),
    [
        pytest.param("RUN a \\\n  b\n", "RUN a   b", id="continuation keeps the spaces around it"),
        pytest.param("RUN a \\ \t\n b\n", "RUN a  b", id="blanks after the escape"),
        pytest.param("RUN a \\\n# c\n   # d\n\n  \n b\n", "RUN a  b", id="comments and blank lines skipped"),
        pytest.param("# escape=`\nRUN a `\n b \\\n", "RUN a  b \\", id="backtick escape, backslash literal"),
        pytest.param("RUN a \\\r\n b\r\n", "RUN a  b", id="CRLF"),
        pytest.param("   run  a\n", "run  a", id="leading blanks, lower case"),
        pytest.param("RUN a \\", "RUN a ", id="escape at end of text"),
    ],
)
def test_logical_line(source: str, logical: str) -> None:
    (ins,) = parse(source)
    assert ins.logical == logical


def test_logical_map_points_into_the_source() -> None:
    source = "FROM x\nRUN a \\\n# c\n  bb\n"
    _, run = parse(source)
    position = run.logical.index("bb")
    assert source[run.start + run.logical_map.start(position):][:2] == "bb"
    assert run.logical_map.end(len("RUN a ")) == len("RUN a ")  # stays before the removed escape


def test_blocks_cover_leading_comments() -> None:
    source = "FROM a\n\n# one\n# two\nRUN b\n# trailing\n"
    first, second = parse(source)
    assert (first.start, first.length, first.comments) == (0, 7, ())
    assert (second.start, second.length, second.comments) == (8, 18, ("# one", "# two"))
    assert second.instruction_offset == 12


def test_keywords_and_flags() -> None:
    (ins,) = parse("RUN --mount=type=cache,target=/c --network=none -- echo hi\n")
    assert ins.keyword == "RUN" and not ins.onbuild
    assert ins.flags == (("mount", "type=cache,target=/c"), ("network", "none"))
    assert ins.command == "echo hi"
    (onbuild,) = parse("onbuild run --security=insecure x\n")
    assert (onbuild.keyword, onbuild.onbuild, onbuild.flags, onbuild.command) == (
        "RUN", True, (("security", "insecure"),), "x")


@pytest.mark.parametrize(
    ("command", "values"),
    [
        ('["pip", "install", "x"]', ["pip", "install", "x"]),
        ('[ "a\\"b" ]', ['a"b']),
        ("[]", []),
        ('["a", 1]', None),
        ("[a, b]", None),
        ('["a"] extra', None),
        ("pip install", None),
    ],
)
def test_exec_form_is_a_json_string_array(command: str, values: list[str] | None) -> None:
    (ins,) = parse(f"RUN {command}\n")
    assert (None if ins.exec_form is None else [e.value for e in ins.exec_form]) == values


def test_heredocs() -> None:
    source = "RUN <<A cat <<-'B'\nbody a\nA\n\tbody b\n\tB\nRUN next\n"
    run, nxt = parse(source)
    a, b = run.heredocs
    assert (a.name, a.chomp, a.quoted, a.terminated) == ("A", False, False, True)
    assert (b.name, b.chomp, b.quoted, b.terminated) == ("B", True, True, True)
    assert run.text[a.body_start:a.body_end] == "body a\n"
    assert run.text[b.body_start:b.body_end] == "\tbody b\n"
    assert nxt.logical == "RUN next"


def test_unterminated_heredoc_runs_to_the_end() -> None:
    (run,) = parse("RUN <<EOF\npip install a\nRUN b\n")
    assert run.open_ended and not run.heredocs[0].terminated


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('RUN "<<EOF"\nRUN b\n', id="quoted marker"),
        pytest.param("RUN cat<<EOF\nRUN b\n", id="glued to a word"),
        pytest.param("ENV A=<<EOF\nRUN b\n", id="not RUN COPY ADD"),
    ],
)
def test_not_heredocs(source: str) -> None:
    assert len(parse(source)) == 2


def test_heredocs_on_copy_and_add() -> None:
    (copy,) = parse("COPY <<EOF /x\nRUN pip install a\nEOF\n")
    assert copy.keyword == "COPY" and copy.heredocs[0].terminated
