-- pip-cache-lsp for Neovim 0.7 to 0.10 (e.g. Debian 12's neovim 0.7.2), built-in client, no plugins.
-- Put this in your init.lua (or `dofile()` this file from it).
-- `pip-cache-lsp` must be on PATH (pipx install pip-cache-lsp, or your venv's bin/).
-- One server process serves every Dockerfile buffer; a new one starts if it has exited.
local client_id
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'dockerfile',
  group = vim.api.nvim_create_augroup('pip_cache_lsp', { clear = true }),
  callback = function(args)
    if not (client_id and vim.lsp.get_client_by_id(client_id)) then
      client_id = vim.lsp.start_client({
        name = 'pip_cache_lsp',
        cmd = { 'pip-cache-lsp', 'serve' },
        root_dir = vim.fn.getcwd(),
        -- Optional settings: enable (true), severity ('warning'), honourEnv (true).
        init_options = { severity = 'warning' },
      })
    end
    if client_id then
      vim.lsp.buf_attach_client(args.buf, client_id)
    end
  end,
})
