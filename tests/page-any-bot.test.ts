/**
 * The classroom page for any bot: `npm run sandbox` serves it, a plain discord.js bot in another
 * process connects, and the page shows what Discord's side sees — the 3 s failure, the late
 * replies refused with 10062 when they arrive, and answers bunched after a silence.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchChromium } from './browser/chromium.js';
import { until } from './support/tiny-bot.js';

const OUTPUT = join(import.meta.dirname, '..', 'test-output');
const TOKEN = 'MTU3NDk2NTk3MzAwNDQ1MTg0MQ.other.bot-token-for-this-test-only';
const children: ChildProcess[] = [];
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

function run(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { text: '' };
  child.stdout!.on('data', (c) => {
    out.text += c;
  });
  child.stderr!.on('data', (c) => {
    out.text += c;
  });
  return out;
}

let pageUrl = '';
let bot: { text: string };
let sandboxChild: ChildProcess;

beforeAll(async () => {
  const sandbox = run('src/sandbox/cli.ts', { SANDBOX_PORT: '0', SANDBOX_BOT_TOKEN: TOKEN });
  sandboxChild = children[0]!;
  await until(() => sandbox.text.includes('Press Ctrl+C'), 30_000, 'the sandbox banner');
  pageUrl = /^Classroom page: (http:\/\/127\.0\.0\.1:\d+\/classroom)\b/m.exec(sandbox.text)?.[1] ?? '';
  const apiUrl = /API URL:\s+(\S+)/.exec(sandbox.text)![1]!;
  bot = run('tests/support/other-bot.ts', { OTHER_BOT_API: apiUrl, OTHER_BOT_TOKEN: TOKEN });
  await until(() => bot.text.includes('other bot ready'), 30_000, 'the other bot');
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  for (const child of children.splice(0).reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});

const itemOf = (user: string) => page.locator(`li.item[data-user="${user}"]`).last();

describe('the classroom page with a bot of any kind, in another process', () => {
  it('names the bot, offers its commands and shows what Discord saw of its blocked loop', async () => {
    expect(pageUrl).not.toBe('');
    await page.goto(pageUrl);
    await expect
      .poll(() => page.textContent('#bot-name'), { timeout: 15_000 })
      .toMatch(/connected \(@discordjs\/ws \d+\.\d+\.\d+\) · another process/); // discord.js 14 names its gateway client
    await page.fill('#composer', '/sl');
    await expect.poll(() => page.locator('#suggestions').textContent()).toContain('/slow');

    const sentAt = Date.now();
    await page.selectOption('#student', 'alice');
    await page.fill('#composer', '/slow ms:4000');
    await page.press('#composer', 'Enter');
    await page.selectOption('#student', 'bob');
    await page.fill('#composer', '/quick');
    await page.press('#composer', 'Enter');
    // While it waits, the page says so from Discord's side alone.
    await expect
      .poll(() => page.textContent('#hint'), { timeout: 3_000 })
      .toMatch(/No answer yet to alice's \/slow/);
    // LoopLab's own figures are not there: the page says which.
    expect(await page.textContent('#loop-delay-now')).toBe('—');
    await itemOf('alice').locator('.failed').waitFor({ timeout: 6_000 });
    const failedAt = Date.now() - sentAt;
    expect(failedAt).toBeGreaterThanOrEqual(2_900);
    expect(failedAt).toBeLessThan(3_950);
    // Its late replies arrive together after 4 s and are refused: 10062, shown at their arrival.
    await expect
      .poll(() => itemOf('alice').locator('.discord-side summary').textContent(), { timeout: 10_000 })
      .toMatch(/10062 Unknown interaction: the answer came too late at 4\.\d+ s/);
    await expect
      .poll(() => page.textContent('#hint'), { timeout: 5_000 })
      .toMatch(
        /alice's and bob's answers arrived together \(\d+ ms apart\) after .* of silence: the bot's event loop looked blocked/,
      );
    await itemOf('alice').locator('.discord-side summary').click();
    const marks = await itemOf('alice').locator('.discord-side .marks').textContent();
    expect(marks).toMatch(/0 ms created/);
    expect(marks).toMatch(/dispatched/);
    expect(marks).toMatch(/3\.00 s 3 s line/);
    await page.screenshot({ path: join(OUTPUT, 'classroom-any-bot.png') });
    expect(bot.text).toMatch(/reply refused: Unknown interaction/);
    // A deferred command: "… is thinking…" at once, then its follow-up.
    await page.selectOption('#student', 'carol');
    await page.fill('#composer', '/later');
    await page.press('#composer', 'Enter');
    await page.locator('.thinking', { hasText: 'is thinking…' }).waitFor({ timeout: 5_000 });
    await page
      .locator('article.message', { hasText: 'follow-up: the work is done' })
      .waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('.thinking').count(), { timeout: 5_000 }).toBe(0);
    expect(await itemOf('carol').locator('.failed').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });

  it('shows a banner when the bot or the sandbox goes away, and reconnects by itself', async () => {
    const botChild = children[1]!;
    botChild.kill('SIGKILL');
    await once(botChild, 'exit');
    await expect
      .poll(() => page.textContent('#banner'), { timeout: 10_000 })
      .toMatch(/LoopLab is not connected to the sandbox's gateway/);
    expect(await page.isVisible('#banner')).toBe(true);
    sandboxChild.kill('SIGTERM');
    await once(sandboxChild, 'exit');
    await expect
      .poll(() => page.textContent('#banner'), { timeout: 10_000 })
      .toMatch(/Connection to the sandbox lost: reconnecting/);
    // The same port again: the page finds it by itself, with no reload.
    const port = new URL(pageUrl).port;
    const again = run('src/sandbox/cli.ts', { SANDBOX_PORT: port, SANDBOX_BOT_TOKEN: TOKEN });
    await until(() => again.text.includes('Press Ctrl+C'), 30_000, 'the sandbox again');
    await expect
      .poll(() => page.textContent('#banner'), { timeout: 15_000 })
      .toMatch(/not connected to the sandbox's gateway/);
    await expect.poll(() => page.textContent('#bot-name'), { timeout: 5_000 }).toMatch(/not connected/);
  });
});
