#!/usr/bin/env bash
# Vendor the Python server into bundled/libs for the .vsix: pip_cache_lsp (from this repository)
# and its dependencies at the versions in bundled/constraints.txt.
#
# tree-sitter and tree-sitter-bash are binary wheels. tree-sitter-bash is abi3 (any CPython >= 3.9);
# tree-sitter has one extension module per CPython version, so besides the one pip installs for
# the interpreter building the .vsix, the modules of the other supported CPythons (3.10-3.14) for
# the same platform are added next to it (their file names carry the ABI tag, so they coexist).
# The .vsix is therefore specific to the platform it is built on (e.g. linux-x64, glibc).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PY="${PYTHON:-python3}"
LIBS="$HERE/bundled/libs"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

rm -rf "$LIBS"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-315532800}"
# Build the project's wheel from a copy, so the work tree gets no build/ or egg-info.
mkdir -p "$TMP/src"
cp "$ROOT/pyproject.toml" "$TMP/src/"
[ -f "$ROOT/README.md" ] && cp "$ROOT/README.md" "$TMP/src/"
[ -f "$ROOT/LICENSE" ] && cp "$ROOT/LICENSE" "$TMP/src/"
(cd "$ROOT" && tar cf - --exclude='__pycache__' --exclude='*.egg-info' server) | tar xf - -C "$TMP/src"
"$PY" -m pip install --quiet --no-compile --target "$LIBS" -c "$HERE/bundled/constraints.txt" "$TMP/src"

# Extension modules of tree-sitter for the other CPython versions.
ts_version="$(sed -n 's/^tree-sitter==//p' "$HERE/bundled/constraints.txt")"
platforms="$("$PY" - <<'PYEOF'
import sysconfig
plat = sysconfig.get_platform()  # e.g. linux-x86_64
arch = plat.split("-", 1)[1] if plat.startswith("linux-") else ""
if arch:
    print(" ".join(f"--platform manylinux_2_17_{arch} --platform manylinux2014_{arch} --platform manylinux_2_28_{arch}".split()))
PYEOF
)"
if [ -n "$platforms" ]; then
  for minor in 10 11 12 13 14; do
    ls "$LIBS/tree_sitter/"_binding.cpython-3${minor}-* >/dev/null 2>&1 && continue
    # shellcheck disable=SC2086
    if "$PY" -m pip download --quiet --no-deps --only-binary=:all: --python-version "3.$minor" \
         --implementation cp $platforms -d "$TMP/wheels/3$minor" "tree-sitter==$ts_version" 2>/dev/null; then
      "$PY" -m zipfile -e "$TMP/wheels/3$minor/"*.whl "$TMP/unpacked/3$minor"
      cp "$TMP/unpacked/3$minor/tree_sitter/"_binding.cpython-3${minor}-*.so "$LIBS/tree_sitter/"
    else
      echo "note: no tree-sitter $ts_version wheel for CPython 3.$minor on this platform" >&2
    fi
  done
fi

# Nothing that differs between builds: no bytecode, no pip bookkeeping with paths or times.
find "$LIBS" -name '__pycache__' -prune -exec rm -rf {} +
rm -rf "$LIBS/bin"
find "$LIBS" -name 'direct_url.json' -delete
find "$LIBS" -path '*.dist-info/RECORD' -delete
find "$LIBS" -path '*.dist-info/INSTALLER' -delete
echo "bundled/libs: $(ls "$LIBS" | grep -v dist-info | tr '\n' ' ')"
ls "$LIBS/tree_sitter/"_binding.*
