; Comments that silence findings: `// logsmith: ignore` or `// logsmith: ignore[retry_loop]`.
([(line_comment) (block_comment)] @ignore (#match? @ignore "logsmith:\\s*ignore"))
