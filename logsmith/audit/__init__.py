"""The audit trail: a local SQLite store of every suggestion shown, accepted or dismissed (hash
chained), the adoption report read from it, and its export and verification.

May import `settings` and `suggestion`; the server writes to it, the CLI reads it.
"""
