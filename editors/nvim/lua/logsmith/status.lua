--- What the server says about itself, kept per client: model loading (`$/progress`) and the
--- `logsmith/status` notification sent after each answer (latency, source, model). Read it with
--- require("logsmith").status() (e.g. in a statusline); a `User LogsmithStatus` autocommand fires
--- when it changes.

local M = {}

local by_client = {} -- client id -> { progress = {...}|nil, last = {...}|nil }

local function state_of(client_id)
  by_client[client_id] = by_client[client_id] or {}
  return by_client[client_id]
end

local function changed()
  pcall(vim.api.nvim_exec_autocmds, 'User', { pattern = 'LogsmithStatus', modeline = false })
  pcall(vim.cmd, 'redrawstatus')
end

--- Handler of the `logsmith/status` notification.
function M.on_status(_, result, ctx)
  if type(result) == 'table' then
    state_of(ctx.client_id).last = result
    changed()
  end
end

--- Handler of `$/progress` for the logsmith client: records model loading, then lets Neovim's
--- own handler do its part.
function M.on_progress(err, result, ctx, config)
  local value = type(result) == 'table' and result.value
  if type(value) == 'table' and value.kind then
    local state = state_of(ctx.client_id)
    local before = state.progress or {}
    state.progress = {
      kind = value.kind,
      title = value.title or before.title,
      message = value.message or before.message,
      percentage = value.percentage,
    }
    changed()
  end
  local default = vim.lsp.handlers['$/progress']
  if default then
    return default(err, result, ctx, config)
  end
end

--- Handlers to put in the client configuration.
function M.handlers()
  return { ['logsmith/status'] = M.on_status, ['$/progress'] = M.on_progress }
end

--- Raw state of a client: { progress = {kind, title, message, percentage}, last = {latencyMs,
--- source, modelId, modelState, channel, notes} }.
function M.get(client_id)
  return by_client[client_id] or {}
end

--- One short line for a statusline: "logsmith: loading model …", "logsmith: gemma-3-270m 212 ms",
--- or "" when no logsmith client is known.
---@param client_id integer|nil default: the first client with a state
function M.text(client_id)
  if not client_id then
    client_id = next(by_client)
  end
  local state = client_id and by_client[client_id]
  if not state then
    return ''
  end
  if state.progress and state.progress.kind ~= 'end' then
    return 'logsmith: ' .. (state.progress.message or 'loading model')
  end
  local last = state.last
  if not last then
    return 'logsmith'
  end
  local source = last.source == 'template' and 'template' or (last.modelId or last.source or '?')
  if last.modelState and last.modelState ~= 'ready' and last.modelState ~= 'off' then
    source = source .. ' (model ' .. last.modelState .. ')'
  end
  return ('logsmith: %s %d ms'):format(source, math.floor((last.latencyMs or 0) + 0.5))
end

return M
