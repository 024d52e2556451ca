"""Checks of a suggestion written apart from logsmith's own analysis, on `ast`: names in scope at a
point (`scope`), names bound on every path to a statement (`definite_binding`), messages that fit
their values (`placeholders`), and the "safe" metric added to rows stored before it (`safety`)."""
