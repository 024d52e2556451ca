--- What the server says about itself, kept per client: model loading and project indexing
--- (`$/progress`) and the `logsmith/status` notifications, one after each answer (what wrote it,
--- latency, model, project index) and one when the model's or the project index's state changes
--- (`channel = "model"` or `"index"`). Read it with require("logsmith").status()
--- (e.g. in a statusline: "logsmith: template · 9 ms"); a `User LogsmithStatus` autocommand fires
--- when it changes.

local M = {}

local by_client = {} -- client id -> { progress = {...}|nil, indexing = {...}|nil, last = {...}|nil }

local function state_of(client_id)
  by_client[client_id] = by_client[client_id] or {}
  return by_client[client_id]
end

local function changed()
  pcall(vim.api.nvim_exec_autocmds, 'User', { pattern = 'LogsmithStatus', modeline = false })
  pcall(vim.cmd, 'redrawstatus')
end

-- JSON null arrives as vim.NIL: treat it as absent.
local function value(x)
  if x == vim.NIL then
    return nil
  end
  return x
end

--- Handler of the `logsmith/status` notification. An answer replaces what was known; a change of
--- the model's or the project index's state (`channel = "model"` or `"index"`) updates only the
--- model's fields and the index, so the status goes on naming what wrote the last suggestion.
function M.on_status(_, result, ctx)
  if type(result) ~= 'table' then
    return
  end
  local state = state_of(ctx.client_id)
  if result.channel == 'model' or result.channel == 'index' then
    local last = {}
    for key, field in pairs(state.last or {}) do
      last[key] = field
    end
    last.modelId = value(result.modelId)
    last.modelState = value(result.modelState)
    last.workerPid = value(result.workerPid)
    last.index = value(result.index) or last.index
    state.last = last
  else
    state.last = result
  end
  changed()
end

--- Handler of `$/progress` for the logsmith client: records model loading (`progress`) and
--- project indexing (`indexing`, the server's tokens `logsmith-index-N`) apart, then lets Neovim's
--- own handler do its part.
function M.on_progress(err, result, ctx, config)
  local value = type(result) == 'table' and result.value
  if type(value) == 'table' and value.kind then
    local state = state_of(ctx.client_id)
    local token = tostring(result.token or '')
    local key = token:find('^logsmith%-index') and 'indexing' or 'progress'
    local before = state[key] or {}
    state[key] = {
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

--- Raw state of a client: { progress = {kind, title, message, percentage} (the model's loading),
--- indexing = {...} (the same for the project index), last = {latencyMs,
--- source, modelId, modelState, channel, notes, index} } (before the first answer `last` may hold
--- only the model's fields and the index; `index.text` states the project index in a sentence).
function M.get(client_id)
  return by_client[client_id] or {}
end

--- One short line for a statusline: "logsmith: loading model …", then what wrote the last
--- suggestion and how long it took, "logsmith: template · 9 ms" or "logsmith: gemma-3-270m · 212 ms"
--- (with "(model missing)" or "(model failed)" when the model is not usable); "" when no logsmith
--- client is known.
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
  if state.indexing and state.indexing.kind ~= 'end' and not (state.last or {}).source then
    return 'logsmith: ' .. (state.indexing.title or 'indexing log statements')
  end
  local last = state.last or {}
  local model_state = value(last.modelState)
  local unusable = model_state and model_state ~= 'ready' and model_state ~= 'off'
  local source = value(last.source)
  if type(source) ~= 'string' then -- no answer yet
    return unusable and ('logsmith: model ' .. model_state) or 'logsmith'
  end
  local problem = unusable and (' (model ' .. model_state .. ')') or ''
  local latency = tonumber(value(last.latencyMs))
  local took = latency and (' · %d ms'):format(math.floor(latency + 0.5)) or ''
  return 'logsmith: ' .. source .. took .. problem
end

return M
