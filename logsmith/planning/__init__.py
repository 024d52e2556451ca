"""Planning a statement before anyone writes it: the house style of the file or project, the
level, what never to log, the values worth logging, and the plan that ties them together with
the edits around it (a missing import or logger).

May import `logsmith.syntax` (sites, file facts) and `logsmith.vocabulary`; never an engine, the
model, the server or batch mode. Fitted numbers live in `data/*.json` (see `fitted`).
"""
