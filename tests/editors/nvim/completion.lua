--- Scenario (Neovim 0.12, started with setup()): in the except block of the fixture, type
--- `logger.`; the logsmith item appears in the completion menu; accept it with <C-y>.
local H = dofile(os.getenv('LOGSMITH_TEST_DIR') .. '/harness.lua')

H.run(function()
  H.record('start', _G.logsmith_test_start)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = H.wait_for_client(bufnr, 30000)
  H.step('client attached: ' .. client.name)
  H.record('capabilities', {
    completion = client.server_capabilities.completionProvider,
    commands = (client.server_capabilities.executeCommandProvider or {}).commands,
  })

  H.wait_for_model(client, 60000)

  local line = H.find_line('except ValueError') + 1
  vim.api.nvim_win_set_cursor(0, { line, 0 })
  H.step('typing on line ' .. line)
  -- `S` starts the empty line with the indentation the Python indent script gives it.
  H.type('S')
  H.type('logger.')

  local menu = H.wait_for_client_item(client, 60000)
  local chosen = menu.info.items[menu.index + 1]
  H.record('menu', vim.tbl_map(function(item)
    return { word = item.word, abbr = item.abbr, menu = item.menu }
  end, menu.info.items))
  H.record('chosen', {
    word = chosen.word,
    label = chosen.abbr,
    command = chosen.user_data.nvim.lsp.completion_item.command,
    additional_edits = chosen.user_data.nvim.lsp.completion_item.additionalTextEdits,
  })
  H.step(('menu shows %d item(s); logsmith item at %d, selected %d'):format(
    #menu.info.items, menu.index, menu.info.selected))

  -- Walk to the logsmith item and accept it, as a user would.
  local moves = menu.index - menu.info.selected
  H.type(string.rep('<C-n>', moves) .. '<C-y>')
  local inserted = H.wait_for_text(bufnr, chosen.word, 'the accepted statement in the buffer', 5000)
  H.wait_for_requests_done(client, 'workspace/executeCommand', 10000)
  H.type('<Esc>')
  H.record('line', inserted)
  H.record('buffer', vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
  H.record('status', require('logsmith.status').get(client.id).last)
  H.record('status_text', require('logsmith').status(client.id))
  H.step('accepted')
end)
