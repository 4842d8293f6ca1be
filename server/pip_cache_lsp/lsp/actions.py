"""Code actions: a quick fix and an ignore per finding in the range, and fix-all.

Built from the diagnostics the producer published (:mod:`.diagnostics`), so an
action's ``diagnostics`` are the very objects the client shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from pip_cache_lsp.lsp import convert, hint_actions

if TYPE_CHECKING:
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.findings import Finding
    from pip_cache_lsp.lsp.positions import PositionCodec


def code_actions(uri: str, doc: Document, codec: PositionCodec, pairs: list[tuple[Finding, types.Diagnostic]],
                 span: tuple[int, int], only: list[str] | None) -> list[types.CodeAction]:
    """The actions for the findings touching ``span`` (code points), filtered by LSP's ``only``."""
    if not pairs:
        return []
    start, end = span
    hinted = [(f, d) for f, d in pairs if hint_actions.is_hint(f)]
    if hinted:  # the hints have their own quick fixes, and no part in ignore or fix-all
        pairs = [(f, d) for f, d in pairs if not hint_actions.is_hint(f)]
    touched = [(f, d) for f, d in pairs if f.start <= end and start <= f.end]
    actions: list[types.CodeAction] = []
    if hinted and wanted(types.CodeActionKind.QuickFix, only):
        actions += hint_actions.code_actions(uri, doc, codec, [(f, d) for f, d in hinted
                                                               if f.start <= end and start <= f.end])
    if wanted(types.CodeActionKind.QuickFix, only):
        for finding, diag in touched:
            actions.append(types.CodeAction(
                title=finding.rule.fix_title, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                is_preferred=True, edit=convert.workspace_edit(uri, [convert.fix_edit(doc, codec, finding)])))
        for finding, diag in touched:
            actions.append(types.CodeAction(
                title=convert.IGNORE_TITLE, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                edit=convert.workspace_edit(uri, [convert.ignore_edit(doc, codec, finding)])))
    if pairs and (touched or only) and wanted(convert.FIX_ALL_KIND, only):
        findings = [f for f, _ in pairs]
        actions.append(types.CodeAction(
            title=convert.fix_all_title(findings), kind=convert.FIX_ALL_KIND,
            diagnostics=[d for _, d in pairs],
            edit=convert.workspace_edit(uri, [convert.fix_edit(doc, codec, f) for f in findings])))
    return actions


def wanted(kind: str, only: list[str] | None) -> bool:
    """LSP's ``only`` filter: a requested kind matches itself and every kind below it."""
    if not only:
        return True
    return any(kind == str(k) or kind.startswith(f"{k}.") for k in only)
