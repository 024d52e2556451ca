"""Engines that write log statements: the deterministic template engine and the local model.

`template` needs nothing; `prompt` builds the model's prompt and grammar as pure functions;
`llama` runs llama-cpp-python in a worker process (`llama_worker`) and `model_engine` asks it.
Nothing is imported here, so importing one engine never loads another's dependencies.
"""
