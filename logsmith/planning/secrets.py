"""What never to log: names that look like they hold a secret, and the string values a file binds
to such names (a statement must never repeat them)."""

from __future__ import annotations

import re

from logsmith.vocabulary import identifier_words

# Name parts that mark a secret. `key` alone is a secret only in a cryptographic context.
SECRET_PARTS = re.compile(
    r"(^|_|\b)(password|passwd|passphrase|passcode|pwd|pw|pass|secret|secrets|token|tokens|apikey|api_key|credential|credentials|"
    r"creds|cred|private_key|privkey|secret_key|access_key|session_key|auth|authorization|cookie|cookies|"
    r"ssn|pin|otp|signature|salt|jwt|bearer)($|_|\b)",
    re.IGNORECASE,
)
SECRET_CAMEL = re.compile(
    r"(Password|Passwd|Secret|Token|ApiKey|Credential|PrivateKey|AccessKey|Auth)"
)
# Words that make a `..._key` name a key that must stay secret (`signing_key`, `api_keys`,
# `sshKey`); `primary_key`, `cache_key` or `sort_key` are not secrets.
SECRET_KEY_QUALIFIERS = re.compile(
    r"sign|signing|signature|encrypt|encryption|decrypt|decryption|crypto|cipher|hmac|master|ssh|gpg|pgp|priv|private|"
    r"secret|access|session|api|fernet|aes|rsa|ecdsa|ed25519|jwt|auth|client|license"
)
# A string literal bound to a name, keyword or dict key:
# `API_KEY = "..."`, `password="..."`, `{"token": "..."}`.
STRING_BINDING = re.compile(
    r"""(?P<name>[A-Za-z_][\w.]*)\s*(?::[^=\n]*)?={1,2}\s*[rRbBuU]?(?P<q>['"])(?P<value>[^'"\\\n]{4,})(?P=q)"""
    r"""|['"](?P<key>[A-Za-z_][\w-]*)['"]\s*:\s*[rRbBuU]?(?P<q2>['"])(?P<value2>[^'"\\\n]{4,})(?P=q2)"""
)
CRYPTO_CONTEXT = re.compile(
    r"encrypt|decrypt|cipher|crypt|hmac|sign|verify|fernet|rsa|aes|jwt|hash|private|public_key|keypair|nacl",
    re.IGNORECASE,
)


def is_secret(name: str, context: str = "") -> bool:
    """True when `name` (a name or dotted attribute) looks like it holds a secret.

    `context` is text around the site (function name and parameters); it decides whether a bare
    `key` is a cryptographic key (secret) or a dictionary key (not).
    """
    for part in name.split("."):
        words = identifier_words(part)
        if (
            SECRET_PARTS.search(part)
            or SECRET_PARTS.search("_".join(words))
            or SECRET_CAMEL.search(part)
        ):
            return True
        if (
            len(words) > 1
            and words[-1] in ("key", "keys")
            and any(SECRET_KEY_QUALIFIERS.fullmatch(w) for w in words[:-1])
        ):
            return True
        if re.fullmatch(r"_?(key|keys|k)", part, re.IGNORECASE) and CRYPTO_CONTEXT.search(context):
            return True
    return False


def secret_values(source: str) -> frozenset[str]:
    """String literals that `source` binds to secret-looking names (`API_KEY = "sk-..."`,
    `connect(password="...")`, `{"token": "..."}`): text no statement may ever contain."""
    found = set()
    for match in STRING_BINDING.finditer(source):
        name, value = (
            (match["name"], match["value"]) if match["name"] else (match["key"], match["value2"])
        )
        if value.strip() and is_secret(name):
            found.add(value)
    return frozenset(found)
