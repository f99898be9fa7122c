// The real-browser test of cookie transport (SPEC §10): headless Debian Chromium, driven by
// playwright-core, loads app.html from an allowed origin and talks to a real Baton server on
// another port. Started by crates/baton-server/tests/browser.rs, which serves the page, runs
// Baton (PostgreSQL, reuse_grace on) and passes these variables:
//
//   BATON  Baton's base URL (http://localhost:<port>)
//   APP    the allowed origin serving app.html (http://localhost:<port>)
//   OTHER  another site serving the same page (http://127.0.0.1:<port>)
//   HOLD   a URL that, when POSTed, makes the harness hold refreshes in the database until
//          two of them wait, so two tabs provably present the same cookie at once
//   CHROMIUM  the browser executable (default /usr/bin/chromium)
//
// Exits non-zero on the first failed assertion; prints one JSON summary line on success.

import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set (this script is started by tests/browser.rs)`);
  return value;
};
const BATON = env("BATON");
const APP = env("APP");
const OTHER = env("OTHER");
const HOLD = env("HOLD");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const COOKIE = "__Secure-baton-refresh";
const PASSWORD = "correct horse battery";

const step = (text) => process.stderr.write(`browser test: ${text}\n`);

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
  const open = async (origin) => {
    const page = await context.newPage();
    await page.goto(`${origin}/?baton=${encodeURIComponent(BATON)}`);
    return page;
  };
  /** The refresh-token cookies the browser holds for Baton's auth routes. */
  const jar = async () =>
    (await context.cookies(`${BATON}/api/v1/auth/refresh`)).filter((c) => c.name === COOKIE);
  const seenTokens = new Set();
  const remember = async () => (await jar()).forEach((c) => seenTokens.add(c.value));
  const tabs = [];
  const tab = async (origin) => {
    const page = await open(origin);
    tabs.push(page);
    return page;
  };

  step("register from the allowed origin");
  const tab1 = await tab(APP);
  const registered = await tab1.evaluate(() => baton.register("ada@example.com", "correct horse battery"));
  assert.equal(registered.status, 201, JSON.stringify(registered));
  assert.equal(registered.body.refresh_token, undefined, "no refresh token in the body");
  assert.ok(registered.body.refresh_expires_at, "refresh_expires_at stays");
  const [cookie] = await jar();
  assert.ok(cookie, "the browser stored the refresh-token cookie");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, true, "Chromium keeps a Secure cookie from http://localhost");
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(cookie.path, "/api/v1/auth");
  assert.equal(cookie.domain, "localhost", "host-only");
  assert.ok(cookie.expires > Date.now() / 1000, "Max-Age made it persistent");
  await remember();

  step("/me with the access token from page memory");
  const me = await tab1.evaluate(() => baton.me());
  assert.equal(me.status, 200, JSON.stringify(me));
  assert.equal(me.body.email, "ada@example.com");

  step("two tabs refresh at once (reuse_grace on)");
  const tab2 = await tab(APP);
  const hold = await fetch(HOLD, { method: "POST" });
  assert.equal(hold.status, 200, "the harness holds refreshes");
  const both = await Promise.all([tab1, tab2].map((t) => t.evaluate(() => baton.refresh())));
  for (const result of both) {
    assert.equal(result.status, 200, JSON.stringify(both));
    assert.equal(result.body.refresh_token, undefined);
  }
  await remember();
  assert.equal((await jar()).length, 1, "one cookie");
  for (const t of [tab1, tab2]) {
    assert.equal((await t.evaluate(() => baton.me())).status, 200, "both tabs are logged in");
  }
  step("the session lives on: the next refresh rotates");
  const next = await tab2.evaluate(() => baton.refresh());
  assert.equal(next.status, 200, JSON.stringify(next));
  await remember();
  assert.equal((await tab1.evaluate(() => baton.me())).status, 200);

  step("another site can neither refresh nor read the token");
  const tab3 = await tab(OTHER);
  const foreign = await tab3.evaluate(() => baton.refresh());
  assert.ok(foreign.error, `the CORS preflight stops it: ${JSON.stringify(foreign)}`);
  assert.equal(await tab3.evaluate(() => baton.hasAccessToken()), false);
  // A "simple" request needs no preflight, but carries neither the header nor (SameSite)
  // the cookie, and its answer is opaque to the page.
  const opaque = await tab3.evaluate(async (url) => {
    const res = await fetch(`${url}/api/v1/auth/refresh`, {
      method: "POST",
      mode: "no-cors",
      credentials: "include",
    });
    return { type: res.type, body: await res.text() };
  }, BATON);
  assert.deepEqual(opaque, { type: "opaque", body: "" });
  const still = await tab1.evaluate(() => baton.refresh());
  assert.equal(still.status, 200, `nothing changed for the app: ${JSON.stringify(still)}`);
  await remember();

  step("page scripts never see the refresh token");
  for (const t of tabs) {
    const visible = await t.evaluate(() => document.cookie);
    assert.ok(!visible.includes(COOKIE), `document.cookie shows no refresh cookie: ${visible}`);
    for (const body of await t.evaluate(() => baton.bodies())) {
      assert.ok(!body.includes("refresh_token"), body);
      for (const token of seenTokens) assert.ok(!body.includes(token), "a token in a body");
    }
  }

  step("logout clears the cookie and ends the session");
  const out = await tab1.evaluate(() => baton.logout());
  assert.equal(out.status, 204, JSON.stringify(out));
  assert.deepEqual(await jar(), [], "the cookie is gone");
  assert.equal((await tab2.evaluate(() => baton.me())).status, 401, "the other tab is out too");
  const after = await tab2.evaluate(() => baton.refresh());
  assert.equal(after.status, 400, JSON.stringify(after));
  assert.equal(after.body.code, "missing_token");

  // Register, the two tabs' rotation (the replay got the same token), two more rotations.
  assert.equal(seenTokens.size, 4, "four distinct refresh tokens went through the cookie");
  process.stdout.write(`${JSON.stringify({ ok: true, tokens_seen: seenTokens.size })}\n`);
} finally {
  await browser.close();
}
