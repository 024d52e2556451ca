--- The logsmith LSP client: its configuration (the table behind `lsp/logsmith.lua` and
--- vim.lsp.config on 0.11+) and starting it for a buffer on older Neovim
--- (vim.lsp.start on 0.8-0.10, vim.lsp.start_client + buf_attach_client on 0.7).

local attach = require('logsmith.attach')
local config = require('logsmith.config')
local locate = require('logsmith.locate')
local status = require('logsmith.status')

local M = {}

M.name = 'logsmith'

--- Where to start looking for `.venv`: the folder of the buffer being started (the current one)
--- when it lies under the client's root, else the root, else the cwd.
local function search_start(root_dir)
  local buffer_dir = locate.start_dir(vim.api.nvim_get_current_buf())
  if root_dir and (buffer_dir == root_dir or vim.startswith(buffer_dir, root_dir .. '/')) then
    return buffer_dir
  end
  return root_dir or vim.fn.getcwd()
end

--- `cmd` as a function (Neovim 0.11+): finds `logsmith serve` when the client starts (see
--- search_start), and raises a message with the fix when it is missing.
local function start_found_server(dispatchers, client_config)
  local dir = search_start(client_config and client_config.root_dir)
  local cmd, origin = locate.server_command(dir, nil)
  if not cmd then
    error(origin, 0)
  end
  return vim.lsp.rpc.start(cmd, dispatchers, {
    cwd = client_config and client_config.cmd_cwd,
    env = client_config and client_config.cmd_env,
    detached = client_config and client_config.detached,
  })
end

--- The vim.lsp.config table for logsmith built from `options` (default: the options in force).
---@param options table|nil
---@return table
function M.lsp_config(options)
  options = options or config.get()
  return {
    cmd = options.cmd and vim.deepcopy(options.cmd) or start_found_server,
    filetypes = vim.deepcopy(options.filetypes),
    root_markers = vim.deepcopy(options.root_markers),
    init_options = config.init_options(options),
    settings = config.workspace_settings(options),
    handlers = status.handlers(),
    on_attach = attach.on_attach,
  }
end

local legacy_clients = {} -- root folder -> client id (Neovim 0.7, which has no vim.lsp.start)

local function notify_once(message)
  if not M._notified then
    M._notified = {}
  end
  if not M._notified[message] then
    M._notified[message] = true
    vim.notify(message, vim.log.levels.ERROR)
  end
end

--- Starts (or reuses) the client for `bufnr` and attaches it, on Neovim before 0.11.
---@param bufnr integer
---@return integer|nil client id
function M.start_legacy(bufnr)
  local options = config.get()
  local dir = locate.start_dir(bufnr)
  local root = locate.root_dir(dir, options.root_markers) or dir
  local cmd, origin = locate.server_command(dir, options.cmd)
  if not cmd then
    notify_once('logsmith: ' .. origin)
    return nil
  end
  if vim.fn.executable(cmd[1]) ~= 1 then
    notify_once('logsmith: the server command ' .. cmd[1] .. ' (from ' .. origin .. ') is not executable')
    return nil
  end
  local client_config = {
    name = M.name,
    cmd = cmd,
    root_dir = root,
    init_options = config.init_options(options),
    settings = config.workspace_settings(options),
    handlers = status.handlers(),
    on_attach = attach.on_attach,
  }
  if vim.lsp.start then
    return vim.lsp.start(client_config, { bufnr = bufnr })
  end

  local client_id = legacy_clients[root]
  local running = client_id and vim.lsp.get_client_by_id(client_id)
  if not running or running.is_stopped() then
    client_id = vim.lsp.start_client(client_config)
    if not client_id then
      notify_once('logsmith: could not start ' .. table.concat(cmd, ' '))
      return nil
    end
    legacy_clients[root] = client_id
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  return client_id
end

return M
