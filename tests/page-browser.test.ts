/**
 * The classroom page in a real browser (Debian's Chromium through playwright-core), against the
 * real bot started the way `npm start` starts it: the banner's first URL is the page, two students
 * type commands, one blocks everyone, and the page shows it while it happens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchChromium } from './browser/chromium.js';
import { until } from './support/tiny-bot.js';

const OUTPUT = join(import.meta.dirname, '..', 'test-output');
let child: ChildProcess;
let output = '';
let pageUrl = '';
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DISCORD_TOKEN: '',
      SANDBOX_PORT: '0',
      METRICS_PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'looplab-page-')),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => {
    output += c;
  });
  child.stderr!.on('data', (c) => {
    output += c;
  });
  await until(() => output.includes('Press Ctrl+C'), 45_000, 'the start banner');
  pageUrl = /^Classroom page: (http:\/\/127\.0\.0\.1:\d+\/classroom)\b/m.exec(output)?.[1] ?? '';
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

/** The interaction item of `user`'s latest command on the page. */
const itemOf = (user: string) => page.locator(`li.item[data-user="${user}"]`).last();

async function send(as: string, text: string): Promise<void> {
  await page.selectOption('#student', as);
  await page.fill('#composer', text);
  await page.press('#composer', 'Enter');
}

async function delayShown(): Promise<number> {
  const text = (await page.textContent('#loop-delay-now')) ?? '';
  return Number(/(\d+) ms/.exec(text)?.[1] ?? Number.NaN);
}

describe('the classroom page', () => {
  it('is the first URL the start banner prints, on its own "Classroom page:" line', () => {
    expect(pageUrl).not.toBe('');
    const firstUrl = /https?:\/\/\S+/.exec(output)?.[0];
    expect(firstUrl).toBe(pageUrl);
  });

  it('shows a blocked class: Alice fails at 3 s while blocked, Bob waited for her, the delay climbs live', async () => {
    await page.goto(pageUrl);
    await expect
      .poll(() => page.textContent('#bot-name'), { timeout: 15_000 })
      .toMatch(/LoopLab · connected/);
    // The composer lists the registered commands with their options, ranges and choices.
    await page.fill('#composer', '/bl');
    await expect.poll(() => page.locator('#suggestions').textContent()).toContain('/block');
    await page.press('#composer', 'Enter');
    expect(await page.inputValue('#composer')).toBe('/block ');
    await expect.poll(() => page.locator('#suggestions').textContent()).toContain('1–10000');
    await page.fill('#composer', '/block ms:4000 work:');
    await expect.poll(() => page.locator('#suggestions').textContent()).toContain('sleep');

    const sentAt = Date.now();
    await send('alice', '/block ms:4000');
    await send('bob', '/io ms:100');
    // The figure comes from the sandbox's thread: it moves while the bot's main thread is stuck.
    await until(async () => (await delayShown()) >= 300, 3_000, 'the delay figure to climb');
    const early = await delayShown();
    await page.waitForTimeout(700);
    const later = await delayShown();
    const readAt = Date.now() - sentAt;
    expect(readAt).toBeLessThan(3_800);
    expect(later).toBeGreaterThan(early + 300);
    // …and says who holds the main thread, from shared memory the blocked thread wrote before it started.
    expect(await page.textContent('#delay-note')).toMatch(/held: .*\/block 4000 by alice/);

    // "This interaction failed" at 3 s, while the bot is still blocked (its /block runs 4 s).
    await itemOf('alice').locator('.failed').waitFor({ timeout: 6_000 });
    const failedAt = Date.now() - sentAt;
    expect(failedAt).toBeGreaterThanOrEqual(2_900);
    expect(failedAt).toBeLessThan(3_950);
    expect(await itemOf('alice').locator('.failed').textContent()).toContain('This interaction failed');
    // The moment of the lesson: failed at 3 s, the delay still climbing on the panel.
    await page.screenshot({ path: join(OUTPUT, 'classroom-at-3s.png') });

    // The bot's channel explanations: Alice's expired token, Bob held by Alice.
    const explanation = (who: string) =>
      page
        .locator('li.item article.message')
        .filter({ hasText: `@${who} your` })
        .last();
    await explanation('alice').waitFor({ timeout: 20_000 });
    expect(await explanation('alice').textContent()).toMatch(/expired/);
    await explanation('bob').waitFor({ timeout: 20_000 });
    expect(await explanation('bob').textContent()).toMatch(/alice/i);
    // The doctor's cause line is in the report and Discord's side of each interaction is shown.
    expect(await explanation('bob').locator('.embed .why-line').textContent()).toMatch(/^Why:.*alice/i);
    expect(await itemOf('alice').locator('.discord-side summary').textContent()).toMatch(/Discord's side/);
    await page.screenshot({ path: join(OUTPUT, 'classroom-blocked.png') });
    expect(consoleErrors).toEqual([]);
  });

  it('"Run for the whole class" with /yield answers every student', async () => {
    // Each student's cooldown (5 s from the end of their demo) has to pass first.
    await page.waitForTimeout(5_500);
    await page.fill('#composer', '/yield ms:300');
    await page.click('#whole-class');
    for (const user of ['alice', 'bob', 'carol']) {
      await itemOf(user).locator('.embed').waitFor({ timeout: 20_000 });
      expect(await itemOf(user).locator('code').first().textContent()).toMatch(/^\/yield ms:300/);
      expect(await itemOf(user).locator('.failed').count()).toBe(0);
    }
    await page.screenshot({ path: join(OUTPUT, 'classroom.png') });
    if (process.env.LOOPLAB_UPDATE_SCREENSHOT === '1') {
      copyFileSync(
        join(OUTPUT, 'classroom-at-3s.png'),
        join(import.meta.dirname, '..', 'docs', 'classroom-page.png'),
      );
    }
    expect(consoleErrors).toEqual([]);
  });

  it("/explain's buttons work on the page, pressed from the keyboard", async () => {
    // A new student joins by keyboard (the others are still in their 5 s cooldown after /yield).
    await page.focus('#new-student');
    await page.keyboard.type('Dana');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#student')).toBe('dana');
    expect(await page.locator('#student option').allTextContents()).toEqual([
      'Alice',
      'Bob',
      'Carol',
      'Dana',
    ]);
    await page.fill('#composer', '/explain topic:blocking');
    await page.press('#composer', 'Enter');
    const lesson = itemOf('dana').locator('article.message').first();
    await lesson.locator('.embed-title').filter({ hasText: 'Blocking' }).waitFor({ timeout: 10_000 });
    const next = lesson.locator('button', { hasText: 'async/await' });
    await next.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => itemOf('dana').locator('article.message .embed-title').first().textContent(), {
        timeout: 10_000,
      })
      .toMatch(/async/i);
    // Try it: the lesson's button runs the demo as the student who pressed it.
    await itemOf('dana').locator('button', { hasText: /Try/ }).first().click();
    await page
      .locator('li.item[data-user="dana"]')
      .filter({ hasText: 'pressed a button' })
      .locator('.embed')
      .first()
      .waitFor({ timeout: 15_000 });
    expect(consoleErrors).toEqual([]);
  });

  it('shows "LoopLab is thinking…" on a deferred reply until its edit, and "Only you can see this"', async () => {
    await page.fill('#new-student', 'erin');
    await page.click('#add-student');
    await page.fill('#composer', '/nonblock ms:1500');
    await page.press('#composer', 'Enter');
    const item = itemOf('erin');
    await item.locator('.thinking', { hasText: 'LoopLab is thinking…' }).waitFor({ timeout: 5_000 });
    // The same student again while the first runs: refused at once, ephemerally.
    await page.fill('#composer', '/nonblock ms:1500');
    await page.press('#composer', 'Enter');
    await itemOf('erin')
      .locator('.only-you', { hasText: 'Only you can see this' })
      .waitFor({ timeout: 5_000 });
    const first = page.locator('li.item[data-user="erin"]').first();
    await first.locator('.embed').waitFor({ timeout: 10_000 });
    expect(await first.locator('.thinking').count()).toBe(0);
    // The pool ran it: the panel shows its wait vs its run (about the 1.5 s asked for).
    await expect
      .poll(() => page.textContent('#bot-numbers'), { timeout: 5_000 })
      .toMatch(/wait vs run\d+ ms queued vs 1[45]\d\d ms running \(mean of \d+\)/);
    expect(consoleErrors).toEqual([]);
  });

  it('works by keyboard alone, in projector mode and in a narrow window', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    await page.focus('body');
    await page.keyboard.press('/');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('composer');
    await page.keyboard.type('la');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#composer')).toBe('/lag ');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.inputValue('#composer')).toBe('');
    await itemOf('erin').locator('code').filter({ hasText: '/lag' }).waitFor({ timeout: 10_000 });
    await page.click('#projector');
    expect(await page.evaluate<boolean>("document.documentElement.classList.contains('projector')")).toBe(
      true,
    );
    expect(await page.getAttribute('#projector', 'aria-pressed')).toBe('true');
    const big = await page.evaluate<number>('Number.parseFloat(getComputedStyle(document.body).fontSize)');
    expect(big).toBeGreaterThanOrEqual(20);
    // No horizontal scrolling in a narrow window.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(OUTPUT, 'classroom-narrow-projector.png'), fullPage: false });
    await page.click('#projector');
    await page.setViewportSize({ width: 1400, height: 900 });
    expect(consoleErrors).toEqual([]);
  });
});
