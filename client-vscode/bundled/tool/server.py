"""Start the pip-cache-lsp language server bundled in the VS Code extension.

bundled/libs (pip_cache_lsp and its dependencies, installed there when the .vsix is built) goes
first on sys.path, so the server runs whatever else the interpreter has installed.

``server.py --check`` prints the Python version on its first line, then imports the server and
its dependencies and exits 0 when they load; the extension runs it before starting the server, so
that a missing, too old or mismatched Python becomes one clear message instead of a stack trace.
This file keeps to syntax that old Pythons parse, so that they reach the version check.
"""

import os
import sys

MIN_PYTHON = (3, 10)
LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")


def check():
    sys.stdout.write("%d.%d.%d\n" % tuple(sys.version_info[:3]))
    sys.stdout.flush()
    if tuple(sys.version_info[:2]) < MIN_PYTHON:
        sys.stderr.write("Python %d.%d or newer is needed\n" % MIN_PYTHON)
        return 3
    try:
        import tree_sitter_bash  # noqa: F401  a binary wheel: fails on another Python/platform
        import pip_cache_lsp.cli  # noqa: F401
        import pip_cache_lsp.lsp.server  # noqa: F401
        import pygls  # noqa: F401
    except Exception as exc:  # noqa: BLE001  any import failure is reported the same way
        # A compiled module that does not load may not say which it is ("libc.musl-x86_64.so.1:
        # cannot open shared object file"): its path is added, for the extension's message.
        where = getattr(exc, "path", None) if isinstance(exc, ImportError) else None
        if where and where not in str(exc):
            try:
                where = os.path.relpath(where, LIBS).replace(os.sep, "/")
            except ValueError:  # another drive, on Windows
                pass
            sys.stderr.write("%s: %s (%s)\n" % (type(exc).__name__, exc, where))
        else:
            sys.stderr.write("%s: %s\n" % (type(exc).__name__, exc))
        return 4
    return 0


def main():
    if os.path.isdir(LIBS):
        sys.path.insert(0, LIBS)
    if sys.argv[1:] == ["--check"]:
        return check()
    if tuple(sys.version_info[:2]) < MIN_PYTHON:
        sys.stderr.write("pip-cache-lsp needs Python %d.%d or newer\n" % MIN_PYTHON)
        return 3
    from pip_cache_lsp.cli import main as cli_main

    return cli_main(["serve"])


if __name__ == "__main__":
    sys.exit(main())
