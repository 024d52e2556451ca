"""The audit trail: a local SQLite store of every suggestion shown, accepted or dismissed (hash
chained), its export and verification, and the adoption report read from it or merged from several
stores and exports (`inputs` reads and verifies each).

May import `settings` and `suggestion`; the server writes to it, the CLI reads it.
"""
