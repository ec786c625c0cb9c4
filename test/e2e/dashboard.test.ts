/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks given to page.evaluate and $eval run in the browser.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { validateCampaign, validateNetwork, validateOffer } from '../../lambda/domain/config';
import type { ReportRow } from '../../lambda/domain/reports';
import { METRICS } from '../../dashboard/src/format';
import type { LocalTracker } from '../../local/runtime';
import { CHROMIUM, hasChromium, launchChromium } from '../../local/browser';
import { SoakReport, Totals, rawTotals, reportRange, reportedTotals, shownTotals, soakOn } from '../../soak/soak';
import { startTestTracker } from '../support/tracker';

// `.ci/run` installs Debian's chromium, so CI always runs these.
const inBrowser = hasChromium() ? describe : describe.skip;
if (!hasChromium()) console.warn(`dashboard tests skipped: no ${CHROMIUM} (apt-get install chromium, as .ci/run does)`);

const UNKNOWN_CLICK = '0000000000000000000000dash';
const RANGE = reportRange();

let tracker: LocalTracker;
let soakReport: SoakReport;
let raw: Totals;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${tracker.url}/api/${path}`, { headers: { authorization: `Bearer ${tracker.managementToken}` } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

const report = (tz: string, groupBy: string) =>
  api<{ rows: ReportRow[] }>(`reports?from=${RANGE.from}&to=${RANGE.to}&tz=${encodeURIComponent(tz)}&groupBy=${groupBy}`).then((body) => body.rows);

/** A second campaign with typed conversions, so the table has more than one row and a "by type" column. */
async function secondCampaignTraffic(): Promise<void> {
  await tracker.store.putConfig({
    entityType: 'network',
    value: validateNetwork({ id: 'dash-net', name: 'Dash network', eventTypes: { sale: { name: 'Sale', status: 'approved' }, lead: { name: 'Lead', status: 'pending' } } }),
  });
  await tracker.store.putConfig({ entityType: 'offer', value: validateOffer({ id: 'dash-offer', name: 'Dash offer', url: 'https://dash.example/?s={clickid}', networkId: 'dash-net', payout: 7 }) });
  await tracker.store.putConfig({ entityType: 'campaign', value: validateCampaign({ id: 'dash', name: 'Second campaign', defaultPath: { offers: [{ id: 'dash-offer' }] } }) });
  for (let i = 0; i < 12; i++) {
    const visit = await fetch(`${tracker.url}/c/dash?cost=0.03`, { redirect: 'manual' });
    const cid = new URL(visit.headers.get('location')!).searchParams.get('s');
    if (i < 3) await fetch(`${tracker.url}/postback?cid=${cid}&txid=sale-${i}&et=sale&payout=12.34`);
    if (i === 5) await fetch(`${tracker.url}/postback?cid=${cid}&txid=lead-${i}&et=lead`);
  }
  await fetch(`${tracker.url}/postback?cid=${UNKNOWN_CLICK}&payout=9`);
}

/** What a row of the page says: each metric cell's value (data-value) and its text. */
function readRow(selector: string): Promise<Record<string, { value: unknown; text: string }>> {
  return page.$eval(selector, (row) =>
    Object.fromEntries(
      [...row.querySelectorAll<HTMLElement>('[data-metric]')].map((cell) => [cell.dataset.metric!, { value: JSON.parse(cell.dataset.value!), text: cell.textContent! }]),
    ),
  );
}

/** Decimals shown, fewest and most: counts are whole, ratios keep the API's 4 decimals. */
const DECIMALS = { count: [0, 0], money: [2, 4], percent: [2, 2], rate: [4, 4] } as const;

/** Each cell holds the API's number and shows it to the precision its kind of metric is shown at. */
function expectShown(cells: Record<string, { value: unknown; text: string }>, row: ReportRow): void {
  for (const { name, format } of METRICS.filter((metric) => metric.name in cells)) {
    const { value, text } = cells[name];
    expect({ name, value }).toEqual({ name, value: row[name] });
    if (row[name] === null) {
      expect(text).toBe('—');
      continue;
    }
    expect(text.endsWith('%')).toBe(format === 'percent');
    const decimals = text.replace('%', '').split('.')[1]?.length ?? 0;
    expect(decimals).toBeGreaterThanOrEqual(DECIMALS[format][0]);
    expect(decimals).toBeLessThanOrEqual(DECIMALS[format][1]);
    expect(Math.abs(Number(text.replace(/[,%]/g, '')) - (row[name] as number))).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
  }
}

async function waitUntilLoaded(search?: string): Promise<void> {
  await page.waitForFunction((expected) => document.getElementById('app')?.dataset.state === 'ready' && (!expected || location.search.includes(expected)), search, {
    timeout: 15_000,
  });
}

inBrowser('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    tracker = await startTestTracker();
    soakReport = await soakOn(tracker, { clicks: 200, postbacks: 200, faultRate: 0.05 });
    await secondCampaignTraffic();
    await tracker.settle();
    raw = await rawTotals(tracker);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    page = await context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await tracker?.close();
  });

  it('after a soak with DynamoDB faults, shows the figures GET /api/reports gives, which equal the raw recount', async () => {
    expect(soakReport).toMatchObject({ redirected: 200, lost: 0, doubleCounted: 0 });
    expect(soakReport.reported).toEqual(soakReport.raw);
    expect(await reportedTotals(tracker)).toEqual(raw);
    expect(await shownTotals(browser, tracker)).toEqual(raw);

    await page.goto(`${tracker.url}/dashboard/?from=${RANGE.from}&to=${RANGE.to}&tz=UTC#token=${tracker.managementToken}`);
    await waitUntilLoaded();
    expect(new URL(page.url()).hash).toBe('');

    const [total] = await report('UTC', '');
    const tiles = await readRow('#totals');
    expectShown(tiles, total);
    const { visits, conversions } = raw;
    expectShown(await readRow('#report tfoot tr'), total);

    const byCampaign = await report('UTC', 'campaign');
    expect(await page.$$eval('#report tbody tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.key))).toEqual(byCampaign.map((row) => row.campaign));
    for (const row of byCampaign) {
      const cells = await readRow(`#report tbody tr[data-key="${row.campaign}"]`);
      expect(Object.keys(cells)).toEqual(METRICS.map((metric) => metric.name));
      expectShown(cells, row);
    }
    expect(await page.textContent('#report tr[data-key="dash"]')).toContain('Sale 3 · Lead 1');

    const series = await page.$$eval('#series tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent!)));
    expect(series.map(([bucket]) => bucket)).toEqual([RANGE.from, new Date().toISOString().slice(0, 10), RANGE.to]);
    expect(series.reduce((sum, [, v]) => sum + Number(v), 0)).toBe(visits);
    expect(series.reduce((sum, [, , c]) => sum + Number(c), 0)).toBe(conversions);
    expect(await page.locator('#chart canvas').count()).toBe(1);
  });

  it('re-reads every figure in another time zone and conversion time picked in the form', async () => {
    await page.selectOption('#tz', '+05:00');
    await page.selectOption('#conversion-time', 'postback');
    await page.click('#range button[type=submit]');
    await waitUntilLoaded('conversionTime=postback');
    expect(new URL(page.url()).searchParams.get('tz')).toBe('+05:00');

    const byCampaign = (await api<{ rows: ReportRow[] }>(`reports?from=${RANGE.from}&to=${RANGE.to}&tz=%2B05:00&groupBy=campaign&conversionTime=postback`)).rows;
    for (const row of byCampaign) expectShown(await readRow(`#report tbody tr[data-key="${row.campaign}"]`), row);
  });

  it('groups the table by another dimension, named as the API names it', async () => {
    await page.selectOption('#group-by', 'country');
    await page.click('#range button[type=submit]');
    await waitUntilLoaded('groupBy=country');
    const byCountry = (await api<{ rows: ReportRow[] }>(`reports?from=${RANGE.from}&to=${RANGE.to}&tz=%2B05:00&groupBy=country&conversionTime=postback`)).rows;
    expect(await page.$$eval('#report tbody tr', (rows) => rows.map((row) => (row as HTMLElement).dataset.key))).toEqual(byCountry.map((row) => row.country));
    for (const row of byCountry) expectShown(await readRow(`#report tbody tr[data-key="${row.country}"]`), row);
    expect(await page.textContent('#report thead th')).toBe('Country');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = await fetch(`${tracker.url}/api/reports?from=${RANGE.from}&to=${RANGE.to}&tz=%2B05:00&groupBy=country&conversionTime=postback&format=csv`, {
      headers: { authorization: `Bearer ${tracker.managementToken}` },
    });
    expect(download.suggestedFilename()).toBe(`clickstack-country-${RANGE.from}-${RANGE.to}.csv`);
    expect(readFileSync(await download.path(), 'utf8')).toBe(await csv.text());

    await page.selectOption('#group-by', 'offer');
    await page.click('#range button[type=submit]');
    await waitUntilLoaded('groupBy=offer');
    expect(await page.textContent('#report tr[data-key="dash-offer"] th')).toBe('Dash offer');

    await page.selectOption('#group-by', 'campaign');
    await page.click('#range button[type=submit]');
    await waitUntilLoaded('groupBy=campaign');
  });

  it('gives each campaign\'s tracking links to copy, its latest conversions and visits, as the API has them', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    // The click sets the page loading at once; ready means links and conversions are both in.
    await page.click('#report tr[data-key="dash"] button');
    await waitUntilLoaded();
    expect(await page.inputValue('#link-campaign')).toBe('dash');
    const urls = await api<{ campaignUrl: string; postbackUrls: { networkId: string; url: string }[] }>('campaigns/dash/urls');
    expect(await page.inputValue('[data-link="campaign"]')).toBe(urls.campaignUrl);
    expect(await page.inputValue('[data-link="postback-dash-net"]')).toBe(urls.postbackUrls[0].url);
    expect(urls.postbackUrls[0].url).toContain('&et=OPTIONAL');

    const conversions = (await api<{ items: { clickId: string; txid: string; payout: number; eventName: string }[] }>('campaigns/dash/conversions')).items;
    expect(conversions).toHaveLength(4);
    const shown = await page.$$eval('#conversions tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(shown.map(([, event, , payout, txid, clickId]) => [event, Number(payout), txid, clickId])).toEqual(
      conversions.map((c) => [c.eventName, c.payout, c.txid, c.clickId]),
    );

    const visits = (await api<{ items: { clickId: string }[]; cursor?: string }>('campaigns/dash/visits')).items;
    expect(visits).toHaveLength(12);
    expect(await page.$$eval('#visits tbody tr', (rows) => rows.map((row) => row.querySelectorAll('td')[1].textContent))).toEqual(visits.map((v) => v.clickId));
    expect(await page.isHidden('#more-visits')).toBe(true);

    await page.click('[data-link="campaign"] + button');
    await page.waitForFunction(() => document.querySelector('[data-link="campaign"] + button')?.textContent === 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(urls.campaignUrl);
  });

  it('pages through the latest visits with "Load more", in the API\'s order', async () => {
    await page.selectOption('#link-campaign', 'demo');
    await waitUntilLoaded();
    const first = await api<{ items: { clickId: string }[]; cursor: string }>('campaigns/demo/visits?limit=25');
    const second = await api<{ items: { clickId: string }[] }>(`campaigns/demo/visits?limit=25&cursor=${first.cursor}`);
    const shownIds = () => page.$$eval('#visits tbody tr', (rows) => rows.map((row) => row.querySelectorAll('td')[1].textContent));
    expect(await shownIds()).toEqual(first.items.map((v) => v.clickId));
    await page.click('#more-visits');
    await waitUntilLoaded();
    expect(await shownIds()).toEqual([...first.items, ...second.items].map((v) => v.clickId));
  });

  it('lists the postback error log, as the API does', async () => {
    const cells = await page.$$eval('#postback-errors tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    const row = cells.find((texts) => texts.includes(UNKNOWN_CLICK));
    expect(row).toEqual([expect.any(String), 'unknown-click', expect.any(String), UNKNOWN_CLICK, '127.0.0.1', `GET /postback?cid=${UNKNOWN_CLICK}&payout=9`]);
  });

  it('shows the API\'s error for a range it refuses, and keeps the form to fix it', async () => {
    await page.fill('#from', '2020-01-01');
    await page.click('#range button[type=submit]');
    await page.waitForFunction(() => document.getElementById('app')?.dataset.state === 'error');
    expect(await page.textContent('#status')).toBe('from and to must be at most 366 days apart');

    await page.fill('#from', RANGE.from);
    await page.click('#range button[type=submit]');
    await waitUntilLoaded(`from=${RANGE.from}`);
    expect(await page.textContent('#status')).toMatch(/^Updated /);
  });

  it('asks for the token again when it is refused, and shows nothing until then', async () => {
    const fresh = await context.newPage();
    await fresh.goto(`${tracker.url}/dashboard/#token=not-the-token`);
    await fresh.waitForSelector('#sign-in:not([hidden])');
    expect(await fresh.textContent('#sign-in-error')).toBe('the management token is not valid');
    expect(await fresh.isHidden('#app')).toBe(true);

    await fresh.fill('#token', tracker.managementToken);
    await fresh.click('#sign-in button[type=submit]');
    await fresh.waitForFunction(() => document.getElementById('app')?.dataset.state === 'ready');
    expect(await fresh.isVisible('#report tr[data-key="demo"]')).toBe(true);
    await fresh.close();
  });
});
