"""Nothing secret is suggested (SECURITY.md "Secrets").

A corpus of tricky sites goes through `logsmith.suggest`, in template mode and with the real model.
For every suggestion:
- no secret-looking name is an argument (`Suggestion.variables`, and every name the call reads,
  f-string interpolations and keyword values included);
- no secret-looking identifier that only code would write (`auth_header`, `session.token`,
  `self.api_key`) appears anywhere in the statement text;
- no value assigned to a secret-looking name in the file (`API_KEY = "sk-live-..."`) appears in the
  statement, in any letter case: the model sees the file and must not copy it into a message;
- the names that are not secrets (`key` of a dict, `username`, `keyboard`) are still logged, so the
  rule cannot pass by logging nothing.
The rule itself is `logsmith.planning.secrets.is_secret` (see SECURITY.md).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import pytest

import logsmith
from logsmith.settings import Settings

HEAD = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
CURSOR = "‸"


@dataclass(frozen=True)
class Case:
    id: str
    body: str
    """Code after the standard header; `‸` marks the cursor."""
    secrets: tuple[str, ...]
    """Names (or dotted attributes) that must never be arguments."""
    kept: tuple[str, ...] = ()
    """Names that are not secrets and that the site should log."""
    values: tuple[str, ...] = ()
    """Secret values in the file that must never appear in a statement."""
    typed: str = ""
    """What the user typed at the cursor."""
    header: str = field(default=HEAD)

    def source(self) -> tuple[str, int, int]:
        text = self.header + self.body.replace(CURSOR, self.typed)
        before = (self.header + self.body).split(CURSOR)[0]
        line = before.count("\n")
        return text, line, len(before.split("\n")[-1]) + len(self.typed)


SECRET_VALUES_HEADER = HEAD + "API_KEY = 'sk-live-4f9a8b7c6d5e'\nDB_PASSWORD = \"hunter2-Xy9\"\n\n\n"
LOCAL_SECRETS = (
    "def connect(host):\n"
    "    password = 'Tr0ub4dor-3'\n"
    "    token = 'ghp_a1b2c3d4e5f6'\n"
    "    client = Client(host, API_KEY, token, password=DB_PASSWORD)\n"
    f"    {CURSOR}\n"
    "    return client\n"
)
ALL_VALUES = ("sk-live-4f9a8b7c6d5e", "hunter2-Xy9", "Tr0ub4dor-3", "ghp_a1b2c3d4e5f6")

CORPUS = [
    # the cases SECURITY.md names ("Secrets")
    Case("pwd parameter", f"def login(username, pwd):\n    {CURSOR}\n    return check(username, pwd)\n",
         secrets=("pwd",), kept=("username",)),
    Case("auth_header parameter", f"def call_api(url, auth_header):\n    {CURSOR}\n    return post(url, auth_header)\n",
         secrets=("auth_header",), kept=("url",)),
    Case("session.token returned", f"def current_token(session):\n    refresh(session)\n    {CURSOR}\n    return session.token\n",
         secrets=("session.token",)),
    Case("creds just computed", f"def load(path):\n    creds = read_credentials(path)\n    {CURSOR}\n    return creds\n",
         secrets=("creds",)),
    Case("key in a crypto function", f"def encrypt_message(key, plaintext):\n    {CURSOR}\n    return Fernet(key).encrypt(plaintext)\n",
         secrets=("key",)),
    Case("key of a dict", f"def update_cache(key, value):\n    {CURSOR}\n    CACHE[key] = value\n",
         secrets=(), kept=("key", "value")),
    Case("key of a dict in a loop", f"def dump_config(config):\n    for key in config:\n        {CURSOR}\n        show(key, config[key])\n",
         secrets=(), kept=("key",)),
    Case("key in a decrypting loop", f"def decrypt_all(blobs, keys):\n    for key in keys:\n        {CURSOR}\n        try_decrypt(blobs, key)\n",
         secrets=("key",)),
    Case("password parameter with a default", f"def connect(host, port, password=None):\n    {CURSOR}\n    return link(host, port, password)\n",
         secrets=("password",), kept=("host", "port")),
    Case("password parameter with a type", f"def connect(host: str, password: str) -> None:\n    {CURSOR}\n    link(host, password)\n",
         secrets=("password",), kept=("host",)),
    Case("self.api_key returned", "class Client:\n    def __init__(self, api_key):\n        self.api_key = api_key\n\n"
         f"    def credentials(self):\n        {CURSOR}\n        return self.api_key\n", secrets=("self.api_key", "api_key")),
    Case("token in an except block", "def verify_all(tokens):\n    for token in tokens:\n        try:\n            verify(token)\n"
         f"        except ValueError as exc:\n            {CURSOR}\n            continue\n", secrets=("token", "tokens"),
         typed="logger.error"),
    Case("exception named like a token", "def refresh(client):\n    try:\n        client.refresh()\n"
         f"    except AuthError as token_error:\n        {CURSOR}\n        raise\n", secrets=("token_error",), typed="logger.error"),
    # more spellings of the same secrets
    Case("camelCase apiKey", f"def configure(endpoint, apiKey):\n    {CURSOR}\n    return Client(endpoint, apiKey)\n",
         secrets=("apiKey",), kept=("endpoint",)),
    Case("camelCase secretKey", f"def configure(region, secretKey):\n    {CURSOR}\n    return Client(region, secretKey)\n",
         secrets=("secretKey",), kept=("region",)),
    Case("pw parameter", f"def login(user, pw):\n    {CURSOR}\n    return check(user, pw)\n", secrets=("pw",), kept=("user",)),
    Case("signing_key parameter", f"def make_token(claims, signing_key):\n    {CURSOR}\n    return encode(claims, signing_key)\n",
         secrets=("signing_key",), kept=("claims",)),
    Case("secret in a loop", f"def rotate(secrets):\n    for secret in secrets:\n        {CURSOR}\n        store(secret)\n",
         secrets=("secret", "secrets")),
    Case("otp parameter", f"def verify_otp(user, otp):\n    {CURSOR}\n    return check(user, otp)\n", secrets=("otp",), kept=("user",)),
    Case("cookie just computed", f"def get_cookie(request):\n    cookie = request.cookies.get('sid')\n    {CURSOR}\n    return cookie\n",
         secrets=("cookie",)),
    Case("private key attribute", f"class Signer:\n    def sign(self, data):\n        {CURSOR}\n        return rsa_sign(self.private_key, data)\n",
         secrets=("self.private_key",), kept=("data",)),
    Case("names that only look like secrets", f"def render(author, keyboard, tokenizer_name):\n    {CURSOR}\n    return draw(author, keyboard)\n",
         secrets=(), kept=("author", "keyboard")),
    Case("f-string house style", "def greet(user):\n    logger.info(f\"hello {user}\")\n\n\n"
         f"def login(username, password):\n    {CURSOR}\n    return check(username, password)\n",
         secrets=("password",), kept=("username",)),
    # secret values in the file, with the user typing a message that invites the model to copy them
    *(Case(f"secret values, typed {typed!r}", LOCAL_SECRETS, secrets=("password", "token", "API_KEY", "DB_PASSWORD"),
           values=ALL_VALUES, typed=typed, header=SECRET_VALUES_HEADER)
      for typed in ("", 'logger.info("Using key sk-', 'logger.debug("password=', 'logger.info("Connecting with token ',
                    'logger.debug("DB_PASSWORD is ')),
]

TEMPLATE = Settings(use_model=False)


def names_read(statement: str) -> set[str]:
    """Every name and dotted attribute the statement's arguments read (and each dotted prefix)."""
    call = ast.parse(statement).body[0].value
    found = set()
    for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
        for node in ast.walk(argument):
            if isinstance(node, (ast.Name, ast.Attribute)):
                try:
                    text = ast.unparse(node)
                except Exception:
                    continue
                parts = text.split(".")
                found.update(".".join(parts[: n + 1]) for n in range(len(parts)))
    return found


def looks_like_code(name: str) -> bool:
    """Identifiers prose never contains: with an underscore or a dot, or camelCase."""
    return "_" in name or "." in name or bool(re.search(r"[a-z][A-Z]", name))


def check_case(case: Case, suggestions) -> None:
    text, _, _ = case.source()
    assert suggestions, f"{case.id}: no suggestion"
    for suggestion in suggestions:
        statement = suggestion.statement
        where = f"{case.id} ({suggestion.source}): {statement}"
        read = names_read(statement)
        typed_message = case.typed.partition('"')[2]
        written = statement.replace(typed_message, "", 1)  # what the user typed is theirs, not the engine's
        for secret in case.secrets:
            assert secret not in suggestion.variables, f"{where}: logs the secret {secret}"
            assert secret not in read, f"{where}: reads the secret {secret}"
            if looks_like_code(secret):
                assert not re.search(rf"(?<![\w.]){re.escape(secret)}(?![\w])", written), f"{where}: names {secret}"
        for value in case.values:
            assert value.lower() not in statement.lower(), f"{where}: repeats the secret value {value!r}"
        if suggestion.source == "template":
            for name in case.kept:
                assert name in suggestion.variables, f"{where}: {name} is not a secret and should be logged"
        else:  # the model chooses what to log among the names it is offered: the kept ones are offered
            offered = plan_of(case).candidates
            for name in case.kept:
                assert name in offered, f"{where}: {name} is not a secret and should be offered to the model"
            assert not set(case.secrets) & set(offered), f"{where}: a secret is offered to the model"


def plan_of(case: Case):
    from logsmith.pipeline import facts_of, site_at, style_for
    from logsmith.planning.plan import make_plan
    from logsmith.syntax.document import ParsedDocument

    text, line, character = case.source()
    document = ParsedDocument(text)
    facts = facts_of(document)
    site = site_at(text, line, character, document=document)
    return make_plan(site, facts, style_for(facts, "/src/app.py", TEMPLATE))


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_template_mode_never_suggests_a_secret(case):
    text, line, character = case.source()
    check_case(case, logsmith.suggest(text, line, character, path="/src/app.py", settings=TEMPLATE))


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_the_model_never_suggests_a_secret(case, model_settings):
    text, line, character = case.source()
    found = logsmith.suggest(text, line, character, path="/src/app.py", settings=model_settings)
    check_case(case, found)
    # the model was really asked: not missing, not cut short (it may still write nothing usable)
    skipped = ("cannot be loaded", "not installed", "not found", "ran out of time", "no time left", "busy", "late", "loading")
    assert not [note for s in found for note in s.notes if any(word in note for word in skipped)], found[0].notes
