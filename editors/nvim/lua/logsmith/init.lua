--- logsmith for Neovim: `require("logsmith").setup(opts)` starts the logsmith language server for
--- the buffers of the languages it reads (Python, Java, Go, JavaScript, TypeScript) and turns on its
--- completion, inline suggestions and keys. Options: see lua/logsmith/config.lua or the README.

local attach = require('logsmith.attach')
local client = require('logsmith.client')
local config = require('logsmith.config')
local status = require('logsmith.status')

local M = {}

--- Also usable as your own on_attach (see README) when you replace ours through vim.lsp.config().
M.on_attach = attach.on_attach

--- A short line for a statusline: the model (or template) behind the last suggestion and its
--- latency, or the model loading. Example: vim.o.statusline = "%f %= %{v:lua.require'logsmith'.status()}"
---@param client_id integer|nil
---@return string
function M.status(client_id)
  return status.text(client_id)
end

--- Configures and enables logsmith. Returns true, or false after showing what is wrong with `opts`.
---@param opts table|nil
---@return boolean
function M.setup(opts)
  local options, problem = config.resolve(opts)
  if not options then
    vim.notify(problem, vim.log.levels.ERROR)
    return false
  end
  config.set(options)

  if attach.features().lsp_config then
    -- 0.11+: the same path as `vim.lsp.enable("logsmith")`, with lsp/logsmith.lua as the base.
    vim.lsp.config(client.name, client.lsp_config(options))
    vim.lsp.enable(client.name)
    return true
  end

  local group = vim.api.nvim_create_augroup('logsmith', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = options.filetypes,
    callback = function(args)
      client.start_legacy(args.buf)
    end,
    desc = 'logsmith: start the language server',
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(options.filetypes, vim.bo[bufnr].filetype) then
      client.start_legacy(bufnr)
    end
  end
  return true
end

return M
