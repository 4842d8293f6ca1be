"""Puts ``tests/`` on the import path, so that tests in subdirectories share its helpers (``corpus_files``)."""
