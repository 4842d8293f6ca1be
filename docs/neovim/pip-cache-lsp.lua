-- pip-cache-lsp for Neovim 0.11 and newer: built-in LSP client, no plugins.
-- Put this in your init.lua (or `dofile()` this file from it).
-- `pip-cache-lsp` must be on PATH (pipx install pip-cache-lsp, or your venv's bin/).
vim.lsp.config('pip_cache_lsp', {
  cmd = { 'pip-cache-lsp', 'serve' },
  filetypes = { 'dockerfile' },
  root_markers = { '.git' },
  -- Optional settings: enable (true), severity ('warning'), honourEnv (true).
  init_options = { severity = 'warning' },
})
vim.lsp.enable('pip_cache_lsp')
