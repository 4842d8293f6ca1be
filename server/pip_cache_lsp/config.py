"""Project settings from ``[tool.pip-cache-lsp]`` in the scanned project's pyproject.toml.

Shared by the CLI and the server so a team's editor and CI agree.  The nearest
``pyproject.toml`` holding the table wins (as ruff finds its own), searching
upwards from the checked file or directory.  Keys: ``honour-env`` (bool),
``severity`` (``error``/``warning``/``info``), ``exclude`` (globs, relative to
the pyproject's directory; a pattern without ``/`` matches a file or directory
name anywhere), ``select`` / ``ignore`` (rule codes), ``builder-stages``
(``information``/``report``/``ignore``), ``failure-threshold`` and ``fix-strategy``
(what ``check --fix`` inserts: ``flag``/``env``/``mount``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from pip_cache_lsp.names import BUILDER_STAGES, FIX_STRATEGIES, SEVERITIES, THRESHOLDS

TABLE = "pip-cache-lsp"


class ConfigError(Exception):
    """A pyproject table we cannot use; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """Settings found for a project; None means "not set here"."""

    root: Path | None = None
    honour_env: bool | None = None
    severity: str | None = None
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    builder_stages: str | None = None
    failure_threshold: str | None = None
    fix_strategy: str | None = None

    def excluded(self, path: str | Path) -> bool:
        if not self.exclude or self.root is None:
            return False
        try:
            relative = Path(path).resolve().relative_to(self.root)
        except ValueError:
            return False
        text = relative.as_posix()
        parts = relative.parts
        for pattern in self.exclude:
            pattern = pattern.rstrip("/")
            if "/" in pattern:
                if fnmatchcase(text, pattern) or any(
                    fnmatchcase("/".join(parts[:i]), pattern) for i in range(1, len(parts))
                ):
                    return True
            elif any(fnmatchcase(part, pattern) for part in parts):
                return True
        return False


def find_config(start: Path) -> ProjectConfig:
    """The settings of the nearest pyproject.toml with our table, from ``start`` upwards."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            config = load(candidate)
            if config is not None:
                return config
    return ProjectConfig()


def load(pyproject: Path) -> ProjectConfig | None:
    """Read one pyproject.toml; None when it has no ``[tool.pip-cache-lsp]`` table."""
    if sys.version_info >= (3, 11):  # imported here: most checks find no pyproject.toml
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read ({exc})") from None
    table = data.get("tool", {}).get(TABLE)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.{TABLE}] must be a table")
    unknown = sorted(set(table) - {"honour-env", "severity", "exclude", "select", "ignore", "builder-stages",
                                   "failure-threshold", "fix-strategy"})
    if unknown:
        raise ConfigError(f"{pyproject}: unknown key(s) in [tool.{TABLE}]: {', '.join(unknown)}")
    honour_env = table.get("honour-env")
    if honour_env is not None and not isinstance(honour_env, bool):
        raise ConfigError(f"{pyproject}: honour-env must be true or false")
    severity = table.get("severity")
    if severity is not None and severity not in SEVERITIES:
        raise ConfigError(f"{pyproject}: severity must be one of {', '.join(SEVERITIES)}")
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(p, str) for p in exclude):
        raise ConfigError(f"{pyproject}: exclude must be a list of glob strings")
    select, ignore = _codes(pyproject, table, "select"), _codes(pyproject, table, "ignore")
    builder_stages = table.get("builder-stages")
    if builder_stages is not None and builder_stages not in BUILDER_STAGES:
        raise ConfigError(f"{pyproject}: builder-stages must be one of {', '.join(BUILDER_STAGES)}")
    threshold = table.get("failure-threshold")
    if threshold is not None and threshold not in THRESHOLDS:
        raise ConfigError(f"{pyproject}: failure-threshold must be one of {', '.join(THRESHOLDS)}")
    strategy = table.get("fix-strategy")
    if strategy is not None and strategy not in FIX_STRATEGIES:
        raise ConfigError(f"{pyproject}: fix-strategy must be one of {', '.join(FIX_STRATEGIES)}")
    return ProjectConfig(pyproject.parent.resolve(), honour_env, severity, tuple(exclude), select, ignore or (),
                         builder_stages, threshold, strategy)


def _codes(pyproject: Path, table: dict[str, object], key: str) -> tuple[str, ...] | None:
    """``select`` / ``ignore``: lists of registered rule codes."""
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{pyproject}: {key} must be a list of rule codes")
    from pip_cache_lsp.rules import codes

    unknown = [v for v in value if v not in codes()]
    if unknown:
        raise ConfigError(f"{pyproject}: {key}: unknown rule code(s) {', '.join(unknown)} "
                          f"(known: {', '.join(codes())})")
    return tuple(value)
