"""Client options -> one frozen :class:`Settings`; bad values are reported and defaulted.

The object a client sends (``initializationOptions`` or the ``pipCacheLsp``
section of ``workspace/didChangeConfiguration``) is the whole configuration: a key
it leaves out takes its default, not the value it had before.  Emacs/eglot sends
false as ``:json-false``, which arrives as JSON ``false``; ``null`` for a boolean is
ignored with a warning (the default applies).  Rule codes come from the registry,
so a new rule is selectable with no edit here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from pip_cache_lsp.rules import codes

SECTION = "pipCacheLsp"
SEVERITY_KINDS = {  # setting and [tool.pip-cache-lsp] names -> LSP severities
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
# lineBreaks: read at initialize (session.lone_cr_breaks_lines)
KEYS = frozenset({"enable", "severity", "honourEnv", "select", "ignore", "builderStages", "maxFileSize",
                  "maxDiagnostics", "lineBreaks", "offerCacheMount"})
BUILDER_STAGES = ("report", "information", "ignore")
_MAX_UNKNOWN_NAMED = 5  # a flood of unknown keys is reported once, summarised


@dataclass(frozen=True, slots=True)
class Settings:
    """What the user can change: documented in README's settings table.

    ``severity`` None means each rule's own default; ``select`` None means every rule.
    """

    enable: bool = True
    severity: types.DiagnosticSeverity | None = None
    honour_env: bool = True
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    builder_stages: str | None = None  # None: "information", unless the project says otherwise
    max_file_size: int = 2_000_000  # characters; a bigger document is not checked (one warning says so)
    max_diagnostics: int = 1000  # per document; one more diagnostic says how many were left out
    offer_cache_mount: bool = False  # offer the cache-mount fix in a file with no sign of BuildKit

    def selected(self) -> frozenset[str]:
        """The codes reported: ``select`` (default all registered) minus ``ignore``."""
        chosen = frozenset(codes()) if self.select is None else self.select
        return chosen - self.ignore


def parse_settings(raw: Any, warn: Callable[[str], None], base: Settings | None = None) -> Settings:
    """Read the keys in :data:`KEYS` (optionally under ``pipCacheLsp``).

    A key left out takes its default.  ``base`` is kept only when ``raw`` is not an
    object at all (nothing usable was sent).
    """
    current = base or Settings()
    if raw is None:
        return current
    if isinstance(raw, dict) and SECTION in raw:
        raw = raw[SECTION]  # {"pipCacheLsp": "off"} is a mistake to report, not an empty object
    if raw is None:
        return Settings()
    if not isinstance(raw, dict):
        warn(f"ignoring settings that are not an object: {raw!r}")
        return current
    unknown = sorted(str(key) for key in raw.keys() - KEYS)
    if unknown:
        named = ", ".join(repr(key) for key in unknown[:_MAX_UNKNOWN_NAMED])
        more = f" and {len(unknown) - _MAX_UNKNOWN_NAMED} more" if len(unknown) > _MAX_UNKNOWN_NAMED else ""
        warn(f"ignoring {len(unknown)} unknown setting(s) {named}{more} (known: {', '.join(sorted(KEYS))})")
    defaults = Settings()
    enable = _boolean(raw, "enable", defaults.enable, warn)
    honour_env = _boolean(raw, "honourEnv", defaults.honour_env, warn)
    severity = defaults.severity
    if "severity" in raw:
        value = raw["severity"]
        if isinstance(value, str) and value.lower() in SEVERITY_KINDS:
            severity = SEVERITY_KINDS[value.lower()]
        elif value is not None:
            warn(f"setting severity must be one of error, warning, information, hint, not {value!r}; "
                 "using each rule's default")
    select = _codes(raw, "select", warn)
    ignore = _codes(raw, "ignore", warn)
    builder_stages = raw.get("builderStages")
    if builder_stages is not None and builder_stages not in BUILDER_STAGES:
        warn(f"setting builderStages must be one of {', '.join(BUILDER_STAGES)}, not {builder_stages!r}; "
             "using information")
        builder_stages = None
    max_file_size = _count(raw, "maxFileSize", defaults.max_file_size, warn)
    max_diagnostics = _count(raw, "maxDiagnostics", defaults.max_diagnostics, warn)
    offer_cache_mount = _boolean(raw, "offerCacheMount", defaults.offer_cache_mount, warn)
    return Settings(enable, severity, honour_env, select, ignore or frozenset(), builder_stages, max_file_size,
                    max_diagnostics, offer_cache_mount)


def _boolean(raw: dict[str, Any], key: str, default: bool, warn: Callable[[str], None]) -> bool:
    if key not in raw:
        return default
    value = raw[key]
    if isinstance(value, bool):
        return value
    warn(f"setting {key} must be true or false, not {'null' if value is None else repr(value)}; using {default}")
    return default


def _count(raw: dict[str, Any], key: str, default: int, warn: Callable[[str], None]) -> int:
    if key not in raw:
        return default
    value = raw[key]
    if type(value) is int and value > 0:
        return value
    warn(f"setting {key} must be a positive integer, not {'null' if value is None else repr(value)}; using {default}")
    return default


def _codes(raw: dict[str, Any], key: str, warn: Callable[[str], None]) -> frozenset[str] | None:
    """A list of rule codes; unknown codes are reported and dropped."""
    if key not in raw or raw[key] is None:
        return None
    value = raw[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        warn(f"setting {key} must be a list of rule codes, not {value!r}; ignored")
        return None
    known = set(codes())
    bad = [v for v in value if v not in known]
    if bad:
        warn(f"setting {key}: unknown rule code(s) {', '.join(map(repr, bad))} (known: {', '.join(sorted(known))})")
    return frozenset(v for v in value if v in known)
