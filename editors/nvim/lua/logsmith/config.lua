--- The plugin's options: their defaults, checking what the user passed to setup(), and the
--- options in force (read by the other modules when a buffer attaches).

local M = {}

--- Defaults. Every key here is an option of `require("logsmith").setup()`.
M.defaults = {
  -- Command that starts the language server, e.g. { "/path/to/.venv/bin/logsmith", "serve" }.
  -- nil: `.venv/bin/logsmith serve` found upward from the buffer's folder, else `logsmith serve` on PATH.
  cmd = nil,
  -- Model name (`logsmith model list`) or GGUF path; sent as initializationOptions.model.
  model = nil,
  -- Other server settings (initializationOptions, and the `logsmith` section of workspace settings).
  settings = {},
  -- Ghost-text suggestions through LSP inline completion (Neovim 0.12+).
  inline = true,
  -- Open the completion menu by itself after `.` (vim.lsp.completion autotrigger, Neovim 0.11+).
  autotrigger = true,
  -- Buffer-local 'completeopt' for logsmith's buffers (Neovim 0.11+, where it is buffer-local): show
  -- the menu even for one statement and do not insert it before you accept it with <C-y>. false: leave it.
  completeopt = 'menuone,noinsert,popup',
  -- The languages the server reads (it answers nothing in any other buffer).
  filetypes = { 'python', 'java', 'go', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact' },
  root_markers = {
    'pyproject.toml', 'setup.py', 'go.mod', 'pom.xml', 'build.gradle', 'build.gradle.kts', 'package.json', '.git',
  },
  -- Insert-mode keys; set one to false to leave that key alone.
  keymaps = {
    accept_inline = '<Tab>', -- accept the ghost text (falls back to a plain <Tab> when there is none)
    next_inline = '<M-]>', -- show the next inline suggestion
    prev_inline = '<M-[>', -- show the previous inline suggestion
    complete = '<C-Space>', -- ask for completion now (omni completion before 0.11)
  },
  -- Called as on_attach(client, bufnr) after logsmith has set the buffer up.
  on_attach = nil,
}

--- Expected Lua type(s) of each option; keymaps are checked key by key.
local option_types = {
  cmd = { 'table', 'nil' },
  model = { 'string', 'nil' },
  settings = { 'table' },
  inline = { 'boolean' },
  autotrigger = { 'boolean' },
  completeopt = { 'string', 'boolean' },
  filetypes = { 'table' },
  root_markers = { 'table' },
  keymaps = { 'table', 'boolean' },
  on_attach = { 'function', 'nil' },
}

local current = vim.deepcopy(M.defaults)

local function type_is_one_of(value, types)
  for _, name in ipairs(types) do
    if type(value) == name then
      return true
    end
  end
  return false
end

--- Checks `opts` (what the user passed to setup) and returns the merged options, or nil and a
--- message that names the wrong option.
---@param opts table|nil
---@return table|nil, string|nil
function M.resolve(opts)
  if opts == nil then
    opts = {}
  end
  if type(opts) ~= 'table' then
    return nil, 'logsmith.setup() expects a table of options, got ' .. type(opts)
  end
  for key, value in pairs(opts) do
    local types = option_types[key]
    if not types then
      return nil, ('logsmith: unknown option %q (known: %s)'):format(
        tostring(key),
        table.concat(vim.tbl_keys(option_types), ', ')
      )
    end
    if not type_is_one_of(value, types) then
      return nil, ('logsmith: option %q must be %s, got %s'):format(key, table.concat(types, ' or '), type(value))
    end
  end
  if type(opts.cmd) == 'table' and (#opts.cmd == 0 or type(opts.cmd[1]) ~= 'string') then
    return nil, 'logsmith: option "cmd" must be a list of strings such as { "logsmith", "serve" }'
  end

  local merged = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  -- Lists replace the defaults instead of being merged index by index.
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[key] ~= nil then
      merged[key] = vim.deepcopy(opts[key])
    end
  end
  if opts.keymaps == false then
    merged.keymaps = {}
  end
  for name, lhs in pairs(merged.keymaps) do
    if M.defaults.keymaps[name] == nil then
      return nil, ('logsmith: unknown key in "keymaps": %q'):format(tostring(name))
    end
    if lhs ~= false and type(lhs) ~= 'string' then
      return nil, ('logsmith: keymaps.%s must be a key such as "<Tab>" or false'):format(name)
    end
  end
  return merged, nil
end

--- Makes `options` (a result of resolve) the options in force.
function M.set(options)
  current = options
end

--- The options in force: the defaults until setup() is called.
function M.get()
  return current
end

--- initializationOptions sent to the server: the settings table plus the model.
---@param options table
---@return table
function M.init_options(options)
  local init = vim.deepcopy(options.settings or {})
  if options.model then
    init.model = options.model
  end
  return M.as_object(init)
end

--- `value`, or an empty JSON object when it is an empty table (which would be sent as `[]`).
---@param value table
---@return table
function M.as_object(value)
  if next(value) == nil then
    return vim.empty_dict()
  end
  return value
end

--- The workspace settings sent to the server (its `logsmith` section).
---@param options table
---@return table
function M.workspace_settings(options)
  return { logsmith = M.init_options(options) }
end

return M
