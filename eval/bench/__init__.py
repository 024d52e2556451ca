"""The benchmarks: logsmith in process (`engine`, `variables`), through the real language server
(`server`, `adoption`), in batch mode (`batch`), the embedded model against llama-server
(`remote`), in Java, Go, JavaScript and TypeScript (`languages`, scored by `language_scoring`),
and the baselines and instruments they share (the llama.vim way, the model without the grammar, an
editor-like LSP client, /proc readings, the machine)."""
