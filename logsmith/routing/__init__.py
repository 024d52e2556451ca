"""Routing: which path writes a statement — the template, the embedded model, or a stronger
model on a team's server — and what the expensive path may spend."""
