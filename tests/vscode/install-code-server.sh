#!/usr/bin/env bash
# Install code-server (VS Code in a browser) from the npm registry into .tools/code-server,
# for the VS Code end-to-end test. Reused when already present (the install takes ~4 min, ~320 MB).
# Needs the Debian packages listed in .ci/apt-packages (build tools, libkrb5/libx11/libxkbfile/
# libsecret headers, ripgrep).
set -euo pipefail
VERSION="${CODE_SERVER_VERSION:-4.100.3}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="$ROOT/.tools/code-server"
BIN="$DEST/node_modules/.bin/code-server"

# The marker is written last; node_modules.asar is made by code-server's postinstall.
if [ -x "$BIN" ] && [ -f "$DEST/.installed-$VERSION" ] && [ -e "$DEST/node_modules/code-server/lib/vscode/node_modules.asar" ]; then
  echo "code-server $VERSION already in $DEST"
  exit 0
fi

rm -rf "$DEST"
mkdir -p "$DEST"
# code-server's postinstall refuses root unless unsafe_perm; node-pty's postinstall runs `npx node-gyp`;
# node-gyp takes Node's headers from /usr instead of downloading them.
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr
# npm 11.x skips dependency install scripts unless allowed; code-server's postinstall (which runs a
# nested `npm install` in lib/vscode building node-pty, spdlog, ...) needs them all.
export npm_config_dangerously_allow_all_scripts=true

# @vscode/ripgrep downloads its binary from a code host that is unreachable here: pre-seed its
# download cache with Debian's rg (the same ripgrep 13.0.0). Its postinstall runs
# `tar xvf <asset> -C bin/` and expects `rg` at the top of the tarball.
export TMPDIR="$ROOT/.tools/tmp"
RG="$(command -v rg || true)"
if [ -z "$RG" ]; then echo "ripgrep (rg) is required: apt-get install ripgrep" >&2; exit 1; fi
case "$(uname -m)" in
  x86_64) target=x86_64-unknown-linux-musl ;;
  aarch64) target=aarch64-unknown-linux-musl ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
mkdir -p "$TMPDIR/rg-stage"
cp "$RG" "$TMPDIR/rg-stage/rg"
for rgver in 1.15.11; do  # the @vscode/ripgrep that code-server 4.100.3 pins
  mkdir -p "$TMPDIR/vscode-ripgrep-cache-$rgver"
  tar czf "$TMPDIR/vscode-ripgrep-cache-$rgver/ripgrep-v13.0.0-10-$target.tar.gz" -C "$TMPDIR/rg-stage" rg
done

echo "installing code-server $VERSION into $DEST (takes a few minutes)"
start=$(date +%s)
cd "$DEST"
echo '{"name":"code-server-tool","private":true}' > package.json
npm install --no-audit --no-fund --loglevel=error "code-server@$VERSION"
"$BIN" --version
touch "$DEST/.installed-$VERSION"
echo "code-server installed in $(( $(date +%s) - start ))s"
