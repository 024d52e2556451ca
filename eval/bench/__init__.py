"""The benchmarks: logsmith in process (`engine`, `variables`), through the real language server
(`server`, `adoption`), in batch mode (`batch`), and the baselines and instruments they share (the
llama.vim way, the model without the grammar, an editor-like LSP client, /proc readings, the
machine)."""
