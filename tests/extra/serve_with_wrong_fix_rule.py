"""``pip-cache-lsp serve`` with the wrong-fix rule registered first (the refusal test)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import wrong_fix_rule  # noqa: E402

from pip_cache_lsp.cli import main  # noqa: E402

wrong_fix_rule.install()
sys.exit(main(["serve"]))
