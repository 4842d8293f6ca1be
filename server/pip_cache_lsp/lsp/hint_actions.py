"""Quick fixes for the hints: remove an unused suppression, remove a flag a cache mount makes useless.

Kept apart from :mod:`.actions` (the rules' fixes and ignores), which only calls
:func:`code_actions` here.  A hint has no "ignore" action: it is switched off with
the ``ignore`` setting, not with a comment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from pip_cache_lsp.lsp import convert
from pip_cache_lsp.rules.hints import USELESS_CACHE_MOUNT, mount_fix_title

if TYPE_CHECKING:
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.findings import Finding
    from pip_cache_lsp.lsp.positions import PositionCodec


def is_hint(finding: Finding) -> bool:
    return finding.rule.kind == "hint"


def title(doc: Document, finding: Finding) -> str:
    """The rule's title; for a flag, the flag as written (``-n`` for the letter of ``-qn``)."""
    if finding.rule is USELESS_CACHE_MOUNT:
        flag = doc.text[finding.start:finding.end]
        return mount_fix_title(flag if flag.startswith("-") else f"-{flag}")
    return finding.rule.fix_title


def code_actions(uri: str, doc: Document, codec: PositionCodec, touched: list[tuple[Finding, types.Diagnostic]],
                 ) -> list[types.CodeAction]:
    """One preferred quick fix per hint touching the requested range."""
    return [types.CodeAction(title=title(doc, finding), kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                             is_preferred=True,
                             edit=convert.workspace_edit(uri, [convert.fix_edit(doc, codec, finding)]))
            for finding, diag in touched]
