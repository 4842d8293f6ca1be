# VS Code extension (client-vscode/): `make vsix` builds it, `make test-vscode` runs its unit tests
# and an end-to-end test in a real VS Code (code-server, driven by Playwright and Debian's chromium).
VSCODE_DIR  := client-vscode
VSIX        := $(VSCODE_DIR)/pip-cache-lsp.vsix
NODE_STAMP  := $(VSCODE_DIR)/node_modules/.npm-ci
CODE_SERVER := .tools/code-server/node_modules/.bin/code-server

TEST_SUITES += test-vscode

.PHONY: vsix test-vscode test-vscode-unit test-vscode-e2e code-server

$(NODE_STAMP): $(VSCODE_DIR)/package-lock.json $(VSCODE_DIR)/package.json
	cd $(VSCODE_DIR) && npm ci --no-audit --no-fund
	touch $@

vsix: $(STAMP) $(NODE_STAMP) ## build client-vscode/pip-cache-lsp.vsix (bundles the server for this Python/platform)
	PYTHON=$(abspath $(PY)) bash $(VSCODE_DIR)/scripts/bundle-python.sh
	cd $(VSCODE_DIR) && npm run --silent package

test-vscode-unit: $(NODE_STAMP) ## VS Code extension: unit tests (VS Code API stubbed)
	cd $(VSCODE_DIR) && npm run --silent test:unit

code-server: ## install code-server into .tools/ (reused when present)
	bash tests/vscode/install-code-server.sh

test-vscode-e2e: vsix code-server ## VS Code extension: end to end in code-server + chromium
	cd $(VSCODE_DIR) && node --test test/e2e/

test-vscode: test-vscode-unit test-vscode-e2e ## VS Code extension: unit tests, then end to end
