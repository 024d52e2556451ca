"""Output formats of batch mode: text (default), unified diff, JSON Lines, SARIF 2.1.0,
review Markdown."""
