# VS Code extension (client-vscode/): `make vsix` builds it for this machine, `make vsix-all` for
# every platform tree-sitter has wheels for; `make test-vscode` runs its unit tests and an end-to-end
# test in a real VS Code (code-server, driven by Playwright and Debian's chromium);
# `make test-vsix-targets` checks the binaries of every platform's .vsix (tests/test_vsix_targets.py).
VSCODE_DIR  := client-vscode
VSIX        := $(VSCODE_DIR)/pip-cache-lsp.vsix
VSIX_DIST   := $(VSCODE_DIR)/dist
VSIX_WHEELS := .tools/vsix-wheels
# The `vsce package --target`s built: those PyPI has tree-sitter and tree-sitter-bash wheels for, for
# CPython 3.10-3.14. Not built: alpine-arm64 (no musllinux aarch64 wheel of tree-sitter 0.26.1),
# linux-armhf (no armv7l wheels), web (no processes). client-vscode/README.md says the same.
VSIX_TARGETS := linux-x64 linux-arm64 alpine-x64 darwin-x64 darwin-arm64 win32-x64 win32-arm64
NODE_STAMP  := $(VSCODE_DIR)/node_modules/.npm-ci
CODE_SERVER := .tools/code-server/node_modules/.bin/code-server
PACKAGE_VSIX = $(PY) $(VSCODE_DIR)/scripts/package-vsix.py --wheels $(VSIX_WHEELS) --dist $(VSIX_DIST)

TEST_SUITES += test-vscode test-vsix-targets

.PHONY: vsix vsix-all test-vscode test-vscode-unit test-vscode-e2e test-vsix-targets code-server

$(NODE_STAMP): $(VSCODE_DIR)/package-lock.json $(VSCODE_DIR)/package.json
	cd $(VSCODE_DIR) && npm ci --no-audit --no-fund
	touch $@

vsix: $(STAMP) $(NODE_STAMP) ## build client-vscode/pip-cache-lsp.vsix for this platform (a copy of dist/pip-cache-lsp-<target>.vsix)
	cd $(VSCODE_DIR) && npm run --silent typecheck
	$(PACKAGE_VSIX) --copy-to $(VSIX) host

vsix-all: $(STAMP) $(NODE_STAMP) ## build client-vscode/dist/pip-cache-lsp-<target>.vsix for every target in VSIX_TARGETS
	cd $(VSCODE_DIR) && npm run --silent typecheck
	$(PACKAGE_VSIX) $(VSIX_TARGETS)

test-vsix-targets: vsix-all ## every platform's .vsix carries binaries of its platform only (pytest)
	VSIX_TARGETS="$(VSIX_TARGETS)" VSIX_DIST=$(abspath $(VSIX_DIST)) $(PY) -m pytest -q tests/test_vsix_targets.py

test-vscode-unit: $(NODE_STAMP) ## VS Code extension: unit tests (VS Code API stubbed)
	cd $(VSCODE_DIR) && npm run --silent test:unit

code-server: ## install code-server into .tools/ (reused when present)
	bash tests/vscode/install-code-server.sh

test-vscode-e2e: vsix code-server ## VS Code extension: end to end in code-server + chromium
	cd $(VSCODE_DIR) && node --test test/e2e/

test-vscode: test-vscode-unit test-vscode-e2e ## VS Code extension: unit tests, then end to end
