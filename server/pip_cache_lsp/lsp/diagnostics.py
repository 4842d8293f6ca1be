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
from pip_cache_lsp.names import SOURCE

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

    __slots__ = ("_entries", "left_out", "first_left_out")

    def __init__(self) -> None:
        self._entries: dict[int, BlockDiagnostics] = {}
        self.left_out = 0  # findings past the limit of the last capped call
        self.first_left_out: int | None = None  # offset of the first of them

    def blocks(self, doc: Document, codec: PositionCodec, policy: Policy,
               limit: int | None = None) -> list[tuple[int, BlockDiagnostics]]:
        """(start, diagnostics) of every block with findings under ``policy``, in order.

        With ``limit``, blocks after the one that reaches ``limit`` diagnostics are
        not converted: :attr:`left_out` counts their findings and :attr:`first_left_out`
        is where the first of them starts.
        """
        self.left_out, self.first_left_out = 0, None
        if not policy.enabled:
            self._entries = {}
            return []
        active = doc.active_codes(policy.selected)
        if not active:
            self._entries = {}
            return []
        old, new = self._entries, {}
        out = []
        total = 0
        line_of, encoding = doc.lines.line_of, codec.encoding
        for start, block in doc.blocks_with_findings(policy.honour_env):
            if limit is not None and total >= limit:
                hits = [hit for hit in (*block.hits, *block.hints) if hit.rule.code in active]
                if hits and self.first_left_out is None:
                    self.first_left_out = start + hits[0].start
                self.left_out += len(hits)
                continue
            key = (line_of(start), encoding, policy, active, block.hits, block.hints, doc.placement(block))
            entry = old.get(id(block))
            if entry is None or entry.block is not block or entry.key != key:
                entry = BlockDiagnostics(block, key, [
                    convert.diagnostic(doc, codec, f, policy.severity_of(f)) for f in self._shown(doc, start, block,
                                                                                               active, policy)])
            new[id(block)] = entry
            if entry.diagnostics:
                out.append((start, entry))
                total += len(entry.diagnostics)
        self._entries = new
        return out

    def diagnostics(self, doc: Document, codec: PositionCodec, policy: Policy,
                    limit: int | None = None) -> list[types.Diagnostic]:
        """Every diagnostic; with ``limit``, the first ``limit`` and one that says how many more there are."""
        out = [d for _, entry in self.blocks(doc, codec, policy, limit) for d in entry.diagnostics]
        if limit is None or (len(out) <= limit and not self.left_out):
            return out
        extra = max(0, len(out) - limit)
        at = out[limit].range.start if extra else None
        return [*out[:limit], self._more(doc, codec, limit, self.left_out + extra, at)]

    def _more(self, doc: Document, codec: PositionCodec, limit: int, count: int,
              at: types.Position | None) -> types.Diagnostic:
        """The last diagnostic of a capped list: how many were left out, at the first of them."""
        position = at or codec.position(doc, self.first_left_out or 0)
        return types.Diagnostic(range=types.Range(start=position, end=position),
                                severity=types.DiagnosticSeverity.Information, source=SOURCE,
                                message=f"{count:,} more finding(s) in this file not shown "
                                        f"(maxDiagnostics is {limit:,})")

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
                     unstructure: Callable[[Any], Any], limit: int | None = None) -> str:
        """The JSON-RPC ``publishDiagnostics`` notification, with each block's part serialized once."""
        parts: list[str] = []
        shown, extra, at = 0, 0, None
        for _, entry in self.blocks(doc, codec, policy, limit):
            diagnostics = entry.diagnostics
            if limit is not None and shown + len(diagnostics) > limit:  # the block that crosses the cap: the last
                keep = limit - shown
                parts.extend(json.dumps(unstructure(d)) for d in diagnostics[:keep])
                extra, at = len(diagnostics) - keep, diagnostics[keep].range.start
                break
            if entry.json is None:
                entry.json = ",".join(json.dumps(unstructure(d)) for d in diagnostics)
            parts.append(entry.json)
            shown += len(diagnostics)
        if limit is not None and (extra or self.left_out):
            parts.append(json.dumps(unstructure(self._more(doc, codec, limit, self.left_out + extra, at))))
        return _PUBLISH.format(method=json.dumps(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), uri=json.dumps(uri),
                               version=json.dumps(version), diagnostics=",".join(parts))


# The notification as pygls would send it, with the diagnostics array spliced in already serialized.
_PUBLISH = '{{"jsonrpc": "2.0", "method": {method}, "params": {{"uri": {uri}, "version": {version}, ' \
           '"diagnostics": [{diagnostics}]}}}}'
