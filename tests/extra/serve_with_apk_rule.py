"""``pip-cache-lsp serve`` with the extra apk rule registered first (for the LSP test)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import apk_rule  # noqa: E402

from pip_cache_lsp.cli import main  # noqa: E402

apk_rule.install()
sys.exit(main(["serve"]))
