"""The one diagnostics producer: findings -> LSP diagnostics, per block, reused across keystrokes.

Push (``publishDiagnostics``), pull (``textDocument/diagnostic``) and code actions
all read :meth:`DiagnosticCache.blocks`.  A block's diagnostics depend only on its
text, the line it starts on, the hits the fold left on it, the position encoding
and the policy (severity, selected rules); the cache keys each block's output on
exactly those, holding the block itself, so an entry can never be served for
another block or stale inputs.  A keystroke therefore converts (and, for push,
serializes) the edited block's diagnostics alone -- with thousands of findings this
is most of the cost of a keystroke.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from pip_cache_lsp.findings import under_policy
from pip_cache_lsp.lsp import convert

if TYPE_CHECKING:
    from collections.abc import Callable

    from pip_cache_lsp.document import Block, Document
    from pip_cache_lsp.findings import Finding
    from pip_cache_lsp.lsp.positions import PositionCodec
    from pip_cache_lsp.lsp.session import Policy


@dataclass(slots=True)
class BlockDiagnostics:
    """One block's diagnostics; ``json`` is filled when first pushed.

    Diagnostics hold line/character positions, which stay right while the block's
    first line does; findings hold absolute offsets, which any edit before the
    block moves, so they are not kept (:meth:`DiagnosticCache.pairs` re-derives them).
    """

    block: Block
    key: tuple[Any, ...]
    diagnostics: list[types.Diagnostic]
    json: str | None = None


class DiagnosticCache:
    """Per-document cache of per-block diagnostics, rebuilt from the blocks each call.

    Entries are found by the block's identity and checked against the block
    itself (held, so its id cannot be reused) and the key of its inputs; entries
    of blocks that are gone are dropped on the next call.
    """

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[int, BlockDiagnostics] = {}

    def blocks(self, doc: Document, codec: PositionCodec, policy: Policy) -> list[tuple[int, BlockDiagnostics]]:
        """(start, diagnostics) of every block with findings under ``policy``, in order."""
        if not policy.enabled:
            self._entries = {}
            return []
        active = doc.active_codes(policy.selected)
        if not active:
            self._entries = {}
            return []
        old, new = self._entries, {}
        out = []
        line_of, encoding = doc.lines.line_of, codec.encoding
        for start, block in doc.blocks_with_findings(policy.honour_env):
            key = (line_of(start), encoding, policy, active, block.hits, doc.placement(block))
            entry = old.get(id(block))
            if entry is None or entry.block is not block or entry.key != key:
                entry = BlockDiagnostics(block, key, [
                    convert.diagnostic(doc, codec, f, policy.severity_of(f)) for f in self._shown(doc, start, block,
                                                                                               active, policy)])
            new[id(block)] = entry
            if entry.diagnostics:
                out.append((start, entry))
        self._entries = new
        return out

    def diagnostics(self, doc: Document, codec: PositionCodec, policy: Policy) -> list[types.Diagnostic]:
        return [d for _, entry in self.blocks(doc, codec, policy) for d in entry.diagnostics]

    def pairs(self, doc: Document, codec: PositionCodec, policy: Policy) -> list[tuple[Finding, types.Diagnostic]]:
        """Each finding with its diagnostic (code actions attach the very diagnostics published)."""
        active = doc.active_codes(policy.selected)
        return [pair for start, entry in self.blocks(doc, codec, policy)
                for pair in zip(self._shown(doc, start, entry.block, active, policy), entry.diagnostics, strict=True)]

    @staticmethod
    def _shown(doc: Document, start: int, block: Block, active: frozenset[str], policy: Policy) -> list[Finding]:
        """The block's findings as the policy shows them (builder stages: information, ignore or report)."""
        return [shown for f in doc.findings_in(start, block, active)
                if (shown := under_policy(f, policy.builder_stages)) is not None]

    def publish_body(self, uri: str, version: int | None, doc: Document, codec: PositionCodec, policy: Policy,
                     unstructure: Callable[[Any], Any]) -> str:
        """The JSON-RPC ``publishDiagnostics`` notification, with each block's part serialized once."""
        parts = []
        for _, entry in self.blocks(doc, codec, policy):
            if entry.json is None:
                entry.json = ",".join(json.dumps(unstructure(d)) for d in entry.diagnostics)
            parts.append(entry.json)
        return _PUBLISH.format(method=json.dumps(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), uri=json.dumps(uri),
                               version=json.dumps(version), diagnostics=",".join(parts))


# The notification as pygls would send it, with the diagnostics array spliced in already serialized.
_PUBLISH = '{{"jsonrpc": "2.0", "method": {method}, "params": {{"uri": {uri}, "version": {version}, ' \
           '"diagnostics": [{diagnostics}]}}}}'
