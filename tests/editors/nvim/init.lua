--- Neovim init for the logsmith editor tests (`nvim --clean -u init.lua FILE`). Puts the plugin
--- ($LOGSMITH_NVIM_PLUGIN) on the runtimepath and starts logsmith as $LOGSMITH_TEST_START says:
---   setup  - require("logsmith").setup({ cmd = { $LOGSMITH_TEST_SERVER, "serve" } })
---   setup-found - require("logsmith").setup() without cmd (server found in the project's .venv)
---   enable - vim.lsp.enable("logsmith") with lsp/logsmith.lua as shipped (server found in .venv),
---            plus a user's vim.lsp.config("logsmith", {...}) override
---   none   - nothing (the scenario does it)
--- then runs the scenario file $LOGSMITH_TEST_SCENARIO once Neovim has started.

vim.opt.runtimepath:prepend(assert(os.getenv('LOGSMITH_NVIM_PLUGIN'), 'LOGSMITH_NVIM_PLUGIN is not set'))
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'

local start = os.getenv('LOGSMITH_TEST_START') or 'setup'
local ok, outcome
-- A latency budget that a busy 2-core CI machine can meet, so the model's answer is not dropped
-- for the template's; passed the way a user would for each start.
local budget_ms = 30000
if start == 'setup' then
  ok, outcome = pcall(function()
    return require('logsmith').setup({
      cmd = { assert(os.getenv('LOGSMITH_TEST_SERVER')), 'serve' },
      settings = { latency_budget_ms = budget_ms },
    })
  end)
elseif start == 'setup-found' then
  ok, outcome = pcall(function()
    return require('logsmith').setup({ settings = { latency_budget_ms = budget_ms } })
  end)
elseif start == 'enable' then
  ok, outcome = pcall(function()
    vim.lsp.config('logsmith', { init_options = { latency_budget_ms = budget_ms } })
    vim.lsp.enable('logsmith')
    return true
  end)
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
