#!/usr/bin/env bash
# Step 2 of the GitHub Action (action.yml): run `pip-cache-lsp check` with the action's inputs.
#
# Inputs arrive as environment variables (action.yml maps them), never as text spliced into a script:
#   PIP_CACHE_LSP            the executable (install.sh's `bin` output; default: pip-cache-lsp on PATH)
#   INPUT_PATHS              files/directories, shell-like words (quotes for spaces); default .
#   INPUT_FORMAT             github | sarif | text | json; default github
#   INPUT_FAILURE_THRESHOLD  error | warning | info | none; default info (every finding fails)
#   INPUT_SARIF_FILE         where format sarif writes its log; default pip-cache-lsp.sarif
#   INPUT_EXTRA_ARGS         more check options, shell-like words
# Outputs (to $GITHUB_OUTPUT): exit-code, and sarif-file (empty unless format is sarif).
# The step exits with check's status, after the SARIF file is written: an upload step with
# `if: always()` still runs when findings fail the job.
# Words are split by Python's shlex (quotes and backslashes, no expansion): nothing in an input is run.
set -euo pipefail

bin=${PIP_CACHE_LSP:-pip-cache-lsp}
format=${INPUT_FORMAT:-github}
threshold=${INPUT_FAILURE_THRESHOLD:-info}
sarif_file=${INPUT_SARIF_FILE:-pip-cache-lsp.sarif}
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set (this script runs inside the action)}"

fail() {
    printf '::error title=pip-cache-lsp action::%s\n' "$1"
    exit 2
}

case $format in
    github | sarif | text | json) ;;
    *) fail "format must be github, sarif, text or json" ;;
esac
case $threshold in
    error | warning | info | none) ;;
    *) fail "failure-threshold must be error, warning, info or none" ;;
esac

python=$(command -v python3 || command -v python || true)
[ -n "$python" ] || fail "no python3 on PATH"
words_file=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/pip-cache-lsp-words.XXXXXX")
trap 'rm -f "$words_file"' EXIT

# split_words TEXT WHAT: set the array `words` to TEXT's shell-like words (WHAT names the input in errors).
split_words() {
    "$python" -c 'import shlex, sys
sys.stdout.write("".join(word + "\0" for word in shlex.split(sys.argv[1])))' "$1" > "$words_file" \
        || fail "cannot split the $2 input into words (unbalanced quotes?)"
    words=()
    local word
    while IFS= read -r -d '' word; do
        words+=("$word")
    done < "$words_file"
}

split_words "${INPUT_PATHS-.}" paths
paths=(${words[@]+"${words[@]}"})
split_words "${INPUT_EXTRA_ARGS-}" extra-args
extra=(${words[@]+"${words[@]}"})
[ "${#paths[@]}" -gt 0 ] || paths=(.)

args=(check --format "$format")
# --failure-threshold is passed when this pip-cache-lsp has it; without it every finding fails,
# which is what the default (info) means anyway, and `none` is --exit-zero.
help=$("$bin" check --help 2>&1 || true)
case $help in
    *--failure-threshold*) args+=(--failure-threshold "$threshold") ;;
    *)
        case $threshold in
            info) ;;
            none) args+=(--exit-zero) ;;
            *) printf '::warning title=pip-cache-lsp action::%s\n' \
                "this pip-cache-lsp has no --failure-threshold: failure-threshold $threshold is ignored, every finding fails" ;;
        esac
        ;;
esac
args+=("${extra[@]+"${extra[@]}"}" -- "${paths[@]}")

# set_output NAME VALUE: append to $GITHUB_OUTPUT, in the multi-line form when VALUE has a newline.
set_output() {
    case $2 in
        *$'\n'*)
            local delimiter="pip_cache_lsp_$RANDOM$RANDOM$RANDOM"
            printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >> "$GITHUB_OUTPUT" ;;
        *) printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT" ;;
    esac
}

status=0
if [ "$format" = sarif ]; then
    case $sarif_file in ?*/*) mkdir -p -- "${sarif_file%/*}" ;; esac
    "$bin" "${args[@]}" > "$sarif_file" || status=$?
    echo "pip-cache-lsp: SARIF log written to $sarif_file (exit status $status)"
    set_output sarif-file "$sarif_file"
else
    "$bin" "${args[@]}" || status=$?
    set_output sarif-file ""
fi
set_output exit-code "$status"
exit "$status"
