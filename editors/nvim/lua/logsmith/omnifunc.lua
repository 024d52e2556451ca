--- Omni completion (<C-x><C-o>) for Neovim before 0.11, which has no vim.lsp.completion.
--- vim.lsp.omnifunc there starts the inserted text at the cursor when an item has a filterText,
--- so `logger.` would become `logger.logger.info(...)`, and it neither applies an item's extra
--- edits nor runs its command. This omnifunc asks the logsmith client, replaces from the start
--- of the item's textEdit, and on accept applies the extra edits (the `import logging` a statement
--- may need) and runs the item's command, which records the acceptance.

local M = {}

local function logsmith_client(bufnr)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(clients) do
    if client.name == 'logsmith' then
      return client
    end
  end
  return nil
end

--- Byte column in `line` of LSP character `index` counted in `encoding` units.
local function byte_column(line, index, encoding)
  if encoding == 'utf-8' then
    return index
  end
  local ok, column = pcall(vim.str_byteindex, line, index, encoding == 'utf-16')
  return ok and column or #line
end

local function items_of(result)
  if type(result) ~= 'table' then
    return {}
  end
  return result.items or result
end

--- complete-items for the logsmith items on line `row` (0-based), and the byte column where
--- their text starts.
local function to_complete_items(result, row, line, encoding, client_id)
  local start, matches = nil, {}
  for _, item in ipairs(items_of(result)) do
    local edit = item.textEdit
    local text = edit and edit.newText or item.insertText or item.label
    if text and not text:find('\n', 1, true) then
      if edit and edit.range and edit.range.start.line == row then
        local column = byte_column(line, edit.range.start.character, encoding)
        start = start and math.min(start, column) or column
      end
      table.insert(matches, {
        word = text,
        abbr = item.label,
        menu = item.detail or '',
        info = type(item.documentation) == 'table' and item.documentation.value or item.documentation or '',
        icase = 1,
        dup = 1,
        empty = 1,
        user_data = { logsmith = { client_id = client_id, item = item } },
      })
    end
  end
  return matches, start
end

--- The 'omnifunc': returns -2 at once and fills the menu with vim.fn.complete() when the answer
--- arrives (if the cursor is still on the same line in insert mode).
function M.omnifunc(findstart, _)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = logsmith_client(bufnr)
  if not client then
    return findstart == 1 and -3 or {}
  end
  if findstart == 0 then
    return {}
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local row = cursor[1] - 1
  local encoding = client.offset_encoding or 'utf-16'
  local params = vim.lsp.util.make_position_params(0, encoding)
  client.request('textDocument/completion', params, function(err, result)
    if err or not result then
      return
    end
    local now = vim.api.nvim_win_get_cursor(0)
    if now[1] ~= cursor[1] or vim.fn.mode() ~= 'i' then
      return
    end
    local line = vim.api.nvim_get_current_line()
    local matches, start = to_complete_items(result, row, line, encoding, client.id)
    if #matches == 0 then
      return
    end
    local typed_from = start or vim.fn.match(line:sub(1, now[2]), '\\k*$')
    vim.fn.complete(typed_from + 1, matches)
  end, bufnr)
  return -2
end

--- CompleteDone: after a logsmith item is inserted, applies its extra edits and runs its command.
function M.on_complete_done()
  local completed = vim.v.completed_item
  local data = type(completed) == 'table' and type(completed.user_data) == 'table' and completed.user_data.logsmith
  if not data then
    return
  end
  local client = vim.lsp.get_client_by_id(data.client_id)
  if not client then
    return
  end
  local item = data.item
  local bufnr = vim.api.nvim_get_current_buf()
  if item.additionalTextEdits and #item.additionalTextEdits > 0 then
    vim.lsp.util.apply_text_edits(item.additionalTextEdits, bufnr, client.offset_encoding or 'utf-16')
  end
  if item.command then
    client.request('workspace/executeCommand', {
      command = item.command.command,
      arguments = item.command.arguments,
    }, function() end, bufnr)
  end
end

--- Makes this the buffer's omnifunc and handles CompleteDone for it.
function M.attach(bufnr)
  vim.bo[bufnr].omnifunc = "v:lua.require'logsmith.omnifunc'.omnifunc"
  local group = vim.api.nvim_create_augroup('logsmith_omnifunc_' .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd('CompleteDone', {
    group = group,
    buffer = bufnr,
    callback = M.on_complete_done,
    desc = 'logsmith: apply the extra edits and record the acceptance',
  })
end

return M
