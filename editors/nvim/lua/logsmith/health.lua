--- `:checkhealth logsmith`: the Neovim features logsmith uses, the server command and whether it
--- runs, the model the server would load (`logsmith model path`), and the running clients.

local attach = require('logsmith.attach')
local client = require('logsmith.client')
local config = require('logsmith.config')
local locate = require('logsmith.locate')

local M = {}

-- vim.health.start/ok/... (0.10+), vim.health.report_* (0.8, 0.9), require('health').report_* (0.7).
local function reporter()
  local health = vim.health or require('health')
  local function pick(name)
    return health[name] or health['report_' .. name]
  end
  return {
    start = pick('start'),
    ok = pick('ok'),
    info = pick('info'),
    warn = pick('warn'),
    error = pick('error'),
  }
end

local function trim(text)
  return (text or ''):gsub('^%s+', ''):gsub('%s+$', '')
end

--- Runs `argv` in `cwd`; returns ok, output (stdout, or stderr and stdout on failure).
local function run(argv, cwd)
  if vim.system then
    local ok, process = pcall(vim.system, argv, { cwd = cwd, text = true })
    if not ok then
      return false, tostring(process)
    end
    local result = process:wait(30000)
    if result.code == 0 then
      return true, trim(result.stdout)
    end
    return false, trim((result.stderr or '') .. '\n' .. (result.stdout or ''))
  end
  local output = vim.fn.system(argv)
  return vim.v.shell_error == 0, trim(output)
end

--- The argv of a `logsmith` subcommand, built from the server command (everything before `serve`).
local function subcommand(server_cmd, args)
  local argv = {}
  for _, part in ipairs(server_cmd) do
    if part == 'serve' then
      vim.list_extend(argv, args)
      return argv
    end
    table.insert(argv, part)
  end
  return nil
end

local function list_clients()
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = client.name })
  end
  local found = {}
  for _, running in pairs(vim.lsp.get_active_clients()) do
    if running.name == client.name then
      table.insert(found, running)
    end
  end
  return found
end

local function check_neovim(report)
  report.start('Neovim')
  local version = vim.version()
  report.info(('Neovim %d.%d.%d'):format(version.major, version.minor, version.patch))
  local features = attach.features()
  local descriptions = {
    { 'lsp_config', 'vim.lsp.config / vim.lsp.enable (0.11+): lsp/logsmith.lua is used', 'setup() starts the client itself' },
    { 'lsp_completion', 'vim.lsp.completion (0.11+): completion menu opens after `.`', 'omni completion only: <C-x><C-o>' },
    { 'inline_completion', 'vim.lsp.inline_completion (0.12+): ghost-text suggestions', 'no ghost text (needs Neovim 0.12)' },
    { 'lsp_start', 'vim.lsp.start (0.8+)', 'vim.lsp.start_client is used' },
  }
  for _, row in ipairs(descriptions) do
    local name, present, absent = row[1], row[2], row[3]
    if features[name] then
      report.ok(present)
    else
      report.warn('missing ' .. name .. ': ' .. absent)
    end
  end
end

local function check_server(report, options, dir)
  report.start('Server')
  local cmd, origin = locate.server_command(dir, options.cmd)
  if not cmd then
    report.error(origin, { 'from a logsmith checkout: make install' })
    return nil
  end
  local command_line = table.concat(cmd, ' ')
  if vim.fn.executable(cmd[1]) ~= 1 then
    report.error(('server command from %s is not executable: %s'):format(origin, command_line))
    return nil
  end
  report.ok(('server command (from %s): %s'):format(origin, command_line))
  local version_argv = subcommand(cmd, { '--version' })
  if version_argv then
    local ok, output = run(version_argv, dir)
    if ok then
      report.ok(output)
    else
      report.error('`' .. table.concat(version_argv, ' ') .. '` failed: ' .. output)
    end
  end
  return cmd
end

local function check_model(report, options, cmd, dir)
  report.start('Model')
  local args = { 'model', 'path' }
  if options.model then
    table.insert(args, options.model)
  end
  local argv = cmd and subcommand(cmd, args)
  if not argv then
    report.warn('cannot ask the server for its model: the cmd option has no `serve` argument')
    return
  end
  local ok, output = run(argv, dir)
  if ok then
    report.ok('model: ' .. output)
  else
    local install_args = { 'model', 'install' }
    if options.model and not options.model:find('[/\\]') and not options.model:lower():find('%.gguf$') then
      table.insert(install_args, options.model) -- a registry name, not a path to a file
    end
    local install = subcommand(cmd, install_args)
    report.error('no usable model: ' .. output, { 'install the model: ' .. table.concat(install, ' ') })
  end
end

local function check_clients(report)
  report.start('Running clients')
  local clients = list_clients()
  if #clients == 0 then
    report.info('no logsmith client is running (open a Python, Java, Go, JavaScript or TypeScript file)')
    return
  end
  for _, running in ipairs(clients) do
    local capabilities = running.server_capabilities or {}
    local parts = {}
    if capabilities.completionProvider then
      table.insert(parts, 'completion')
    end
    if capabilities.inlineCompletionProvider then
      table.insert(parts, 'inline completion')
    end
    local commands = (capabilities.executeCommandProvider or {}).commands or {}
    if vim.tbl_contains(commands, attach.accept_command) then
      table.insert(parts, 'acceptance recording')
    end
    report.ok(('client %d, root %s: %s'):format(running.id, tostring(running.config.root_dir), table.concat(parts, ', ')))
  end
end

function M.check()
  local report = reporter()
  local options = config.get()
  check_neovim(report)

  local dir = vim.fn.getcwd()
  local clients = list_clients()
  if clients[1] and clients[1].config.root_dir then
    dir = clients[1].config.root_dir
  end
  dir = locate.root_dir(dir, options.root_markers) or dir
  local cmd = check_server(report, options, dir)
  check_model(report, options, cmd, dir)
  check_clients(report)
end

return M
