"""Checks of a suggestion written apart from logsmith's own analysis, on `ast`: names in scope at a
point (`scope`), names bound on every path to a statement (`definite_binding`), messages that fit
their values (`placeholders`), and the "safe" metric added to rows stored before it (`safety`);
for Java, Go, JavaScript and TypeScript, on tree-sitter: parses at the site, names bound there and
a value's variables (`foreign_scope`)."""
