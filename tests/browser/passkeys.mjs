// The real-browser test of passkeys (SPEC §13): headless Debian Chromium, driven by
// playwright-core, with a virtual authenticator from the DevTools protocol's WebAuthn domain
// (a CTAP2 platform authenticator that holds discoverable credentials and verifies the user
// without a prompt). The page passkeys.html, on an allowed origin, runs the ceremonies with
// the browser's own WebAuthn JSON helpers (parse*OptionsFromJSON, toJSON) against a real
// Baton server on another port, so the server is checked against what a browser really
// sends, not against hand-made assertions. Started by
// crates/baton-server/tests/passkeys_browser.rs, which serves the page, runs Baton (SQLite,
// relying party `localhost`, the page's origin allowed) and passes:
//
//   BATON     Baton's base URL (http://localhost:<port>)
//   APP       the page's origin (http://localhost:<port>), also webauthn.origins
//   CHROMIUM  the browser executable (default /usr/bin/chromium)
//
// Exits non-zero on the first failed assertion; prints one JSON summary line on success.

import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set (this script is started by tests/passkeys_browser.rs)`);
  return value;
};
const BATON = env("BATON");
const APP = env("APP");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const COOKIE = "__Secure-baton-refresh";
const EMAIL = "ada@example.com";
const PASSWORD = "correct horse battery";

const step = (text) => process.stderr.write(`passkeys browser test: ${text}\n`);
const show = (value) => JSON.stringify(value);
const passed = [];

/** The claims of a JWT (its payload, base64url JSON); the signature is Baton's business. */
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

/** Asserts a problem+json answer with `status` and `code`. */
const problem = (res, status, code) => {
  assert.equal(res.status, status, show(res));
  assert.match(res.type ?? "", /^application\/problem\+json/, show(res));
  assert.equal(res.body.code, code, show(res));
};

/** Asserts a ceremony gave a credential (not an error) and returns it. */
const credentialOf = (credential, what) => {
  assert.equal(credential.error, undefined, `${what}: ${show(credential)}`);
  assert.ok(credential.id && credential.response, `${what}: ${show(credential)}`);
  return credential;
};

// The flags that keep Chromium off the network on a closed machine (env notes).
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${APP}/?baton=${encodeURIComponent(BATON)}`);
  assert.equal(await page.evaluate(() => window.isSecureContext), true, "localhost is secure");

  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const stored = async () =>
    (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
  /** The refresh-token cookies the browser holds for Baton's auth routes. */
  const jar = async () =>
    (await context.cookies(`${BATON}/api/v1/auth/refresh`)).filter((c) => c.name === COOKIE);

  /** A passwordless login up to the finish body: start, then the browser's assertion. */
  const passwordless = async () => {
    const start = await page.evaluate(() => passkeys.loginStart());
    assert.equal(start.status, 200, show(start));
    const { challenge_id, publicKey } = start.body;
    assert.ok(challenge_id && publicKey?.challenge, show(start));
    assert.deepEqual(publicKey.allowCredentials ?? [], [], "discoverable: no allowCredentials");
    const credential = await page.evaluate((pk) => passkeys.get(pk), publicKey);
    return { challenge_id, credential: credentialOf(credential, "passwordless assertion") };
  };

  step("a. register an account");
  const registered = await page.evaluate(([e, p]) => passkeys.register(e, p), [EMAIL, PASSWORD]);
  assert.equal(registered.status, 201, show(registered));
  let token = registered.body.access_token;
  const userId = registered.body.user.id;
  assert.ok(token && userId, show(registered));
  passed.push("register");

  step("b. register a passkey");
  const regStart = await page.evaluate((t) => passkeys.registerStart(t), token);
  assert.equal(regStart.status, 200, show(regStart));
  assert.ok(regStart.body.publicKey?.challenge, show(regStart));
  const created = credentialOf(
    await page.evaluate((pk) => passkeys.create(pk), regStart.body.publicKey),
    "navigator.credentials.create",
  );
  const regFinish = await page.evaluate(
    ([t, c]) => passkeys.registerFinish(t, c, "Test key"),
    [token, created],
  );
  assert.equal(regFinish.status, 201, show(regFinish));
  const passkeyId = regFinish.body.id;
  assert.ok(passkeyId, show(regFinish));
  assert.equal(regFinish.body.name, "Test key");
  assert.ok(!Number.isNaN(Date.parse(regFinish.body.created_at)), show(regFinish));
  const held = await stored();
  assert.equal(held.length, 1, `the authenticator holds one credential: ${show(held)}`);
  assert.equal(held[0].isResidentCredential, true, "a discoverable (resident) credential");
  assert.equal(held[0].rpId, "localhost");
  passed.push("register_passkey");

  step("c. list and rename");
  const listed = await page.evaluate((t) => passkeys.list(t), token);
  assert.equal(listed.status, 200, show(listed));
  assert.equal(listed.body.length, 1, show(listed));
  assert.equal(listed.body[0].id, passkeyId);
  assert.equal(listed.body[0].name, "Test key");
  const renamed = await page.evaluate(
    ([t, id]) => passkeys.rename(t, id, "Laptop"),
    [token, passkeyId],
  );
  assert.equal(renamed.status, 204, show(renamed));
  const relisted = await page.evaluate((t) => passkeys.list(t), token);
  assert.equal(relisted.status, 200, show(relisted));
  assert.deepEqual(
    relisted.body.map((p) => [p.id, p.name]),
    [[passkeyId, "Laptop"]],
    show(relisted),
  );
  passed.push("list_rename");

  step("d. passwordless login");
  const finishBody = await passwordless();
  const loggedIn = await page.evaluate((b) => passkeys.loginFinish(b), finishBody);
  assert.equal(loggedIn.status, 200, show(loggedIn));
  assert.ok(loggedIn.body.access_token && loggedIn.body.refresh_token, show(loggedIn));
  const pwlAmr = claims(loggedIn.body.access_token).amr ?? [];
  assert.ok(pwlAmr.includes("mfa"), `amr ${show(pwlAmr)}`);
  assert.ok(pwlAmr.includes("hwk") || pwlAmr.includes("swk"), `amr ${show(pwlAmr)}`);
  assert.ok(!pwlAmr.includes("pwd"), `no password was used: amr ${show(pwlAmr)}`);
  const me = await page.evaluate((t) => passkeys.me(t), loggedIn.body.access_token);
  assert.equal(me.status, 200, show(me));
  assert.equal(me.body.id, userId);
  assert.equal(me.body.email, EMAIL);
  const replayed = await page.evaluate((b) => passkeys.loginFinish(b), finishBody);
  problem(replayed, 400, "invalid_challenge");
  token = loggedIn.body.access_token;
  passed.push("passwordless");

  step("e. the passkey as second factor");
  const login = await page.evaluate(([e, p]) => passkeys.login(e, p), [EMAIL, PASSWORD]);
  problem(login, 403, "mfa_required");
  const mfaToken = login.body.mfa_token;
  assert.ok(mfaToken, show(login));
  assert.ok(login.body.methods?.includes("webauthn"), show(login));
  assert.equal(login.body.access_token, undefined, "no session yet");
  const mfaStart = await page.evaluate((m) => passkeys.mfaWebauthnStart(m), mfaToken);
  assert.equal(mfaStart.status, 200, show(mfaStart));
  assert.ok(mfaStart.body.publicKey?.challenge, show(mfaStart));
  const assertion = credentialOf(
    await page.evaluate((pk) => passkeys.get(pk), mfaStart.body.publicKey),
    "second-factor assertion",
  );
  const verifyBody = { mfa_token: mfaToken, webauthn: assertion };
  const verified = await page.evaluate((b) => passkeys.mfaVerify(b), verifyBody);
  assert.equal(verified.status, 200, show(verified));
  const mfaAmr = claims(verified.body.access_token).amr ?? [];
  assert.ok(mfaAmr.includes("pwd") && mfaAmr.includes("mfa"), `amr ${show(mfaAmr)}`);
  const again = await page.evaluate((b) => passkeys.mfaVerify(b), verifyBody);
  problem(again, 401, "invalid_mfa_token");
  token = verified.body.access_token;
  passed.push("second_factor");

  step("f. passwordless login with cookie transport");
  assert.deepEqual(await jar(), [], "no cookie before");
  const cookieBody = await passwordless();
  const cookieLogin = await page.evaluate((b) => passkeys.loginFinish(b, true), cookieBody);
  assert.equal(cookieLogin.status, 200, show(cookieLogin));
  assert.equal(cookieLogin.body.refresh_token, undefined, "no refresh token in the body");
  assert.ok(cookieLogin.body.access_token && cookieLogin.body.refresh_expires_at);
  const [cookie] = await jar();
  assert.ok(cookie, "the browser stored the refresh-token cookie");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(cookie.path, "/api/v1/auth");
  passed.push("cookie_transport");

  step("g. delete the passkey");
  // The deleting session is the latest one; deleting a factor revokes every other session.
  const bare = await page.evaluate(([t, id]) => passkeys.remove(t, id), [token, passkeyId]);
  problem(bare, 403, "password_required");
  const removed = await page.evaluate(
    ([t, id, p]) => passkeys.remove(t, id, p),
    [token, passkeyId, PASSWORD],
  );
  assert.equal(removed.status, 204, show(removed));
  const emptied = await page.evaluate((t) => passkeys.list(t), token);
  assert.equal(emptied.status, 200, show(emptied));
  assert.deepEqual(emptied.body, []);
  const plain = await page.evaluate(([e, p]) => passkeys.login(e, p), [EMAIL, PASSWORD]);
  assert.equal(plain.status, 200, `no second factor left: ${show(plain)}`);
  assert.equal((await stored()).length, 1, "the authenticator still holds the credential");
  const stale = await passwordless();
  const refused = await page.evaluate((b) => passkeys.loginFinish(b), stale);
  problem(refused, 401, "passkey_refused");
  passed.push("delete");

  process.stdout.write(`${JSON.stringify({ ok: true, steps: passed })}\n`);
} finally {
  await browser.close();
}
