#!/usr/bin/env bash
# Step 1 of the GitHub Action (action.yml): install this checkout of pip-cache-lsp into a virtualenv
# under $RUNNER_TEMP and write its executable's path to $GITHUB_OUTPUT as `bin`.
#
# A virtualenv, not `pip install --user`: the runners' system Pythons are "externally managed"
# (PEP 668) and the job's own environment stays untouched. A second use of the action in the same
# job finds the virtualenv stamped with this action's path and reuses it.
set -euo pipefail

action_path=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set (this script runs inside the action)}
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
venv=$temp/pip-cache-lsp-venv
stamp=$venv/.pip-cache-lsp-action

python=$(command -v python3 || command -v python || true)
if [ -z "$python" ]; then
    echo "::error title=pip-cache-lsp::no python3 on PATH; set the action's python-version input" >&2
    exit 2
fi

venv_bin() {  # the virtualenv's scripts directory: bin, or Scripts on Windows
    if [ -d "$venv/Scripts" ]; then printf '%s\n' "$venv/Scripts"; else printf '%s\n' "$venv/bin"; fi
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$action_path" ] && [ -x "$(venv_bin)/pip-cache-lsp" ]; then
    echo "pip-cache-lsp already installed in $venv"
else
    "$python" -m venv --clear "$venv"
    "$(venv_bin)/python" -m pip install --disable-pip-version-check --quiet "$action_path"
    printf '%s' "$action_path" > "$stamp"
fi

bin=$(venv_bin)/pip-cache-lsp
"$bin" --version
printf 'bin=%s\n' "$bin" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
