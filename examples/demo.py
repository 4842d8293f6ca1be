"""The main job: check ``examples/Dockerfile`` and show the fix, as a user would see it."""

from __future__ import annotations

import subprocess
import sys


def main(path: str) -> int:
    cli = [sys.executable, "-m", "pip_cache_lsp", "check"]
    print(f"$ pip-cache-lsp check {path}")
    subprocess.run([*cli, path], check=False)
    print(f"\n$ pip-cache-lsp check --diff {path}   # what --fix would write")
    done = subprocess.run([*cli, "--diff", path], check=False, capture_output=True, text=True)
    print(done.stdout.split("\n--- ", 1)[-1].join(["--- ", ""]) if "\n--- " in done.stdout else done.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "examples/Dockerfile"))
