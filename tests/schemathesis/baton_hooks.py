"""schemathesis hooks for Baton: teach the fuzzer the byte rules JSON Schema cannot state.

Loaded by `just schemathesis` (tests/schemathesis/run.sh sets `SCHEMATHESIS_HOOKS` to this
file). Why it exists: JSON Schema's `minLength`/`maxLength` count characters, while some of
Baton's register rules count UTF-8 bytes (SPEC §5): a password is at least 8 characters (the
document's `minLength`, the rule itself) but at most 72 bytes (bcrypt's limit); an email at most
254 bytes with a local part of at most 64. The document says what is true in characters
(`maxLength: 72` for the password, a pattern for the email) and the byte rules in
`x-utf8-bytes`; a generator that read only the characters would send, say, 70 three-byte
characters as a password (schema-valid, 210 bytes for the server) and
`positive_data_acceptance` would blame the server for refusing it. So:

- passwords (`format: password`) are drawn by a strategy that builds full-Unicode strings of at
  least `minLength` characters within the byte limit `x-utf8-bytes` allows, so schema-valid
  generated passwords are rule-valid;
- generated *positive* register and email-change cases whose email is over its byte limits
  are dropped (the pattern bounds the local part at 64 characters, which can be up to 256
  bytes).

The bounds are read from the served document, not repeated here, so the two cannot drift; a
document without them stops the run. Negative data needs no help: fewer than 8 characters is
refused, and a string outside the email pattern is refused whatever its length.
"""

from hypothesis import strategies as st

import schemathesis
from schemathesis.generation import GenerationMode

EXTENSION = "x-utf8-bytes"
REGISTER = ("POST", "/api/v1/auth/register")
# Operations whose body carries an email under the register rules, and the field's name.
EMAIL_FIELDS = {REGISTER: "email", ("POST", "/api/v1/auth/email"): "new_email"}

# The highest code point whose UTF-8 encoding takes 1, 2, 3 or 4 bytes.
_MAX_CODE_POINT_FOR = {1: 0x7F, 2: 0x7FF, 3: 0xFFFF, 4: 0x10FFFF}

# Filled from the document by `before_load_schema`.
_EMAIL_BYTES: dict = {}


@st.composite
def utf8_text(draw, min_chars: int, max_bytes: int) -> str:
    """Any Unicode scalar values (no surrogates), at least `min_chars` of them, whose UTF-8
    encoding is at most `max_bytes` long. Built character by character within the room left
    after reserving one byte for each character still to come, never filtered, so that no draw
    is wasted and every length in the range is reachable."""
    count = draw(st.integers(min_value=min_chars, max_value=max_bytes))
    chars, size = [], 0
    for still_to_come in range(count - 1, -1, -1):
        room = min(4, max_bytes - size - still_to_come)
        char = draw(st.characters(codec="utf-8", max_codepoint=_MAX_CODE_POINT_FOR[room]))
        chars.append(char)
        size += len(char.encode("utf-8"))
    return "".join(chars)


def _register_schema(raw_schema: dict, name: str) -> dict:
    schema = raw_schema["components"]["schemas"]["RegisterRequest"]["properties"][name]
    if EXTENSION not in schema:
        raise ValueError(f"RegisterRequest.{name} has no {EXTENSION}: the document changed")
    return schema


def _register_field(raw_schema: dict, name: str) -> dict:
    return _register_schema(raw_schema, name)[EXTENSION]


@schemathesis.hook
def before_load_schema(context, raw_schema):
    """Read the byte rules from the document and set the fuzzer up with them."""
    password = _register_schema(raw_schema, "password")
    # Every `format: password` field gets it: register's (where it makes the generated data
    # rule-valid) and login's (no length rule there: these are simply plausible attempts).
    strategy = utf8_text(password["minLength"], password[EXTENSION]["max"])
    schemathesis.openapi.format("password", strategy)
    _EMAIL_BYTES.update(_register_field(raw_schema, "email"))


def _email_fits(email: str) -> bool:
    """The email's byte rule as the document's description states it: measured on the trimmed,
    lower-cased address. (For strings the pattern admits, Python's `strip` removes exactly
    Rust's `trim` whitespace: the pattern allows no other character at either end.)"""
    normalised = email.strip().lower()
    local = normalised.rpartition("@")[0]
    return (
        len(normalised.encode("utf-8")) <= _EMAIL_BYTES["max"]
        and len(local.encode("utf-8")) <= _EMAIL_BYTES["maxLocalPart"]
    )


@schemathesis.hook
def filter_case(context, case):
    """Drop positive register (and email-change) cases whose email breaks the byte rule the
    pattern cannot state."""
    operation = context.operation
    if operation is None:
        return True
    field = EMAIL_FIELDS.get((operation.method.upper(), operation.path))
    if field is None:
        return True
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return True
    body = case.body
    if isinstance(body, dict) and isinstance(body.get(field), str):
        return _email_fits(body[field])
    return True
