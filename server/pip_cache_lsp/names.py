"""Names the tool is known by, in one place: the server, the CLI and the reports share them.

Kept free of imports so the language server can answer ``initialize`` before the
parser and tree-sitter are loaded.  A rule's own names live in its module
(``pip_cache_lsp/rules/``).
"""

SOURCE = "pip-cache-lsp"
SEVERITIES = ("error", "warning", "info")  # for reports and [tool.pip-cache-lsp]
FORMATS = ("github", "json", "sarif", "text")  # report.WRITERS implements each
THRESHOLDS = ("error", "warning", "info", "none")  # --failure-threshold, as hadolint names them
BUILDER_STAGES = ("report", "information", "ignore")  # findings in stages that never reach the final image
FIX_STRATEGIES = ("flag", "env", "mount")  # check --fix-strategy; remedies.STRATEGIES, in the same order
