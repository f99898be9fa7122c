"""Calls every operation of a running Baton through a client that openapi-python-client
generated from Baton's own OpenAPI document, and checks each answer's status and shape through
the generated models. Run by `just python-client` (tests/python-client/run.sh), which generates
the `baton_client` package into a temporary directory and puts it on `PYTHONPATH`.

Why: the document is only useful to client authors if a generator can turn it into a client
that works. This found that an optional body rendered as `oneOf [body, null]` made logout
without a body impossible. Every client is made with `raise_on_unexpected_status=True`, so an
answer whose status the document does not list fails the run.

Environment (from scripts/api/with-baton.sh): API_BASE_URL, API_INTROSPECT_ID,
API_INTROSPECT_SECRET. Exits 0 when every check passed, 1 at the first that did not.
"""

import base64
import datetime
import json
import os
import sys
import traceback
import uuid
from http import HTTPStatus

from baton_client import AuthenticatedClient, Client
from baton_client.api.auth import list_, login, logout, me, refresh, register, revoke
from baton_client.api.operations import healthz, metrics, openapi, readyz
from baton_client.api.resource_servers import introspect, jwks
from baton_client.models import (
    Health,
    IntrospectRequest,
    IntrospectResponse,
    LoginRequest,
    Problem,
    RefreshTokenBody,
    RegisterRequest,
    Scope,
    Session,
    TokenResponse,
    User,
)
from baton_client.types import UNSET

BASE = os.environ["API_BASE_URL"]
PASSWORD = "correct horse battery"


def anonymous() -> Client:
    return Client(base_url=BASE, raise_on_unexpected_status=True)


def bearer(token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=BASE, token=token, raise_on_unexpected_status=True)


def basic(client_id: str, secret: str) -> AuthenticatedClient:
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return AuthenticatedClient(
        base_url=BASE, token=credentials, prefix="Basic", raise_on_unexpected_status=True
    )


def expect(response, status: HTTPStatus, model=None):
    """The answer has `status` and, when `model` is given, parsed into it with no field the
    document does not describe; returns the parsed value."""
    assert response.status_code == status, (
        f"expected {status.value}, got {response.status_code.value}: {response.content[:300]!r}"
    )
    parsed = response.parsed
    if model is not None:
        assert isinstance(parsed, model), f"expected a {model.__name__}, got {parsed!r}"
        extra = getattr(parsed, "additional_properties", {})
        assert not extra, f"undocumented fields in {model.__name__}: {sorted(extra)}"
    return parsed


def expect_problem(response, status: HTTPStatus, code: str) -> Problem:
    problem = expect(response, status, Problem)
    assert problem.status == status.value and problem.code == code, problem
    return problem


def expect_tokens(response, status: HTTPStatus, email: str) -> TokenResponse:
    tokens = expect(response, status, TokenResponse)
    assert tokens.token_type == "Bearer", tokens.token_type
    assert isinstance(tokens.access_token, str) and tokens.access_token.count(".") == 2
    assert isinstance(tokens.refresh_token, str) and tokens.refresh_token.count(".") == 2
    assert isinstance(tokens.expires_in, int) and tokens.expires_in > 0
    now = datetime.datetime.now(datetime.timezone.utc)
    assert tokens.expires_at > now and tokens.refresh_expires_at > tokens.expires_at
    check_user(tokens.user, email)
    return tokens


def check_user(user, email: str) -> None:
    assert isinstance(user, User), user
    assert isinstance(user.id, uuid.UUID), user.id
    assert user.email == email, user.email
    assert isinstance(user.created_at, datetime.datetime), user.created_at
    assert not user.additional_properties, user.additional_properties


def sign_in(email: str) -> TokenResponse:
    body = LoginRequest(email=email, password=PASSWORD)
    return expect_tokens(login.sync_detailed(client=anonymous(), body=body), HTTPStatus.OK, email)


def alive(tokens: TokenResponse) -> bool:
    response = me.sync_detailed(client=bearer(tokens.access_token))
    if response.status_code == HTTPStatus.UNAUTHORIZED:
        expect_problem(response, HTTPStatus.UNAUTHORIZED, "session_revoked")
        return False
    check_user(expect(response, HTTPStatus.OK, User), tokens.user.email)
    return True


def check_operations():
    health = expect(healthz.sync_detailed(client=anonymous()), HTTPStatus.OK, Health)
    assert health.status == "ok"
    yield "GET /healthz"
    expect(readyz.sync_detailed(client=anonymous()), HTTPStatus.OK, Health)
    yield "GET /readyz"
    text = expect(metrics.sync_detailed(client=anonymous()), HTTPStatus.OK)
    assert "baton_" in text and "# TYPE" in text, text[:200]
    yield "GET /metrics"
    document = expect(openapi.sync_detailed(client=anonymous()), HTTPStatus.OK)
    assert document["openapi"].startswith("3.") and "/api/v1/auth/logout" in document["paths"]
    yield "GET /api-docs/openapi.json"
    key_set = expect(jwks.sync_detailed(client=anonymous()), HTTPStatus.OK)
    # The dev profile signs with HS256 only, and HMAC secrets are never published.
    assert key_set.to_dict() == {"keys": []}, key_set.to_dict()
    yield "GET /.well-known/jwks.json"

    email = f"py-{uuid.uuid4().hex[:12]}@example.com"
    body = RegisterRequest(email=f"  {email.upper()} ", password=PASSWORD, name="Ada")
    first = expect_tokens(
        register.sync_detailed(client=anonymous(), body=body), HTTPStatus.CREATED, email
    )
    assert first.user.name == "Ada", first.user.name
    response = register.sync_detailed(client=anonymous(), body=body)
    expect_problem(response, HTTPStatus.CONFLICT, "email_taken")
    # The password rule counts characters from below (8, the schema's minLength) and bytes
    # from above (72, bcrypt's limit): 8 two-byte characters are enough, 7 are not, 37 are
    # too many bytes.
    ok = RegisterRequest(email=f"b-{email}", password="é" * 8)
    expect_tokens(register.sync_detailed(client=anonymous(), body=ok), HTTPStatus.CREATED, f"b-{email}")
    short = RegisterRequest(email=f"c-{email}", password="é" * 7)
    expect_problem(register.sync_detailed(client=anonymous(), body=short), HTTPStatus.BAD_REQUEST, "invalid_input")
    long = RegisterRequest(email=f"d-{email}", password="é" * 37)
    expect_problem(register.sync_detailed(client=anonymous(), body=long), HTTPStatus.BAD_REQUEST, "invalid_input")
    yield "POST /api/v1/auth/register"

    second = sign_in(email)
    wrong = LoginRequest(email=email, password="not the password")
    response = login.sync_detailed(client=anonymous(), body=wrong)
    expect_problem(response, HTTPStatus.UNAUTHORIZED, "invalid_credentials")
    yield "POST /api/v1/auth/login"

    user = expect(me.sync_detailed(client=bearer(second.access_token)), HTTPStatus.OK, User)
    check_user(user, email)
    assert user.id == first.user.id
    expect_problem(me.sync_detailed(client=bearer("not.a.token")), HTTPStatus.UNAUTHORIZED, "invalid_token")
    yield "GET /api/v1/auth/me"

    body = RefreshTokenBody(refresh_token=second.refresh_token)
    response = refresh.sync_detailed(client=bearer(second.access_token), body=body)
    rotated = expect_tokens(response, HTTPStatus.OK, email)
    assert rotated.refresh_token != second.refresh_token
    yield "POST /api/v1/auth/refresh (body)"
    response = refresh.sync_detailed(client=bearer(rotated.refresh_token))
    rotated_again = expect_tokens(response, HTTPStatus.OK, email)
    yield "POST /api/v1/auth/refresh (bearer)"
    response = refresh.sync_detailed(client=bearer(rotated.refresh_token))
    expect_problem(response, HTTPStatus.UNAUTHORIZED, "token_reused")
    assert not alive(rotated_again), "reuse revokes the whole session"
    yield "POST /api/v1/auth/refresh (reuse)"

    third = sign_in(email)
    sessions = expect(list_.sync_detailed(client=bearer(third.access_token)), HTTPStatus.OK)
    assert isinstance(sessions, list) and all(isinstance(s, Session) for s in sessions), sessions
    current = [s for s in sessions if s.current]
    assert len(current) == 1 and len(sessions) == 2, sessions  # first's and third's
    others = [s for s in sessions if not s.current]
    assert all(isinstance(s.id, uuid.UUID) and s.expires_at > s.created_at for s in sessions)
    yield "GET /api/v1/auth/sessions"
    response = revoke.sync_detailed(others[0].id, client=bearer(third.access_token))
    expect(response, HTTPStatus.NO_CONTENT)
    assert not alive(first)
    response = revoke.sync_detailed(others[0].id, client=bearer(third.access_token))
    expect_problem(response, HTTPStatus.NOT_FOUND, "session_not_found")
    yield "DELETE /api/v1/auth/sessions/{id}"

    introspector = basic(os.environ["API_INTROSPECT_ID"], os.environ["API_INTROSPECT_SECRET"])
    form = IntrospectRequest(token=third.access_token, token_type_hint="access_token")
    state = expect(introspect.sync_detailed(client=introspector, body=form), HTTPStatus.OK, IntrospectResponse)
    assert state.active is True and state.sub == str(third.user.id), state
    assert state.token_type == "Bearer" and state.baton_token_type == "access", state
    assert state.exp > state.iat, state
    # A refresh token is no credential at an API: never active (SPEC §3, §11).
    form = IntrospectRequest(token=third.refresh_token)
    state = expect(introspect.sync_detailed(client=introspector, body=form), HTTPStatus.OK, IntrospectResponse)
    assert state.to_dict() == {"active": False}, state.to_dict()
    form = IntrospectRequest(token="not.a.token")
    state = expect(introspect.sync_detailed(client=introspector, body=form), HTTPStatus.OK, IntrospectResponse)
    assert state.to_dict() == {"active": False}, state.to_dict()
    stranger = basic(os.environ["API_INTROSPECT_ID"], "not-the-secret")
    response = introspect.sync_detailed(client=stranger, body=form)
    # RFC 6749 §5.2 JSON, as OAuth libraries read it.
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response
    assert json.loads(response.content)["error"] == "invalid_client", response.content
    yield "POST /api/v1/auth/introspect (Basic)"

    # Logout: without a body (the default scope is `local`), then with one and each scope.
    expect(logout.sync_detailed(client=bearer(third.access_token)), HTTPStatus.NO_CONTENT)
    assert not alive(third)
    yield "POST /api/v1/auth/logout (no body)"
    fourth = sign_in(email)
    body = RefreshTokenBody(refresh_token=fourth.refresh_token)
    response = logout.sync_detailed(client=bearer(fourth.access_token), body=body, scope=Scope.LOCAL)
    expect(response, HTTPStatus.NO_CONTENT)
    assert not alive(fourth)
    yield "POST /api/v1/auth/logout (body, scope=local)"
    keep, drop = sign_in(email), sign_in(email)
    response = logout.sync_detailed(client=bearer(keep.access_token), scope=Scope.OTHERS)
    expect(response, HTTPStatus.NO_CONTENT)
    assert alive(keep) and not alive(drop)
    yield "POST /api/v1/auth/logout (scope=others)"
    other = sign_in(email)
    response = logout.sync_detailed(client=bearer(keep.access_token), scope=Scope.GLOBAL)
    expect(response, HTTPStatus.NO_CONTENT)
    assert not alive(keep) and not alive(other)
    response = logout.sync_detailed(client=bearer(keep.access_token), body=UNSET)
    expect_problem(response, HTTPStatus.UNAUTHORIZED, "session_revoked")
    yield "POST /api/v1/auth/logout (scope=global)"


def main() -> int:
    done = 0
    try:
        for name in check_operations():
            done += 1
            print(f"ok   {name}")
    except Exception:
        traceback.print_exc()
        print(f"FAIL after {done} passed checks", file=sys.stderr)
        return 1
    print(f"all {done} checks passed against {BASE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
