"""``textDocument/hover``: an :class:`~pip_cache_lsp.explain.Explanation` as markdown or plain text.

Computed on request only.  A finding is explained when the client is shown it: the
findings are selected as the diagnostics producer selects them (:func:`shown_at`), so
``enable``, ``select``/``ignore``, ``honourEnv``, ``builderStages`` and ``severity``
apply as they do to the diagnostics; elsewhere an exemption under the cursor is
explained (an off variable's ENV/ARG, a ``--mount``, a cleanup), for the active rules.
User text goes into code spans whose fence is longer than any backtick run in it.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from lsprotocol import types

from pip_cache_lsp.explain import Explanation, Line, explain_at, explain_finding
from pip_cache_lsp.lsp.diagnostics import DiagnosticCache

if TYPE_CHECKING:
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.findings import Finding
    from pip_cache_lsp.lsp.positions import PositionCodec
    from pip_cache_lsp.lsp.session import Policy

SEVERITY_NAMES = {types.DiagnosticSeverity.Error: "error", types.DiagnosticSeverity.Warning: "warning",
                  types.DiagnosticSeverity.Information: "information", types.DiagnosticSeverity.Hint: "hint"}
# Lines start with "- " or "**", so only what is special inside a line is escaped.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def content_format(formats: list[types.MarkupKind] | None) -> types.MarkupKind:
    """The first format of the client's list that we write; markdown when it sends none."""
    for kind in formats or ():
        if kind in (types.MarkupKind.Markdown, types.MarkupKind.PlainText):
            return kind
    return types.MarkupKind.Markdown if not formats else types.MarkupKind.PlainText


def shown_at(doc: Document, policy: Policy, offset: int) -> list[tuple[Finding, types.DiagnosticSeverity]]:
    """The findings the client is shown in the block at ``offset``, with their severity.

    The same selection as the diagnostics producer (``DiagnosticCache._shown``: active
    rules, ``builderStages``), for one block: a hover in a file of thousands of findings
    converts none of the others.
    """
    if not policy.enabled:
        return []
    active = doc.active_codes(policy.selected)
    if not active:
        return []
    with_findings = doc.blocks_with_findings(policy.honour_env)
    i = bisect.bisect_right(with_findings, offset, key=lambda pair: pair[0]) - 1
    if i < 0:
        return []
    start, block = with_findings[i]
    return [(f, policy.severity_of(f)) for f in DiagnosticCache._shown(doc, start, block, active, policy)]


def hover(doc: Document, codec: PositionCodec, shown: list[tuple[Finding, types.DiagnosticSeverity]], offset: int,
          policy: Policy, kind: types.MarkupKind) -> types.Hover | None:
    """The hover at ``offset``: a shown finding there, else an exemption there, else None."""
    if not policy.enabled:
        return None
    explanation: Explanation | None = None
    for finding, severity in shown:
        if finding.start <= offset < finding.end:  # the character hovered is in the range
            explanation = explain_finding(doc, finding, SEVERITY_NAMES.get(severity, "warning"), policy.honour_env)
            break
    else:
        active = doc.active_codes(policy.selected)
        if active:
            explanation = explain_at(doc, offset, active, policy.honour_env)
    if explanation is None:
        return None
    text = markdown(explanation) if kind == types.MarkupKind.Markdown else explanation.plain()
    return types.Hover(contents=types.MarkupContent(kind=kind, value=text),
                       range=codec.range(doc, explanation.start, explanation.end))


def markdown(explanation: Explanation) -> str:
    """Title, then each section as a bold heading and a bullet list."""
    out = [render(explanation.title)]
    for section in explanation.sections:
        out.append("")
        if section.heading:
            out.append(f"**{escape(section.heading)}**")
            out.append("")
        out.extend(f"- {render(line)}" for line in section.lines)
    return "\n".join(out)


def render(line: Line) -> str:
    parts = []
    for piece in line:
        if piece.kind == "code":
            parts.append(code_span(piece.text))
        elif piece.kind == "link":
            target = piece.target.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
            parts.append(f"[{escape(piece.text)}]({target})")
        else:
            parts.append(escape(piece.text))
    return "".join(parts)


def escape(text: str) -> str:
    """Plain text that markdown shows as written (no emphasis, links, HTML or headings)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def code_span(text: str) -> str:
    """A CommonMark code span around any text: a fence longer than its longest backtick run."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")
                                                               and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"
