"""Client options -> one frozen :class:`Settings`; bad values are reported and defaulted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

SECTION = "pipCacheLsp"
SEVERITY_KINDS = {  # setting and [tool.pip-cache-lsp] names -> LSP severities
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
KEYS = frozenset({"enable", "severity", "honourEnv"})


@dataclass(frozen=True, slots=True)
class Settings:
    """What the user can change: documented in README's settings table."""

    enable: bool = True
    severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Warning
    honour_env: bool = True


def parse_settings(raw: Any, warn: Callable[[str], None], base: Settings | None = None) -> Settings:
    """Read ``{enable, severity, honourEnv}`` (optionally under ``pipCacheLsp``) over ``base``."""
    current = base or Settings()
    if raw is None:
        return current
    if isinstance(raw, dict) and SECTION in raw:
        raw = raw[SECTION]  # {"pipCacheLsp": "off"} is a mistake to report, not an empty object
    if not isinstance(raw, dict):
        warn(f"ignoring settings that are not an object: {raw!r}")
        return current
    for key in sorted(raw.keys() - KEYS, key=str):
        warn(f"ignoring unknown setting {key!r} (known: {', '.join(sorted(KEYS))})")
    enable, severity, honour_env = current.enable, current.severity, current.honour_env
    if "enable" in raw:
        if isinstance(raw["enable"], bool):
            enable = raw["enable"]
        else:
            warn(f"setting enable must be true or false, not {raw['enable']!r}; keeping {enable}")
    if "severity" in raw:
        value = raw["severity"]
        if isinstance(value, str) and value.lower() in SEVERITY_KINDS:
            severity = SEVERITY_KINDS[value.lower()]
        else:
            warn(f"setting severity must be one of error, warning, information, hint, not {value!r}")
    if "honourEnv" in raw:
        if isinstance(raw["honourEnv"], bool):
            honour_env = raw["honourEnv"]
        else:
            warn(f"setting honourEnv must be true or false, not {raw['honourEnv']!r}; keeping {honour_env}")
    return Settings(enable, severity, honour_env)
