"""``python -m pip_cache_lsp`` runs the same entry point as the console script."""

from pip_cache_lsp.cli import main

raise SystemExit(main())
