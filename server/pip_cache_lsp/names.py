"""Names the rule is known by, in one place: the server, the CLI and the reports share them.

Kept free of imports so the language server can answer ``initialize`` before the
parser and tree-sitter are loaded.
"""

CODE = "pip-no-cache-dir"
SOURCE = "pip-cache-lsp"
DOCS_URL = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/pip-no-cache-dir.md"
SEVERITIES = ("error", "warning", "info")  # for reports and [tool.pip-cache-lsp]
FORMATS = ("github", "json", "sarif", "text")  # report.WRITERS implements each
