--- Finding things on disk for a buffer: its project root (by root markers) and the
--- `logsmith serve` command (the nearest `.venv` above the buffer, else PATH, else where
--- `make install` puts logsmith by default). Works on Neovim 0.7 and later.

local M = {}

local uv = vim.uv or vim.loop
local is_windows = vim.fn.has('win32') == 1
local separator = is_windows and '\\' or '/'

local function join(dir, name)
  if dir:sub(-1) == separator then
    return dir .. name
  end
  return dir .. separator .. name
end

local function parent_of(dir)
  local parent = vim.fn.fnamemodify(dir, ':h')
  if parent == dir then
    return nil
  end
  return parent
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- The folder to start searching from for buffer `bufnr`: the file's folder, else the cwd.
---@param bufnr integer|nil
---@return string
function M.start_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr or 0)
  if name ~= '' and not name:match('^%a[%w+.-]*://') then
    local dir = vim.fn.fnamemodify(name, ':p:h')
    if vim.fn.isdirectory(dir) == 1 then
      return dir
    end
  end
  return vim.fn.getcwd()
end

--- The nearest folder at or above `dir` that holds one of `markers`, or nil.
---@param dir string
---@param markers string[]
---@return string|nil
function M.root_dir(dir, markers)
  local current = dir
  while current do
    for _, marker in ipairs(markers) do
      if exists(join(current, marker)) then
        return current
      end
    end
    current = parent_of(current)
  end
  return nil
end

--- The `logsmith` executable of the nearest `.venv` at or above `dir`, or nil.
---@param dir string
---@return string|nil
function M.venv_executable(dir)
  local relative = is_windows and join(join('.venv', 'Scripts'), 'logsmith.exe') or join(join('.venv', 'bin'), 'logsmith')
  local current = dir
  while current do
    local candidate = join(current, relative)
    if vim.fn.executable(candidate) == 1 then
      return candidate
    end
    current = parent_of(current)
  end
  return nil
end

--- Where `make install` (scripts/install.sh in the logsmith repository) puts the `logsmith`
--- executable when not told otherwise: $XDG_DATA_HOME/logsmith/venv/bin/logsmith, else
--- ~/.local/share/logsmith/venv/bin/logsmith. nil on Windows, which the installer does not serve.
---@return string|nil
function M.default_install()
  if is_windows then
    return nil
  end
  local data_home = os.getenv('XDG_DATA_HOME')
  if not data_home or data_home:sub(1, 1) ~= '/' then
    data_home = join(join(vim.fn.expand('~'), '.local'), 'share')
  end
  return join(join(join(join(data_home, 'logsmith'), 'venv'), 'bin'), 'logsmith')
end

--- How to install logsmith, for messages: the repository's `make install`.
M.install_hint = 'Install it with `make install` in a logsmith checkout (into ~/.local/share/logsmith/venv, '
  .. 'found without any setting; after `make install INSTALL_VENV=DIR` set cmd = { "DIR/bin/logsmith", "serve" } '
  .. 'in setup() or vim.lsp.config("logsmith", ...))'

--- The command that starts the server for files under `dir`, and where it came from.
--- `configured` (the `cmd` option) wins; then `.venv/bin/logsmith` at or above `dir`; then
--- `logsmith` on PATH; then the default install location.
--- Returns nil and a message with the fix when nothing is found.
---@param dir string
---@param configured string[]|nil
---@return string[]|nil, string
function M.server_command(dir, configured)
  if configured then
    return vim.deepcopy(configured), 'the cmd option'
  end
  local from_venv = M.venv_executable(dir)
  if from_venv then
    return { from_venv, 'serve' }, 'the project .venv'
  end
  if vim.fn.executable('logsmith') == 1 then
    return { vim.fn.exepath('logsmith'), 'serve' }, 'PATH'
  end
  local installed = M.default_install()
  if installed and vim.fn.executable(installed) == 1 then
    return { installed, 'serve' }, 'the default install'
  end
  return nil,
    'no `logsmith` executable: none in a .venv/bin at or above ' .. dir .. ', none on PATH and none at '
      .. (installed or 'the default install location') .. '. ' .. M.install_hint
end

return M
