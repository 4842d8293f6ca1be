"""The shared corpus of real Dockerfiles, for the tests that read it (each skips without it).

The corpus belongs to its projects and is never copied here.  ``$PIP_CACHE_LSP_CORPUS``
names its directory of files, as for ``bench/``; otherwise it is ``shared/corpus/files``
beside the clone, or where this workplace keeps it.
"""

from __future__ import annotations

import os
from pathlib import Path

_PLACES = (Path(__file__).resolve().parents[2] / "shared" / "corpus" / "files", Path("/work/shared/corpus/files"))
CORPUS = Path(os.environ["PIP_CACHE_LSP_CORPUS"]) if "PIP_CACHE_LSP_CORPUS" in os.environ else next(
    (place for place in _PLACES if place.is_dir()), _PLACES[0])
FILES = sorted(p for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else []
