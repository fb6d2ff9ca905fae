import { mkdirSync, readFileSync } from 'node:fs';
import { type Locator, type Page, expect, test } from '@playwright/test';
import { TestApi } from './support/api';
import { type Host, freePort, startHost, tempDataDir } from './support/host';
import { LogFeed, line, syntheticLines } from './support/log-feed';

// The log panel against the real CLI host. The host's own lines (mapping created, …) arrive as usual;
// the test adds more on the page's API socket (support/log-feed.ts) to have every level, mapping and
// secret it needs, through the same event path.

let data: ReturnType<typeof tempDataDir>;
let host: Host | undefined;
let api: TestApi | undefined;

test.beforeEach(() => {
  data = tempDataDir();
  mkdirSync('test-results/screenshots', { recursive: true });
});

test.afterEach(async () => {
  api?.close();
  api = undefined;
  await host?.stop();
  host = undefined;
  data.cleanup();
});

interface Setup {
  page: Page;
  feed: LogFeed;
  panel: Locator;
  list: Locator;
  rows: Locator;
  ids: { web: string; db: string };
}

async function setUp(page: Page): Promise<Setup> {
  host = await startHost(data.dir);
  api = await TestApi.connect(host);
  const rule = async (name: string) =>
    (
      await api!.call<{ rule: { id: string } }>('rules.create', {
        type: 'tcp-forward',
        name,
        enabled: false,
        listen: { host: '127.0.0.1', port: await freePort() },
        target: { host: '127.0.0.1', port: 5432 },
      })
    ).rule.id;
  const web = await rule('Web admin');
  const db = await rule('Database');
  // The host masks before it logs: this name reaches the panel through the host's own log.
  await rule('Vault password=hunter2');
  const feed = await LogFeed.attach(page);
  await page.goto(host.url);
  await expect(page.getByText('Browser mode')).toBeVisible();
  await feed.ready();
  const panel = page.getByTestId('log-panel');
  const list = page.getByTestId('log-lines');
  return { page, feed, panel, list, rows: list.getByTestId('log-line'), ids: { web, db } };
}

const levelsShown = (rows: Locator) => rows.evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-level')))].sort());

function fixtureLines(ids: Setup['ids']) {
  return [
    line('debug', 'keepalive ok after 12 ms', { ruleId: ids.db }),
    line('info', 'Listening on 127.0.0.1:8443', { ruleId: ids.web }),
    line('info', 'Accepted 10.0.0.7:51234 → 127.0.0.1:5432', { ruleId: ids.db }),
    line('warn', 'Refused 10.9.9.9:40000: not in the allow-list', { ruleId: ids.web }),
    line('error', 'Port 8443 on 127.0.0.1 is already in use by nginx (pid 4242) — choose another listen port', { ruleId: ids.web, code: 'PORT_IN_USE' }),
    line('warn', 'connect ECONNREFUSED 127.0.0.1:5432 — retrying in 2.0 s', { ruleId: ids.db, code: 'TARGET_REFUSED' }),
    line('info', 'relay web 0.0.0.0:8080 10.0.0.5:5000 GET /login?user=ann&password=hunter2 → 302 (3 ms)'),
    line('warn', 'fetch https://ann:s3cr3t-Pa55@profiles.example.com/team.yaml failed: 404'),
    line('info', 'sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLXNpZw'),
    line('error', 'Relay could not start: listen EACCES 0.0.0.0:443'),
  ];
}

test('levels are explicit toggles; text, regex (invalid too) and mapping filters narrow the lines', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const { feed, panel, list, rows, ids } = await setUp(page);
  feed.send(fixtureLines(ids));
  await expect(list).toContainText('Relay could not start');

  // Default: every level but debug.
  await expect(panel.getByRole('button', { name: 'Debug', exact: true })).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => levelsShown(rows)).toEqual(['error', 'info', 'warn']);
  await panel.getByRole('button', { name: 'Debug', exact: true }).click();
  await expect(list).toContainText('keepalive ok');
  await panel.getByRole('button', { name: 'Info', exact: true }).click();
  await expect(list).not.toContainText('Listening on');
  await expect.poll(() => levelsShown(rows)).toEqual(['debug', 'error', 'warn']);
  // Only errors: warnings off as well, no threshold hiding anything else.
  await panel.getByRole('button', { name: 'Warn', exact: true }).click();
  await panel.getByRole('button', { name: 'Debug', exact: true }).click();
  await expect.poll(() => levelsShown(rows)).toEqual(['error']);
  await expect(rows).toHaveCount(2);
  await expect(panel.getByTestId('log-summary')).toHaveText(/\(2 of \d+\)/);
  for (const l of ['Debug', 'Info', 'Warn']) await panel.getByRole('button', { name: l, exact: true }).click();

  // Text search: case-insensitive by default, highlighted, case toggle, the error code counts.
  const search = panel.getByRole('searchbox');
  await search.fill('Refused');
  await expect(rows).toHaveCount(2);
  await expect(rows.locator('mark')).toHaveText(['Refused', 'REFUSED']);
  await panel.getByRole('button', { name: 'Match case' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('not in the allow-list');
  await panel.getByRole('button', { name: 'Match case' }).click();
  await search.fill('port_in_use');
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('already in use');

  // Regular expressions, and an invalid one: an inline error, the search left out, nothing thrown.
  await panel.getByRole('button', { name: 'Regular expression' }).click();
  await search.fill('^(port|relay) \\w+');
  await expect(rows).toHaveCount(3);
  await search.fill('(unclosed');
  const error = panel.getByTestId('log-search-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText(/Invalid regular expression: .*search not applied/);
  await expect(search).toHaveAttribute('aria-invalid', 'true');
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(10);
  await search.fill('refused|denied');
  await expect(error).toBeHidden();
  await expect(rows).toHaveCount(2);
  await search.fill('');
  await panel.getByRole('button', { name: 'Regular expression' }).click();

  // One mapping; then the lines of no mapping; then all again.
  const mapping = panel.getByLabel('Mapping');
  await mapping.selectOption({ label: 'Database' });
  await expect(rows.first()).toBeVisible();
  await expect(rows).toHaveCount(4);
  await expect.poll(async () => new Set(await rows.locator('.log-rule').allTextContents())).toEqual(new Set(['Database']));
  await expect(rows.first()).toContainText('Created mapping "Database"');
  await mapping.selectOption({ label: 'Porthole itself (no mapping)' });
  await expect.poll(async () => new Set(await rows.locator('.log-rule').allTextContents())).toEqual(new Set(['—']));
  await mapping.selectOption({ label: 'All mappings' });

  // Secrets are masked in what is shown — the host's own line and the ones from the socket alike.
  await expect(list).toContainText('Created mapping "Vault password=****"');
  await expect(list).toContainText('GET /login?user=ann&password=**** → 302');
  await expect(list).toContainText('fetch https://ann:****@profiles.example.com/team.yaml');
  await expect(list).toContainText('Authorization: Bearer ****');
  await expect(panel).not.toContainText(/hunter2|s3cr3t|eyJhbGci/);
  expect(pageErrors).toEqual([]);
});

test('a catastrophic regular expression cannot freeze the page: it is stopped and reported, then a normal one filters', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const { feed, panel, list, rows } = await setUp(page);
  // `(a+)+$` backtracks through 2^40 ways of splitting each of these before it gives up.
  feed.send([
    line('info', `${'a'.repeat(40)}!`),
    line('info', `${'a'.repeat(38)}!! also`),
    line('warn', 'Refused 10.9.9.9:40000: not in the allow-list'),
  ]);
  await expect(list).toContainText('Refused 10.9.9.9');
  await panel.getByRole('button', { name: 'Regular expression' }).click();
  const search = panel.getByRole('searchbox');
  await search.fill('(a+)+$');

  // The page answers at once while the pattern runs: a script round trip, then a click on another control.
  const started = Date.now();
  await page.evaluate(() => document.title);
  expect(Date.now() - started).toBeLessThan(2000);
  const matchCase = panel.getByRole('button', { name: 'Match case' });
  await matchCase.click({ timeout: 2000 });
  await expect(matchCase).toHaveAttribute('aria-pressed', 'true', { timeout: 2000 });
  await search.press('End', { timeout: 2000 });

  const error = panel.getByTestId('log-search-error');
  await expect(error).toHaveText('This pattern took too long (over 1000 ms) — simplify it (search not applied)', { timeout: 5000 });
  await expect(search).toHaveAttribute('aria-invalid', 'true');
  // The search is left out, as for an invalid pattern: every line shows.
  await expect(list).toContainText('a'.repeat(40));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: 'test-results/screenshots/logs-regex-too-slow.png' });

  // A normal pattern afterwards runs in a fresh worker and filters, highlighted.
  await search.fill('Refused|denied');
  await expect(error).toBeHidden();
  await expect(rows).toHaveCount(1);
  await expect(rows.locator('mark')).toHaveText(['Refused']);
  await search.fill('^a{38}!!');
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('also');
  expect(pageErrors).toEqual([]);
});

test('pause holds new lines back, scrolling up stops following, copy and export carry the filtered, masked lines', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { feed, panel, list, rows, ids } = await setUp(page);
  feed.send(syntheticLines(300, 0, [ids.web, ids.db]));
  const last = rows.last();
  await expect(last).toContainText('#299 ');
  await expect(list).toHaveAttribute('data-following', 'true');

  // Pause: new lines wait, counted; resume shows them.
  await panel.getByTestId('log-pause').click();
  feed.send(syntheticLines(25, 300));
  await expect(panel.getByTestId('log-pause')).toHaveText('▶ Resume (22 new)');
  await expect(panel.getByRole('button', { name: /^Logs/ })).toHaveAccessibleName(/^Logs \(\d+ of \d+\)\s*— paused$/);
  await expect(last).toContainText('#299 ');
  await expect(panel.getByTestId('log-summary')).toHaveText(/\(\d+ of \d+\)/);
  await panel.getByTestId('log-pause').click();
  await expect(panel.getByTestId('log-paused')).toHaveCount(0);
  await expect(last).toContainText('#324 ');

  // Scrolling up stops following; new lines are counted on the "↓" button, which jumps back.
  await list.evaluate((el) => el.scrollBy(0, -400));
  await expect(list).toHaveAttribute('data-following', 'false');
  await expect(page.getByTestId('log-jump')).toHaveText('↓ Latest');
  const firstShown = await rows.first().getAttribute('data-id');
  feed.send(syntheticLines(8, 325).filter((l) => l.level !== 'debug'));
  await expect(page.getByTestId('log-jump')).toHaveText(/↓ \d+ new lines?/);
  expect(await rows.first().getAttribute('data-id')).toBe(firstShown);
  await page.getByTestId('log-jump').click();
  await expect(list).toHaveAttribute('data-following', 'true');
  await expect(page.getByTestId('log-jump')).toBeHidden();
  await expect(last).toContainText('#332 ');

  // Copy: click one line, shift-click two lines further: three lines on the clipboard.
  const tail = rows.filter({ hasText: /#32[7-9] / });
  await tail.nth(0).click();
  await tail.nth(2).click({ modifiers: ['Shift'] });
  await expect(panel.getByRole('button', { name: 'Copy 3 selected' })).toBeVisible();
  await panel.getByRole('button', { name: 'Copy 3 selected' }).click();
  await expect(page.getByTestId('log-note')).toHaveText('Copied 3 lines');
  const copied = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
  expect(copied.trimEnd().split('\n')).toHaveLength(3);
  expect(copied).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (INFO |WARN |ERROR) (\[(Web admin|Database)\] )?#327 /);

  // Export: the lines the filter shows, masked, with a header naming the filter.
  feed.send([line('warn', 'token=abc123def456 leaked into a message', { ruleId: ids.web }), line('warn', 'another warning', { ruleId: ids.db })]);
  await panel.getByLabel('Mapping').selectOption({ label: 'Web admin' });
  await panel.getByRole('button', { name: 'Info', exact: true }).click();
  await panel.getByRole('button', { name: 'Error', exact: true }).click();
  await expect(rows.last()).toContainText('token=**** leaked');
  const shown = Number(await list.getAttribute('data-count'));
  const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^porthole-web-admin-\d{8}-\d{6}\.log$/);
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^# Porthole log, exported .*: ${shown} lines \\(levels warn; mapping "Web admin"\\)$`));
  expect(lines).toHaveLength(shown + 1);
  expect(lines.slice(1).every((l) => / WARN {2}\[Web admin\] /.test(l))).toBe(true);
  expect(lines.at(-1)).toMatch(/ WARN {2}\[Web admin\] token=\*\*\*\* leaked into a message$/);
  expect(text).not.toContain('abc123');
});

test('screenshots of the log panel in light and dark', async ({ page }) => {
  const { feed, panel, list, ids } = await setUp(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  feed.send(syntheticLines(400, 0, [ids.web, ids.db]));
  feed.send(fixtureLines(ids));
  await expect(list).toContainText('Relay could not start');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await panel.getByRole('searchbox').fill('');
    await page.screenshot({ path: `test-results/screenshots/logs-${scheme}.png` });
    await panel.getByRole('searchbox').fill('refused');
    await panel.getByRole('button', { name: 'Enlarge the log panel' }).click();
    await list.getByTestId('log-line').first().click();
    await page.screenshot({ path: `test-results/screenshots/logs-${scheme}-search.png` });
    await panel.getByRole('button', { name: 'Regular expression' }).click();
    await panel.getByRole('searchbox').fill('[a-');
    await panel.getByTestId('log-pause').click();
    feed.send(syntheticLines(5, 400));
    await list.evaluate((el) => el.scrollBy(0, -200));
    await page.screenshot({ path: `test-results/screenshots/logs-${scheme}-regex-error-paused.png` });
    await panel.getByTestId('log-pause').click();
    await panel.getByRole('button', { name: 'Regular expression' }).click();
    await panel.getByRole('button', { name: 'Shrink the log panel' }).click();
  }
});
