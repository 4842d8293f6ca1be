"""Which line model a client uses, free of lsprotocol: :mod:`.session` and :mod:`.early` share it."""

from __future__ import annotations

from typing import Any

# Clients whose text model ends a line at a lone CR, as the LSP specification says ("\n", "\r\n" and "\r"):
# VS Code and its forks (vscode-languageclient sends ``vscode.env.appName``), and Helix (ropey).
LONE_CR_CLIENTS = ("visual studio code", "code-server", "code - oss", "vscodium", "cursor", "windsurf", "helix")


def breaks_lone_cr(client_name: str | None, options: Any) -> bool:
    """Whether a client named ``client_name`` counts a lone CR as a line end (see ``session.lone_cr_breaks_lines``)."""
    chosen = options.get("lineBreaks") if isinstance(options, dict) else None
    if isinstance(options, dict) and isinstance(options.get("pipCacheLsp"), dict):
        chosen = options["pipCacheLsp"].get("lineBreaks", chosen)
    if chosen in ("lsp", "lf"):
        return bool(chosen == "lsp")
    name = (client_name or "").lower()
    return any(known in name for known in LONE_CR_CLIENTS)
