-- pip-cache-lsp as a runtime LSP config file (Neovim 0.11+; the layout nvim-lspconfig uses).
-- Copy this file to ~/.config/nvim/lsp/pip_cache_lsp.lua and put
--   vim.lsp.enable('pip_cache_lsp')
-- in your init.lua. `pip-cache-lsp` must be on PATH.
return {
  cmd = { 'pip-cache-lsp', 'serve' },
  filetypes = { 'dockerfile' },
  root_markers = { '.git' },
  init_options = { severity = 'warning' },
}
