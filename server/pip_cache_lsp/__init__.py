"""pip-cache-lsp: catch ``pip install`` without ``--no-cache-dir`` in Dockerfiles."""

__version__ = "0.1.0"
