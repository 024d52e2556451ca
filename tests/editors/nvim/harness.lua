--- Test harness that runs inside a real Neovim (0.7 to 0.12): plays a scenario the way a user
--- would (keys go through nvim_input, so mappings, autocommands and the LSP client all run as
--- usual), waits for conditions without blocking the event loop, and writes what it saw to the
--- JSON file named by $LOGSMITH_TEST_RESULT for the Python test to check.
---
--- A scenario is a function run in a coroutine: H.sleep and H.wait_for yield to Neovim's main
--- loop and resume from a timer, so typed keys, LSP replies and redraws happen meanwhile.

local H = {}

local uv = vim.uv or vim.loop
local started = uv.hrtime()
local result_path = assert(os.getenv('LOGSMITH_TEST_RESULT'), 'LOGSMITH_TEST_RESULT is not set')
local result = { ok = false, done = false, steps = {}, data = {}, server_pids = {} }
local scenario_thread = nil

-- Client methods take `self` from 0.11 on (client:stop()); before that they are closures (client.stop()).
local methods_take_self = vim.fn.has('nvim-0.11') == 1

local function call_client(client, method, ...)
  if methods_take_self then
    return client[method](client, ...)
  end
  return client[method](...)
end

local function elapsed_ms()
  return (uv.hrtime() - started) / 1e6
end

local function write_result()
  vim.fn.writefile({ vim.fn.json_encode(result) }, result_path)
end

--- Notes a step (shown by the Python test when something fails).
function H.step(text)
  table.insert(result.steps, ('%7.2fs %s'):format(elapsed_ms() / 1000, text))
  write_result()
end

--- Records a value for the Python test.
function H.record(key, value)
  result.data[key] = value
  write_result()
end

local function fail(message)
  result.ok = false
  result.error = message
  result.messages = vim.fn.execute('messages')
  write_result()
  -- Stop the servers and quit even though the scenario died; the Python test kills leftovers.
  for _, client in ipairs(H.logsmith_clients()) do
    pcall(call_client, client, 'stop', true)
  end
  vim.defer_fn(function()
    vim.cmd('qall!')
  end, 300)
end

local function resume(...)
  local ok, problem = coroutine.resume(scenario_thread, ...)
  if not ok then
    fail(debug.traceback(scenario_thread, tostring(problem)))
  end
end

--- Lets Neovim run for `ms` milliseconds (only from inside the scenario).
function H.sleep(ms)
  vim.defer_fn(resume, ms)
  coroutine.yield()
end

--- Polls `predicate` every 50 ms until it returns a true value, which is returned.
--- Fails the scenario with `what` and the time spent when `timeout_ms` passes.
function H.wait_for(what, timeout_ms, predicate)
  local deadline = elapsed_ms() + timeout_ms
  while true do
    local value = predicate()
    if value then
      return value
    end
    if elapsed_ms() > deadline then
      error(('timed out after %.1f s waiting for %s'):format(timeout_ms / 1000, what), 0)
    end
    H.sleep(50)
  end
end

--- Types `keys` (notation as in :help key-notation) as if from the keyboard, then lets Neovim
--- take them in.
function H.type(keys)
  vim.api.nvim_input(keys)
  H.sleep(80)
end

--- The running logsmith clients (any Neovim version).
function H.logsmith_clients(bufnr)
  local all
  if vim.lsp.get_clients then
    all = vim.lsp.get_clients({ bufnr = bufnr })
  elseif bufnr then
    all = vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
  else
    all = vim.lsp.get_active_clients()
  end
  local found = {}
  for _, client in ipairs(all) do
    if client.name == 'logsmith' then
      table.insert(found, client)
    end
  end
  return found
end

--- Waits for the logsmith client to be attached to `bufnr` and initialized; returns it.
function H.wait_for_client(bufnr, timeout_ms)
  local client = H.wait_for('the logsmith client to attach and initialize', timeout_ms, function()
    local client = H.logsmith_clients(bufnr)[1]
    return client and client.initialized and client.server_capabilities and client
  end)
  H.record_server_processes()
  return client
end

local function descendants(pid, into)
  for _, child in ipairs(vim.api.nvim_get_proc_children(pid)) do
    table.insert(into, child)
    descendants(child, into)
  end
  return into
end

--- Records the processes Neovim started (the server and its workers) so that the Python
--- test can make sure none outlives the test.
function H.record_server_processes()
  for _, pid in ipairs(descendants(vim.fn.getpid(), {})) do
    if not vim.tbl_contains(result.server_pids, pid) then
      table.insert(result.server_pids, pid)
    end
  end
  write_result()
end

--- Waits until the client has no request of `method` in flight (e.g. the executeCommand that
--- records an acceptance), so its effect on the server has happened.
function H.wait_for_requests_done(client, method, timeout_ms)
  H.wait_for('the server to answer ' .. method, timeout_ms, function()
    for _, request in pairs(client.requests or {}) do
      if request.method == method and request.type == 'pending' then
        return false
      end
    end
    return true
  end)
end

--- Waits for the server to report (through `$/progress`) that its model finished loading;
--- returns the final progress message, e.g. "model gemma-3-270m ready in 1.4 s".
function H.wait_for_model(client, timeout_ms)
  local status = require('logsmith.status')
  local progress = H.wait_for('the server to finish loading its model ($/progress end)', timeout_ms, function()
    local progress = status.get(client.id).progress
    return progress and progress.kind == 'end' and progress
  end)
  H.record('model_progress', progress)
  H.step('model: ' .. tostring(progress.message))
  return progress.message
end

--- Waits until a line of `bufnr` contains `text` (extra edits above it may move it); returns
--- that line.
function H.wait_for_text(bufnr, text, what, timeout_ms)
  return H.wait_for(what, timeout_ms, function()
    for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
      if line:find(text, 1, true) then
        return line
      end
    end
    return nil
  end)
end

--- 1-based number of the first line matching the Lua pattern `pattern`, or an error.
--- The completion menu once it shows an item of `client`: { info = complete_info, index = the
--- item's 0-based position }.
function H.wait_for_client_item(client, timeout_ms)
  return H.wait_for('the logsmith item in the completion menu', timeout_ms, function()
    local info = vim.fn.complete_info({ 'items', 'selected' })
    for index, item in ipairs(info.items or {}) do
      local lsp = vim.tbl_get(item, 'user_data', 'nvim', 'lsp') or {}
      if lsp.client_id == client.id then
        return { info = info, index = index - 1 }
      end
    end
    return nil
  end)
end

function H.find_line(pattern)
  for number, text in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    if text:find(pattern) then
      return number
    end
  end
  error('no line matches ' .. pattern, 0)
end

--- Stops the logsmith clients, waits for them to exit, and quits Neovim.
local function shut_down()
  H.record_server_processes()
  for _, client in ipairs(H.logsmith_clients()) do
    call_client(client, 'stop')
  end
  H.wait_for('the logsmith server to shut down', 10000, function()
    for _, client in ipairs(H.logsmith_clients()) do
      if not call_client(client, 'is_stopped') then
        return false
      end
    end
    return true
  end)
end

--- Runs `scenario` once Neovim has started, then writes the result and quits.
function H.run(scenario)
  scenario_thread = coroutine.create(function()
    H.step('scenario starts')
    scenario()
    H.step('scenario done; shutting down')
    shut_down()
    result.ok = true
    result.done = true
    result.messages = vim.fn.execute('messages')
    write_result()
    vim.cmd('qall!')
  end)
  write_result()
  -- Scheduled, so that the scenario runs outside any autocommand (nested events then fire).
  vim.schedule(resume)
end

return H
