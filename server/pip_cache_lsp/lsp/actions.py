"""Code actions: up to three verified fixes and an ignore per finding in the range, and fix-all.

Built from the diagnostics the producer published (:mod:`.diagnostics`), so an
action's ``diagnostics`` are the very objects the client shows.  The fixes
(:mod:`pip_cache_lsp.remedies`: the flag, the stage's ENV, a cache mount) are
computed here, on request, each checked on a copy of the text first; a refused
one is logged, never offered.  Nothing of this runs per keystroke.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types

from pip_cache_lsp.lsp import convert

if TYPE_CHECKING:
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.findings import Finding
    from pip_cache_lsp.lsp.positions import PositionCodec
    from pip_cache_lsp.remedies import Check


# Findings of one request that get fixes: each fix is checked on a copy of the document (a few ms
# each in a 10,000-line file), so a range over thousands of findings stays an answer, not a wait.
MAX_REMEDIED = 50


def code_actions(uri: str, doc: Document, codec: PositionCodec, pairs: list[tuple[Finding, types.Diagnostic]],
                 span: tuple[int, int], only: list[str] | None, check: Check | None = None,
                 log: Callable[[str], None] | None = None) -> list[types.CodeAction]:
    """The actions for the findings touching ``span`` (code points), filtered by LSP's ``only``."""
    if not pairs:
        return []
    start, end = span
    touched = [(f, d) for f, d in pairs if f.start <= end and start <= f.end]
    actions: list[types.CodeAction] = []
    if touched and wanted(types.CodeActionKind.QuickFix, only):
        from pip_cache_lsp.remedies import Check, Planner  # on request only: a keystroke never loads it

        planner = Planner(doc, check or Check(), _once(uri, doc.text, log))
        shown = {(f.rule.code, f.start): d for f, d in pairs}
        seen: set[tuple[object, ...]] = set()
        if len(touched) > MAX_REMEDIED and log is not None:
            log(f"{len(touched)} findings in the requested range: fixes offered for the first {MAX_REMEDIED} "
                "(each is checked on a copy of the document first)")
        for finding, diag in touched[:MAX_REMEDIED]:
            for remedy in planner.for_finding(finding):
                key = (remedy.strategy, remedy.edits)
                if key in seen:  # the stage's ENV or the RUN's mount, already offered for another finding
                    continue
                seen.add(key)
                flag = remedy.strategy == "flag"
                fixed = [diag] if flag else [d for f in remedy.fixes if (d := shown.get((f.rule.code, f.start)))]
                actions.append(types.CodeAction(
                    title=remedy.title, kind=types.CodeActionKind.QuickFix, diagnostics=fixed or [diag],
                    is_preferred=True if flag else None,
                    edit=convert.workspace_edit(uri, convert.remedy_edits(doc, codec, remedy.edits))))
        for finding, diag in touched:
            actions.append(types.CodeAction(
                title=convert.IGNORE_TITLE, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                edit=convert.workspace_edit(uri, [convert.ignore_edit(doc, codec, finding)])))
    if (touched or only) and wanted(convert.FIX_ALL_KIND, only):
        findings = [f for f, _ in pairs]
        actions.append(types.CodeAction(
            title=convert.fix_all_title(findings), kind=convert.FIX_ALL_KIND,
            diagnostics=[d for _, d in pairs],
            edit=convert.workspace_edit(uri, [convert.fix_edit(doc, codec, f) for f in findings])))
    return actions


_LOGGED: dict[tuple[str, int, str], None] = {}  # refusals already logged, per document text (bounded)


def _once(uri: str, text: str, log: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """``log``, saying each refusal once per text of a document: editors ask for actions at every cursor move."""
    if log is None:
        return None

    def say(message: str) -> None:
        key = (uri, hash(text), message)  # a str caches its hash: cheap for the same text
        if key not in _LOGGED:
            if len(_LOGGED) >= 512:
                _LOGGED.clear()
            _LOGGED[key] = None
            log(message)

    return say


def wanted(kind: str, only: list[str] | None) -> bool:
    """LSP's ``only`` filter: a requested kind matches itself and every kind below it."""
    if not only:
        return True
    return any(kind == str(k) or kind.startswith(f"{k}.") for k in only)
