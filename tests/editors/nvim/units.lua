--- Scenario (any Neovim; no server): the plugin's pure parts with made-up input.
--- - logsmith.status: the status line names what wrote the last suggestion ("template · 9 ms"),
---   also after a notification that only changes the model's state;
--- - logsmith.locate: the server is found in a .venv above the buffer's folder (nearest first), on
---   PATH, then at the default install location; when it is nowhere the message says how to
---   install it. Files are made under $LOGSMITH_TEST_TMP.
local H = dofile(os.getenv('LOGSMITH_TEST_DIR') .. '/harness.lua')

local function status_lines()
  local status = require('logsmith.status')
  local client = 4242
  local function send(result)
    status.on_status(nil, result, { client_id = client })
    return status.text(client)
  end
  local lines = {}
  lines.before = status.text(client)
  lines.missing_first = send({ channel = 'model', modelId = vim.NIL, modelState = 'missing', workerPid = vim.NIL })
  lines.template = send({ channel = 'completion', latencyMs = 9.2, source = 'template', modelId = 'gemma-3-270m',
    modelState = 'ready', workerPid = 7, notes = {} })
  -- the model's state changes; the last answer's latency comes along (an older server sends no source)
  lines.model_change = send({ channel = 'model', modelId = 'gemma-3-270m', modelState = 'ready', workerPid = 7,
    latencyMs = 507 })
  lines.model = send({ channel = 'inline', latencyMs = 210.4, source = 'gemma-3-270m', modelId = 'gemma-3-270m',
    modelState = 'ready', workerPid = 7, notes = {} })
  lines.model_failed = send({ channel = 'model', modelId = 'gemma-3-270m', modelState = 'failed', workerPid = vim.NIL,
    latencyMs = 210.4, source = 'gemma-3-270m' })
  -- the project index's state changes: kept, and the last answer still named
  lines.index_ready = send({ channel = 'index', modelId = 'gemma-3-270m', modelState = 'failed', workerPid = vim.NIL,
    latencyMs = 210.4, source = 'gemma-3-270m',
    index = { state = 'ready', statements = 6, files = 3, skipped = vim.empty_dict(),
      text = 'project index ready, 6 log statements in 3 files' } })
  lines.last = status.get(client).last
  return lines
end

local function write_executable(path)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ':h'), 'p')
  vim.fn.writefile({ '#!/bin/sh', 'exit 0' }, path)
  vim.fn.setfperm(path, 'rwxr-xr-x')
end

local function locate_results()
  local locate = require('logsmith.locate')
  local tmp = assert(os.getenv('LOGSMITH_TEST_TMP'), 'LOGSMITH_TEST_TMP is not set')
  local repo = tmp .. '/repo'
  local example = repo .. '/examples/inventory'
  vim.fn.mkdir(example, 'p')
  vim.env.PATH = tmp .. '/empty-path'
  vim.env.XDG_DATA_HOME = tmp .. '/data'
  local found = {}
  local function look(name)
    local cmd, origin = locate.server_command(example, nil)
    found[name] = { cmd = cmd, origin = origin }
  end
  look('nothing')
  write_executable(tmp .. '/data/logsmith/venv/bin/logsmith')
  look('default_install')
  write_executable(tmp .. '/empty-path/logsmith')
  look('path')
  write_executable(repo .. '/.venv/bin/logsmith')
  look('repo_venv')
  write_executable(repo .. '/examples/.venv/bin/logsmith')
  look('nearer_venv')
  found.default_install_path = locate.default_install()
  return found
end

H.run(function()
  H.record('version', vim.version())
  H.record('status', status_lines())
  H.step('status lines')
  H.record('locate', locate_results())
  H.step('server lookups')
end)
