--- Scenario (any Neovim; run on Debian's 0.7.2): setup() started the client; in the except block
--- type `logger.` and ask for omni completion with <C-x><C-o>; the logsmith statement is offered
--- and <C-y> inserts it. Then `:checkhealth logsmith` runs.
local H = dofile(os.getenv('LOGSMITH_TEST_DIR') .. '/harness.lua')

H.run(function()
  H.record('start', _G.logsmith_test_start)
  H.record('version', vim.version())
  local bufnr = vim.api.nvim_get_current_buf()
  local client = H.wait_for_client(bufnr, 30000)
  H.record('omnifunc', vim.bo[bufnr].omnifunc)

  H.wait_for_model(client, 60000)

  local line = H.find_line('except ValueError') + 1
  vim.api.nvim_win_set_cursor(0, { line, 0 })
  H.type('S')
  H.type('logger.')
  H.type('<C-x><C-o>')
  local items = H.wait_for('logsmith statements from omni completion', 60000, function()
    local info = vim.fn.complete_info({ 'items' })
    return #(info.items or {}) > 0 and info.items
  end)
  H.record('items', vim.tbl_map(function(item)
    return { word = item.word, abbr = item.abbr, menu = item.menu }
  end, items))
  H.step(('omni completion offers %d item(s)'):format(#items))
  H.type('<C-y>')
  local inserted = H.wait_for_text(bufnr, items[1].word, 'the first statement in the buffer', 5000)
  H.wait_for_requests_done(client, 'workspace/executeCommand', 10000)
  H.type('<Esc>')
  H.record('status', require('logsmith.status').get(client.id).last)
  H.record('line', inserted)
  H.record('buffer', vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))

  vim.cmd('checkhealth logsmith')
  H.record('health', vim.api.nvim_buf_get_lines(0, 0, -1, false))
  H.step('checkhealth done; client ' .. client.id)
end)
