"""Logging idioms of the languages other than Python: each language's libraries, levels and
statement syntax (`java`, `go`, `javascript` for JavaScript and TypeScript), the contract they
keep with the shared engine (`contract`), the engine's stages for them (`stages`), what the file,
its folder and its project say (`file_neighbour`, `project_neighbour`, `folder_habits`,
`project_habits`), and the escaping of text inside string literals that Python's renderer uses
too (`literals`)."""
