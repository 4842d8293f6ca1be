"""The hover's markdown (``lsp/hover.py``): user text can neither break out of a code span nor format itself."""

from __future__ import annotations

import pytest
from lsprotocol import types

from pip_cache_lsp.explain import Explanation, Section, code, link
from pip_cache_lsp.lsp.hover import code_span, content_format, escape, markdown


@pytest.mark.parametrize("text, span", [
    ("pip install x", "`pip install x`"),
    ("pip install `cat r`", "`` pip install `cat r` ``"),  # ends with a backtick: padded both sides (CommonMark strips one each)
    ("echo ``x`` && pip install y", "```echo ``x`` && pip install y```"),
    ("`", "`` ` ``"),
    ("a\nb", "`a b`"),
])
def test_code_span_fence_outruns_backticks(text: str, span: str) -> None:
    assert code_span(text) == span


def test_escape_neutralises_markup() -> None:
    assert escape("a *b* _c_ [d](e) <f> `g` |h| ~i~ \\ &amp;") == \
        "a \\*b\\* \\_c\\_ \\[d\\](e) \\<f\\> \\`g\\` \\|h\\| \\~i\\~ \\\\ \\&amp;"


def test_markdown_layout() -> None:
    explanation = Explanation(0, 1, (code("rule"), *Explanation(0, 0, (), ()).title), (
        Section("What it saw", ((code("x*y"),),)),
        Section("", ((link("Rule page", "https://e.invalid/a (b)"),),)),
    ))
    assert markdown(explanation) == "`rule`\n\n**What it saw**\n\n- `x*y`\n\n- [Rule page](https://e.invalid/a%20%28b%29)"


@pytest.mark.parametrize("formats, kind", [
    (None, types.MarkupKind.Markdown),
    ([], types.MarkupKind.Markdown),
    ([types.MarkupKind.PlainText, types.MarkupKind.Markdown], types.MarkupKind.PlainText),
    ([types.MarkupKind.Markdown, types.MarkupKind.PlainText], types.MarkupKind.Markdown),
])
def test_content_format_is_the_clients_first_choice(formats: list[types.MarkupKind] | None,
                                                    kind: types.MarkupKind) -> None:
    assert content_format(formats) == kind
