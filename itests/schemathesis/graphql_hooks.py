"""Schemathesis hooks for fuzzing EventDBX's GraphQL API (loaded with SCHEMATHESIS_HOOKS=graphql_hooks).

- The schema's JSON scalar gets a strategy: small JSON objects (what payloads are), and now and then other values,
  which the server must refuse with a clear error.
- Schemathesis's own `not_a_server_error` check counts every `errors` entry with a `path` as a resolver failure,
  and knows only Apollo's error codes as the caller's fault; EventDBX answers a refused argument (an empty
  aggregate type, say) with an error whose `extensions.code` is the door's refusal code (INVALID_ARGUMENT,
  NOT_FOUND, ...). So that check is replaced by a stricter one: never a 5xx, every error has a known code and a
  message, no error is INTERNAL, and no message shows a stack trace or a Java class name.
"""
import re

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
_LEAVES = st.one_of(
    st.text(max_size=20).map(nodes.String),
    st.integers(min_value=-(10**12), max_value=10**12).map(nodes.Int),
    st.booleans().map(nodes.Boolean),
    st.just(nodes.Null),
)
_OBJECTS = st.dictionaries(_KEYS, _LEAVES, max_size=4).map(
    lambda fields: nodes.Object([__import__("graphql").ObjectFieldNode(
        name=__import__("graphql").NameNode(value=k), value=v) for k, v in fields.items()]))

schemathesis.graphql.scalar("JSON", st.one_of(_OBJECTS, _OBJECTS, _OBJECTS, _LEAVES))

KNOWN_CODES = {
    # the door's refusal codes
    "INVALID_ARGUMENT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "NOT_EMPTY", "ARCHIVED",
    "SCHEMA_VIOLATION", "PAYLOAD_TOO_LARGE", "INTEGRITY", "UNAVAILABLE",
    # the GraphQL surface's own
    "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_DEEP", "QUERY_TOO_COSTLY", "TOO_MANY_ALIASES",
    "METHOD_NOT_ALLOWED", "UNSUPPORTED_MEDIA_TYPE",
}
_INTERNALS = re.compile(r"\tat |Exception\b|java\.|graphql\.execution|io\.eventdbx\.")


@schemathesis.check
def refusals_are_clear(ctx, response, case):
    """Never a server failure; every error coded and readable, without internals."""
    if response.status_code >= 500:
        raise AssertionError(f"status {response.status_code}: {response.text[:300]}")
    body = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code not in KNOWN_CODES:
            raise AssertionError(f"an error without a known code ({code!r}): {error}")
        message = error.get("message") or ""
        if not message.strip():
            raise AssertionError(f"an error without a message: {error}")
        if _INTERNALS.search(message):
            raise AssertionError(f"an error message shows internals: {message}")
