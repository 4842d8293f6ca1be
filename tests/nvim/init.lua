-- Test harness for tests/nvim/test_neovim.py: `nvim --headless --clean -u init.lua Dockerfile`.
-- It loads a config from docs/neovim/ exactly as a user would, then, once the Dockerfile is open,
-- waits for the diagnostics, applies the preferred quick fix through Neovim's own code-action
-- machinery, waits for the diagnostics to clear, writes the file and reports to $PCL_RESULT (JSON).
-- $PCL_CASE=lone-cr: the Dockerfile has a lone CR inside a line; every finding is fixed in turn.
-- $PCL_CASE=pick: the action whose title starts with $PCL_PICK is applied (the stage's ENV, a
-- cache mount), then the harness waits for fewer diagnostics and writes the file.
local result_path = assert(os.getenv('PCL_RESULT'), 'PCL_RESULT not set')
local timeout = tonumber(os.getenv('PCL_TIMEOUT') or '15000')
local modern = vim.fn.has('nvim-0.11') == 1
local result = { steps = {}, modern = modern, version = tostring(vim.version().major) .. '.'
  .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch) }

local lsp_log = require('vim.lsp.log') -- same module on 0.7 and 0.12, no deprecation notices
lsp_log.set_level('debug')
result.log_path = lsp_log.get_filename()

-- The user's config, verbatim from docs/neovim/.
local config = os.getenv('PCL_CONFIG')
if config:match('%.lua$') then
  dofile(config)
else -- a directory holding lsp/pip_cache_lsp.lua: the runtime-file form
  vim.opt.runtimepath:prepend(config)
  vim.lsp.enable('pip_cache_lsp')
end

local function step(name) table.insert(result.steps, name) end

local function finish(err)
  result.error = err
  local file = assert(io.open(result_path, 'w'))
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd(err and 'cquit! 3' or 'qall!')
end

local function wait_for(what, predicate)
  if not vim.wait(timeout, predicate, 20) then
    error(('timed out after %d ms waiting for %s'):format(timeout, what), 0)
  end
  step(what)
end

local function clients()
  if modern then return vim.lsp.get_clients({ bufnr = 0, name = 'pip_cache_lsp' }) end
  local found = {}
  for _, client in pairs(vim.lsp.buf_get_clients(0)) do
    if client.name == 'pip_cache_lsp' then table.insert(found, client) end
  end
  return found
end

local function snapshot_diagnostics()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(out, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, source = d.source, code = d.code, message = d.message })
  end
  return out
end

-- Applies the preferred action at the cursor (or the first one ``choose`` accepts); returns the
-- titles offered (also in result.offered).
local function apply_preferred_fix(client, choose)
  choose = choose or function(action) return action.isPreferred end
  local tick = vim.api.nvim_buf_get_changedtick(0)
  result.offered = {}
  if modern then
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(action)
        table.insert(result.offered, action.title)
        return choose(action)
      end,
    })
  else
    -- 0.7's code_action() has no apply/filter: ask with the same request it would send and
    -- apply the chosen action with the same function it would use.
    local params = vim.lsp.util.make_range_params(nil, client.offset_encoding)
    params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(0) }
    local responses = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, timeout)
    local chosen
    for _, response in pairs(responses or {}) do
      for _, action in ipairs(response.result or {}) do
        table.insert(result.offered, action.title)
        if choose(action) and not chosen then chosen = action end
      end
    end
    if not chosen then error('no matching code action offered', 0) end
    vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  end
  wait_for('the quick fix applied', function() return vim.api.nvim_buf_get_changedtick(0) ~= tick end)
  return result.offered
end

local function run()
  step('started')
  wait_for('the client attached', function() return #clients() > 0 end)
  local client = clients()[1]
  result.offset_encoding = client.offset_encoding
  result.filetype = vim.bo.filetype
  wait_for('diagnostics', function() return #vim.diagnostic.get(0) > 0 end)
  result.diagnostics = snapshot_diagnostics()
  local first = result.diagnostics[1]
  vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
  apply_preferred_fix(client)
  wait_for('diagnostics cleared', function() return #vim.diagnostic.get(0) == 0 end)
  result.after = snapshot_diagnostics()
  vim.cmd('write')
  step('written')
  -- A second Dockerfile: the config attaches it to the same server, which checks it too.
  vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('PCL_SECOND'))))
  wait_for('the second buffer attached', function() return #clients() > 0 end)
  wait_for('diagnostics in the second buffer', function() return #vim.diagnostic.get(0) > 0 end)
  result.second_filetype = vim.bo.filetype
  result.second_diagnostics = snapshot_diagnostics()
  result.same_client = clients()[1].id == client.id
  result.client_count = modern and #vim.lsp.get_clients() or #vim.tbl_keys(vim.lsp.get_active_clients())
end

-- A lone CR inside line 2 (issue 17).  Neovim keeps it in the buffer line (fileformat=unix, shown
-- as ^M) and counts lines by LF only; the server must too.  Fix the findings one after the other,
-- each from its own line, as a user would, then write.
local function run_lone_cr()
  step('started')
  result.fileformat = vim.bo.fileformat
  result.lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  wait_for('the client attached', function() return #clients() > 0 end)
  local client = clients()[1]
  result.offset_encoding = client.offset_encoding
  result.filetype = vim.bo.filetype
  wait_for('diagnostics', function() return #vim.diagnostic.get(0) > 0 end)
  local function sorted()
    local list = snapshot_diagnostics()
    table.sort(list, function(a, b) return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col) end)
    return list
  end
  result.diagnostics = sorted()
  result.fixes = {}
  for round = 1, #result.diagnostics do
    local remaining = sorted()
    if #remaining == 0 then break end
    local target = remaining[1]
    vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
    local offered = apply_preferred_fix(client)
    local count = #remaining
    wait_for('diagnostics after fix ' .. round, function() return #vim.diagnostic.get(0) < count end)
    table.insert(result.fixes, { lnum = target.lnum, col = target.col, offered = offered,
      line_after = vim.api.nvim_buf_get_lines(0, target.lnum, target.lnum + 1, false)[1],
      remaining = sorted() })
  end
  result.after = sorted()
  result.lines_after = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.cmd('write')
  step('written')
end

-- Apply the action titled $PCL_PICK… to the first finding; it fixes several at once.
local function run_pick()
  local wanted = assert(os.getenv('PCL_PICK'), 'PCL_PICK not set')
  step('started')
  wait_for('the client attached', function() return #clients() > 0 end)
  local client = clients()[1]
  result.offset_encoding = client.offset_encoding
  wait_for('diagnostics', function() return #vim.diagnostic.get(0) > 0 end)
  result.diagnostics = snapshot_diagnostics()
  local first = result.diagnostics[1]
  for _, d in ipairs(result.diagnostics) do
    if d.lnum < first.lnum or (d.lnum == first.lnum and d.col < first.col) then first = d end
  end
  vim.api.nvim_win_set_cursor(0, { first.lnum + 1, first.col })
  local count = #result.diagnostics
  apply_preferred_fix(client, function(action) return action.title:sub(1, #wanted) == wanted end)
  wait_for('fewer diagnostics', function() return #vim.diagnostic.get(0) < count end)
  result.after = snapshot_diagnostics()
  vim.cmd('write')
  step('written')
end

local cases = { ['lone-cr'] = run_lone_cr, pick = run_pick }

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    -- Leave the VimEnter handler first so that startup completes, then drive the editor.
    vim.schedule(function()
      local ok, err = xpcall(cases[os.getenv('PCL_CASE')] or run, debug.traceback)
      finish(not ok and tostring(err) or nil)
    end)
  end,
})
