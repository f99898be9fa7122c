// Unmodified OAuth and JOSE libraries against a running Baton (SPEC §3, §11): each check
// prints `ok <name>` and a failure exits 1 with the reason. Started by
// crates/baton-server/tests/oauth_libraries.rs with BATON_URL (the issuer, also the server's
// address), BATON_AUDIENCE, and an introspection client in INTROSPECT_ID / INTROSPECT_SECRET.
//
// Roles: a resource server verifying access tokens (jose `jwtVerify` with `typ: 'at+jwt'`
// and required claims; oauth4webapi's RFC 9068 `validateJwtAccessToken`; RFC 7662
// introspection), and clients that discover the metadata, refresh and revoke (oauth4webapi,
// openid-client). Every check that a refresh token must fail is paired with one that the
// access token passes, so a broken server cannot pass by refusing everything.

import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';

const base = process.env.BATON_URL;
const audience = process.env.BATON_AUDIENCE;
const introspector = { id: process.env.INTROSPECT_ID, secret: process.env.INTROSPECT_SECRET };
const insecure = { [oauth.allowInsecureRequests]: true }; // the test server is plain http
const issuer = new URL(base);

function ok(name) {
  console.log(`ok ${name}`);
}

async function mustFail(name, promise) {
  try {
    await promise;
  } catch (e) {
    ok(`${name} (${e.code ?? e.error ?? e.name})`);
    return e;
  }
  throw new Error(`${name}: accepted, but must be refused`);
}

async function register(email) {
  const res = await fetch(`${base}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return res.json();
}

async function me(accessToken) {
  const res = await fetch(`${base}/api/v1/auth/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return res.status;
}

// --- Discovery (RFC 8414, and where OpenID-first libraries look) ---
const as = await oauth.processDiscoveryResponse(
  issuer,
  await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
);
if (as.issuer !== base) throw new Error(`issuer ${as.issuer} is not ${base}`);
ok('oauth4webapi discovers /.well-known/oauth-authorization-server');

const oidc = await oauth.processDiscoveryResponse(
  issuer,
  await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
);
if (oidc.token_endpoint !== as.token_endpoint) throw new Error('the two documents differ');
ok('oauth4webapi discovers /.well-known/openid-configuration');

// --- Resource server: jose ---
const t = await register(`jose-${Date.now()}@example.com`);
const jwks = jose.createRemoteJWKSet(new URL(as.jwks_uri));
const strict = {
  issuer: as.issuer,
  audience,
  typ: 'at+jwt',
  requiredClaims: ['iss', 'aud', 'sub', 'client_id', 'jti', 'iat', 'exp'],
};
const { payload, protectedHeader } = await jose.jwtVerify(t.access_token, jwks, strict);
if (protectedHeader.alg !== 'ES256') throw new Error(`alg ${protectedHeader.alg}`);
if (payload.sub !== t.user.id) throw new Error('sub is not the user');
ok('jose jwtVerify accepts the access token (typ at+jwt, required claims)');
await mustFail('jose jwtVerify refuses the refresh token (typ at+jwt)',
  jose.jwtVerify(t.refresh_token, jwks, strict));
// The library's defaults (no typ check): issuer and audience alone must keep it out.
await jose.jwtVerify(t.access_token, jwks, { issuer: as.issuer, audience });
ok('jose jwtVerify with defaults accepts the access token');
await mustFail('jose jwtVerify with defaults refuses the refresh token',
  jose.jwtVerify(t.refresh_token, jwks, { issuer: as.issuer, audience }));

// --- Resource server: oauth4webapi RFC 9068 validation ---
const bearer = (token) =>
  new Request(`${base}/orders`, { headers: { authorization: `Bearer ${token}` } });
const claims = await oauth.validateJwtAccessToken(as, bearer(t.access_token), audience, insecure);
if (claims.client_id !== 'default') throw new Error(`client_id ${claims.client_id}`);
ok('oauth4webapi validateJwtAccessToken accepts the access token (RFC 9068)');
await mustFail('oauth4webapi validateJwtAccessToken refuses the refresh token',
  oauth.validateJwtAccessToken(as, bearer(t.refresh_token), audience, insecure));

// --- Resource server: introspection (RFC 7662) ---
const apiClient = { client_id: introspector.id };
const apiAuth = oauth.ClientSecretBasic(introspector.secret);
const introspect = async (token) =>
  oauth.processIntrospectionResponse(as, apiClient,
    await oauth.introspectionRequest(as, apiClient, apiAuth, token, insecure));
const active = await introspect(t.access_token);
if (active.active !== true || active.token_type !== 'Bearer' || active.sub !== t.user.id) {
  throw new Error(`access token introspected as ${JSON.stringify(active)}`);
}
ok('oauth4webapi introspection: the access token is active');
const refresh = await introspect(t.refresh_token);
if (refresh.active !== false || Object.keys(refresh).length !== 1) {
  throw new Error(`refresh token introspected as ${JSON.stringify(refresh)}`);
}
ok('oauth4webapi introspection: the refresh token is inactive');
await mustFail('oauth4webapi introspection with a wrong secret is refused',
  oauth.introspectionRequest(as, apiClient, oauth.ClientSecretBasic('wrong'), t.access_token,
    insecure).then((res) => oauth.processIntrospectionResponse(as, apiClient, res)));

// --- Client: oauth4webapi refresh grant, reuse, revocation ---
const app = { client_id: 'default' };
const none = oauth.None();
const grant = async (token) =>
  oauth.processRefreshTokenResponse(as, app,
    await oauth.refreshTokenGrantRequest(as, app, none, token, insecure));
const u = await register(`o4w-${Date.now()}@example.com`);
const u2 = await grant(u.refresh_token);
if (!u2.access_token || !u2.refresh_token || u2.token_type !== 'bearer') {
  throw new Error(`refresh answer ${JSON.stringify(u2)}`);
}
if ((await me(u2.access_token)) !== 200) throw new Error('the new access token is refused');
ok('oauth4webapi refreshTokenGrantRequest rotates the refresh token');
const reused = await mustFail('oauth4webapi: the retired refresh token is refused',
  grant(u.refresh_token));
if (reused.error !== 'invalid_grant') throw new Error(`reuse answered ${reused.error}`);
ok('oauth4webapi reads the reuse as invalid_grant');
if ((await me(u2.access_token)) !== 401) throw new Error('reuse did not end the session');
ok('reuse ended the session');

const v = await register(`revoke-${Date.now()}@example.com`);
await oauth.processRevocationResponse(
  await oauth.revocationRequest(as, app, none, v.refresh_token, insecure));
if ((await me(v.access_token)) !== 401) throw new Error('revocation did not end the session');
ok('oauth4webapi revocationRequest ends the session');

// --- Client: openid-client (discovers at /.well-known/openid-configuration) ---
const config = await client.discovery(issuer, 'default', undefined, client.None(), {
  execute: [client.allowInsecureRequests],
});
const w = await register(`oc-${Date.now()}@example.com`);
const w2 = await client.refreshTokenGrant(config, w.refresh_token);
if ((await me(w2.access_token)) !== 200) throw new Error('openid-client token refused');
ok('openid-client refreshTokenGrant rotates the refresh token');
await client.tokenRevocation(config, w2.refresh_token);
if ((await me(w2.access_token)) !== 401) throw new Error('revocation did not end the session');
ok('openid-client tokenRevocation ends the session');
console.log('all checks passed');
