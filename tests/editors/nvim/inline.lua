--- Scenario (Neovim 0.12, started with vim.lsp.enable("logsmith") and lsp/logsmith.lua): on the
--- empty line at the top of a function the ghost text appears; <Tab> accepts it.
local H = dofile(os.getenv('LOGSMITH_TEST_DIR') .. '/harness.lua')

local namespace = vim.api.nvim_create_namespace('nvim.lsp.inline_completion')

local function ghost_text(bufnr, row)
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, namespace, { row, 0 }, { row, -1 }, { details = true })) do
    local pieces = {}
    for _, chunk in ipairs(mark[4].virt_text or {}) do
      table.insert(pieces, chunk[1])
    end
    local text = table.concat(pieces)
    if text ~= '' then
      return text
    end
  end
  return nil
end

H.run(function()
  H.record('start', _G.logsmith_test_start)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = H.wait_for_client(bufnr, 30000)
  H.record('cmd', client.config.cmd and type(client.config.cmd) == 'table' and client.config.cmd or 'function')
  H.record('root_dir', client.config.root_dir)
  H.record('inline_provider', client.server_capabilities.inlineCompletionProvider ~= nil)

  H.wait_for_model(client, 60000)

  local line = H.find_line('^def load_config') + 1
  vim.api.nvim_win_set_cursor(0, { line, 0 })
  H.step('opening line ' .. line)
  H.type('S')
  local text = H.wait_for('ghost text on line ' .. line, 60000, function()
    return ghost_text(bufnr, line - 1)
  end)
  H.record('ghost_text', text)
  H.record('line_before', vim.api.nvim_buf_get_lines(bufnr, line - 1, line, false)[1])
  H.step('ghost text: ' .. text)

  H.type('<Tab>')
  local inserted = H.wait_for_text(bufnr, vim.trim(text), 'the ghost text inserted by <Tab>', 5000)
  H.wait_for_requests_done(client, 'workspace/executeCommand', 10000)
  H.type('<Esc>')
  H.record('line', inserted)
  H.record('buffer', vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
  H.record('status', require('logsmith.status').get(client.id).last)
  H.step('accepted')
end)
