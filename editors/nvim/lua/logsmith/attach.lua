--- Setting a buffer up once the logsmith client attaches to it: LSP completion (or omni
--- completion on older Neovim), inline completion (ghost text) and the insert-mode keys.

local config = require('logsmith.config')

local M = {}

--- The command logsmith puts on its completion items; running it records the acceptance.
M.accept_command = 'logsmith.accept'

--- Which of the Neovim features logsmith uses this Neovim has.
---@return table<string, boolean>
function M.features()
  local lsp = vim.lsp
  return {
    lsp_start = type(lsp.start) == 'function', -- 0.8+
    lsp_config = type(lsp.config) == 'table' or type(lsp.config) == 'function', -- 0.11+
    lsp_completion = type(lsp.completion) == 'table' and type(lsp.completion.enable) == 'function', -- 0.11+
    inline_completion = type(lsp.inline_completion) == 'table', -- 0.12+
  }
end

local function is_logsmith_item(item)
  return type(item.command) == 'table' and item.command.command == M.accept_command
end

--- `convert` hook of vim.lsp.completion. Neovim inserts only the first word of a plain-text
--- `textEdit.newText` (up to the first space); a logsmith item is a whole statement, so its
--- completion word is the whole (single-line) text, and its documentation is shown as plain
--- text. Other servers' items are left as they are.
---@param item table lsp.CompletionItem
---@return table fields that override the complete-item Neovim built
function M.convert(item)
  if not is_logsmith_item(item) then
    return {}
  end
  local fields = {}
  local edit = item.textEdit
  local is_snippet = item.insertTextFormat == 2
  if not is_snippet and type(edit) == 'table' and type(edit.newText) == 'string' then
    if not edit.newText:find('\n', 1, true) then
      fields.word = edit.newText
    end
  end
  -- The popup shows documentation as plain text: drop the Markdown code fences around the statement.
  local doc = type(item.documentation) == 'table' and item.documentation.value or item.documentation
  if type(doc) == 'string' then
    local kept = {}
    for _, text in ipairs(vim.split(doc, '\n', { plain = true })) do
      if not text:match('^```') then
        table.insert(kept, text)
      end
    end
    fields.info = table.concat(kept, '\n')
  end
  return fields
end

local function completeopt_is_buffer_local()
  if not vim.api.nvim_get_option_info2 then
    return false
  end
  return vim.api.nvim_get_option_info2('completeopt', {}).scope == 'buf'
end

local function supports(client, provider)
  local capabilities = client.server_capabilities or client.resolved_capabilities or {}
  return capabilities[provider] ~= nil and capabilities[provider] ~= false
end

local function map_insert(bufnr, lhs, rhs, description, expr)
  if not lhs then
    return
  end
  vim.keymap.set('i', lhs, rhs, { buffer = bufnr, expr = expr or false, silent = true, desc = description })
end

local function set_keymaps(bufnr, keymaps, features, inline)
  if inline then
    map_insert(bufnr, keymaps.accept_inline, function()
      if vim.lsp.inline_completion.get() then
        return ''
      end
      return vim.api.nvim_replace_termcodes(keymaps.accept_inline, true, false, true)
    end, 'logsmith: accept the inline suggestion', true)
    map_insert(bufnr, keymaps.next_inline, function()
      vim.lsp.inline_completion.select({ count = 1 })
    end, 'logsmith: next inline suggestion')
    map_insert(bufnr, keymaps.prev_inline, function()
      vim.lsp.inline_completion.select({ count = -1 })
    end, 'logsmith: previous inline suggestion')
  end
  if features.lsp_completion then
    map_insert(bufnr, keymaps.complete, function()
      vim.lsp.completion.get()
    end, 'logsmith: complete now')
  else
    map_insert(bufnr, keymaps.complete, function()
      return vim.api.nvim_replace_termcodes('<C-x><C-o>', true, false, true)
    end, 'logsmith: complete now (omni completion)', true)
  end
end

--- on_attach for the logsmith client; also call it from your own on_attach if you replace ours
--- through vim.lsp.config().
---@param client table vim.lsp.Client
---@param bufnr integer
function M.on_attach(client, bufnr)
  local options = config.get()
  local features = M.features()

  -- Omni completion (<C-x><C-o>) everywhere; on 0.11+ it goes through vim.lsp.completion.
  if features.lsp_completion then
    vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
    if supports(client, 'completionProvider') then
      vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = options.autotrigger, convert = M.convert })
      if type(options.completeopt) == 'string' and completeopt_is_buffer_local() then
        vim.bo[bufnr].completeopt = options.completeopt
      end
    end
  else
    require('logsmith.omnifunc').attach(bufnr)
  end

  local inline = options.inline and features.inline_completion and supports(client, 'inlineCompletionProvider')
  if inline then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
  end

  set_keymaps(bufnr, options.keymaps or {}, features, inline)

  if options.on_attach then
    options.on_attach(client, bufnr)
  end
end

return M
