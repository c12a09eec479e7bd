import type { Page } from '@playwright/test';
import { RUN_TIMEOUT_MS } from '@threadcast/testkit';
import { expect, signInThroughForm, test } from '../fixtures.ts';

/** Every `/trpc` response body this page receives (streams once they end), and every URL it asks for. */
function recordTraffic(page: Page): { bodies: Promise<string>[]; urls: string[] } {
  const traffic = { bodies: [] as Promise<string>[], urls: [] as string[] };
  page.on('request', (request) => traffic.urls.push(request.url()));
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/trpc')) {
      traffic.bodies.push(response.text().catch(() => ''));
    }
  });
  return traffic;
}

test("user B never sees a byte of user A's thread, in the page or on the wire", async ({
  browser,
  baseURL,
  page,
  openNewThread,
}) => {
  // Alice is the kit's signed-in user; Bob signs in through the form in a browser context of his own.
  const alice = page;
  const bob = await (await browser.newContext({ baseURL })).newPage();
  const aliceTraffic = recordTraffic(alice);
  const bobTraffic = recordTraffic(bob);

  const secret = `SECRET${Date.now().toString(36)}`;
  const aliceThread = await openNewThread(alice);
  await alice.getByLabel('Prompt').fill(`${secret} for alice only`);
  await alice.getByRole('button', { name: 'Send' }).click();
  await expect(alice.getByRole('article', { name: 'Reply' })).toHaveAttribute('data-run-state', 'done', {
    timeout: RUN_TIMEOUT_MS,
  });
  await expect(alice.getByRole('article', { name: 'Reply' })).toContainText(secret);

  // Bob signs in, then opens Alice's thread by its URL: it is answered like a thread that does not exist.
  await signInThroughForm(bob);
  await bob.goto(aliceThread);
  await expect(bob.getByRole('alert')).toHaveText(/not found/);
  await expect(bob.locator('body')).not.toContainText(secret);

  // And a stream of Alice's thread opened from Bob's page, with his session cookie, gets nothing but the refusal.
  const threadId = new URL(aliceThread).searchParams.get('thread') as string;
  const stream = await bob.evaluate(async (id) => {
    const url = `/trpc/thread.onEvent?input=${encodeURIComponent(JSON.stringify({ threadId: id }))}`;
    const source = new EventSource(url);
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      source.addEventListener('message', (event) => seen.push(`message ${event.data}`));
      source.addEventListener('serialized-error', (event) => {
        seen.push(`error ${(event as MessageEvent).data}`);
        source.close();
        resolve();
      });
      source.addEventListener('error', () => {
        source.close();
        resolve();
      });
    });
    return seen;
  }, threadId);
  expect(stream).toHaveLength(1);
  expect(stream[0]).toMatch(/^error .*"NOT_FOUND"/);

  await bob.close();
  await alice.close();
  const bobBodies = await Promise.all(bobTraffic.bodies);
  expect(bobBodies.length).toBeGreaterThan(0);
  for (const body of bobBodies) expect(body).not.toContain(secret);
  expect((await Promise.all(aliceTraffic.bodies)).some((body) => body.includes(secret))).toBe(true);
});

test('the session lives in an HttpOnly cookie (no token in page scripts, storage or any URL), under a strict CSP', async ({
  page,
  context,
  openNewThread,
}) => {
  const traffic = recordTraffic(page);
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await openNewThread(page);
  await page.getByLabel('Prompt').fill('who holds the token?');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('article', { name: 'Reply' })).toHaveAttribute('data-run-state', 'done', {
    timeout: RUN_TIMEOUT_MS,
  });

  const session = (await context.cookies()).find((cookie) => cookie.name === 'threadcast_session');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
  const token = session?.value as string;
  expect(token).toMatch(/^eyJ/);
  const visible = await page.evaluate(() => ({
    cookie: document.cookie,
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  }));
  expect(visible.cookie).not.toContain(token);
  expect(visible.storage).not.toContain(token);
  expect(traffic.urls.length).toBeGreaterThan(0);
  for (const url of traffic.urls) {
    expect(url).not.toContain(token);
    expect(url).not.toContain('connectionParams');
  }
  // The page's CSP allows everything the app does, and the app does nothing else.
  expect(violations).toEqual([]);
});
