--- Neovim init for the logsmith editor tests (`nvim --clean -u init.lua FILE`). Puts the plugin
--- ($LOGSMITH_NVIM_PLUGIN) on the runtimepath and starts logsmith as $LOGSMITH_TEST_START says:
---   setup  - require("logsmith").setup({ cmd = { $LOGSMITH_TEST_SERVER, "serve" } })
---   enable - vim.lsp.enable("logsmith") with lsp/logsmith.lua as shipped (server found in .venv)
---   none   - nothing (the scenario does it)
--- then runs the scenario file $LOGSMITH_TEST_SCENARIO once Neovim has started.

vim.opt.runtimepath:prepend(assert(os.getenv('LOGSMITH_NVIM_PLUGIN'), 'LOGSMITH_NVIM_PLUGIN is not set'))
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'

local start = os.getenv('LOGSMITH_TEST_START') or 'setup'
local ok, outcome
if start == 'setup' then
  ok, outcome = pcall(function()
    return require('logsmith').setup({ cmd = { assert(os.getenv('LOGSMITH_TEST_SERVER')), 'serve' } })
  end)
elseif start == 'enable' then
  ok, outcome = pcall(vim.lsp.enable, 'logsmith')
  outcome = ok
else
  ok, outcome = true, true
end
-- What starting logsmith did, for the scenario to record: true, false or the error raised.
_G.logsmith_test_start = { how = start, ok = ok, outcome = ok and outcome or tostring(outcome) }

local scenario = os.getenv('LOGSMITH_TEST_SCENARIO')
if scenario then
  vim.api.nvim_create_autocmd('VimEnter', {
    once = true,
    callback = function()
      dofile(scenario)
    end,
  })
end
