--- Configuration of the logsmith language server for `vim.lsp.enable("logsmith")` (Neovim 0.11+).
--- Change it with vim.lsp.config("logsmith", { ... }), or call require("logsmith").setup({ ... }).
return require('logsmith.client').lsp_config()
