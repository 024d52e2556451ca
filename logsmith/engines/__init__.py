"""What writes and checks a planned statement: the template engine (no model), the model's prompt
and output grammar (pure functions), the model engine that asks the worker within the budget,
writing and checking a finished statement, and revising the model's choice of values.

May import `planning`, `syntax`, `model` and `vocabulary`. Nothing is imported here, so importing
one engine never loads another's dependencies.
"""
