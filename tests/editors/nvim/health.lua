--- Scenario (Neovim 0.12): with a logsmith client running for the fixture, `:checkhealth logsmith`
--- reports the Neovim features, the server command, the model and the client.
local H = dofile(os.getenv('LOGSMITH_TEST_DIR') .. '/harness.lua')

H.run(function()
  H.record('start', _G.logsmith_test_start)
  H.wait_for_client(vim.api.nvim_get_current_buf(), 30000)
  vim.cmd('checkhealth logsmith')
  H.wait_for('the health report', 30000, function()
    local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    return table.concat(lines, '\n'):find('Running clients', 1, true)
  end)
  H.record('health', vim.api.nvim_buf_get_lines(0, 0, -1, false))

  -- A wrong option: setup() says which and returns false, and the running setup is untouched.
  H.record('bad_setup', require('logsmith').setup({ inline = 'yes' }))
  H.record('bad_setup_message', vim.fn.execute('messages'))
  H.record('inline_after_bad_setup', require('logsmith.config').get().inline)
end)
