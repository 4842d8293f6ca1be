"""Findings -> diagnostics, text edits and code actions.  Pure translation, no decisions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from pip_cache_lsp.lsp.positions import PositionCodec
from pip_cache_lsp.names import SOURCE
from pip_cache_lsp.suppress import IGNORE_COMMENT

if TYPE_CHECKING:
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.findings import Finding
    from pip_cache_lsp.remedies import Edit

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.{SOURCE}"
FIX_ALL_MIXED_TITLE = "Fix every pip-cache-lsp finding"
IGNORE_TITLE = "Ignore for this instruction (# pip-cache-lsp: ignore)"


def diagnostic(doc: Document, codec: PositionCodec, finding: Finding,
               severity: types.DiagnosticSeverity) -> types.Diagnostic:
    rule = finding.rule
    return types.Diagnostic(
        range=codec.range(doc, finding.start, finding.end),
        severity=severity,
        code=rule.code,
        code_description=types.CodeDescription(href=rule.docs_url),
        source=SOURCE,
        message=finding.message,
    )


def fix_all_title(findings: Sequence[Finding]) -> str:
    """The rule's own title when one rule is fixed, a general one for several."""
    rules = {f.rule for f in findings}
    return next(iter(rules)).fix_all_title if len(rules) == 1 else FIX_ALL_MIXED_TITLE


def fix_edit(doc: Document, codec: PositionCodec, finding: Finding) -> types.TextEdit:
    at = codec.range(doc, finding.insert_at, finding.insert_at)
    return types.TextEdit(range=at, new_text=finding.insert_text)


def remedy_edits(doc: Document, codec: PositionCodec, edits: Sequence[Edit]) -> list[types.TextEdit]:
    """A remedy's edits (code points) as LSP text edits, in the order given."""
    return [types.TextEdit(range=codec.range(doc, e.start, e.end), new_text=e.text) for e in edits]


def ignore_edit(doc: Document, codec: PositionCodec, finding: Finding) -> types.TextEdit:
    """A comment line above the instruction, indented like it, ending like the file's lines."""
    at = finding.instruction_at
    return types.TextEdit(range=codec.range(doc, at, at),
                          new_text=f"{finding.indent}{IGNORE_COMMENT}{_line_end(doc.text, at)}")


def _line_end(text: str, at: int) -> str:
    """The terminator of the line at ``at``; for an unterminated last line, the one before it."""
    nl = text.find("\n", at)
    if nl < 0:
        nl = text.rfind("\n", 0, at)
    return "\r\n" if nl > 0 and text[nl - 1] == "\r" else "\n"


def workspace_edit(uri: str, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: edits})
