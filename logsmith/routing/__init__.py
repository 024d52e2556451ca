"""Routing: which path writes a statement — the template, the embedded model, or a stronger
model on a team's server — and what the expensive path may spend: `escalation` decides whether and
how a site goes to the stronger model, `budget` keeps the user's daily remote tokens, `latency` the
remote model's recent answer times.

May import `engines`, `planning`, `syntax`, `model`, `settings` and `audit.store` (for
`$LOGSMITH_HOME`); `pipeline` imports it.
"""
