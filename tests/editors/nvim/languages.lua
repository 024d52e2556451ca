--- Scenario (Neovim 0.12, started with setup()): a buffer in another language. In its catch block,
--- type the logger and a dot ($LOGSMITH_TEST_TYPED); logsmith's item appears in the completion menu; accept it with <C-y>.
--- The file's text and the catch line come from $LOGSMITH_TEST_CATCH (a Lua pattern).
local H = dofile(os.getenv('LOGSMITH_TEST_DIR') .. '/harness.lua')

H.run(function()
  H.record('start', _G.logsmith_test_start)
  local bufnr = vim.api.nvim_get_current_buf()
  H.record('filetype', vim.bo[bufnr].filetype)
  local client = H.wait_for_client(bufnr, 30000)
  H.step('client attached: ' .. client.name .. ' to a ' .. vim.bo[bufnr].filetype .. ' buffer')

  local line = H.find_line(assert(os.getenv('LOGSMITH_TEST_CATCH'))) + 1
  vim.api.nvim_win_set_cursor(0, { line, 0 })
  H.step('typing on line ' .. line)
  -- `S` starts the empty line with the indentation the filetype's indent script gives it.
  H.type('S')
  H.type(assert(os.getenv('LOGSMITH_TEST_TYPED')))

  local menu = H.wait_for_client_item(client, 60000)
  local chosen = menu.info.items[menu.index + 1]
  H.record('chosen', { word = chosen.word, menu = chosen.menu })
  H.step(('menu shows %d item(s); logsmith item at %d'):format(#menu.info.items, menu.index))

  H.type(string.rep('<C-n>', menu.index - menu.info.selected) .. '<C-y>')
  local inserted = H.wait_for_text(bufnr, chosen.word, 'the accepted statement in the buffer', 5000)
  H.wait_for_requests_done(client, 'workspace/executeCommand', 10000)
  H.type('<Esc>')
  H.record('line', inserted)
  H.record('buffer', vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
  H.step('accepted')
end)
