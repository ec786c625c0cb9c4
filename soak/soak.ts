/// <reference lib="dom" />
// shownTotals's callbacks run in the browser.
import { randomInt } from 'node:crypto';
import { ScanCommand, ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { seedDemoCampaign } from '../local/demo';
import { launchChromium } from '../local/browser';
import { injectDynamoDbFault } from '../local/faults';
import type { Browser } from 'playwright-core';
import { DASHBOARD_PATH } from '../dashboard/site';
import { LocalTracker, startLocalTracker } from '../local/runtime';

export interface SoakOptions {
  readonly clicks: number;
  readonly postbacks: number;
  /** Share of postbacks that repeat an earlier one. @default 0.3 */
  readonly duplicateShare?: number;
  /** Share of those repeats fired at the same moment as the original. @default 0.5 */
  readonly concurrentShare?: number;
  /** Share of DynamoDB calls made to fail (throttled) while the soak runs. @default 0.05 */
  readonly faultRate?: number;
  /** Requests in flight at once. @default 32 */
  readonly concurrency?: number;
  /** Also read the totals the dashboard shows, in headless Chromium. @default false */
  readonly dashboard?: boolean;
}

/** Report totals: the same figures from the aggregated counters and from a recount of the raw items. */
export interface Totals {
  readonly visits: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly revenue: number;
}

const REVERSED = new Set(['rejected', 'chargeback']);

/** Recounted from the click and conversion items themselves. */
export async function rawTotals(tracker: LocalTracker): Promise<Totals> {
  const clicks = await scanAll(tracker, tracker.tableNames.clicks);
  const conversions = (await scanAll(tracker, tracker.tableNames.conversions)).filter((item) => !REVERSED.has(String(item.status)));
  return {
    visits: clicks.length,
    clicks: clicks.filter((item) => item.clickedThroughAt).length,
    conversions: conversions.length,
    revenue: round(conversions.reduce((sum, item) => sum + Number(item.payout ?? 0), 0)),
  };
}

/** The UTC days around now, a day either side: a run may straddle midnight. */
export function reportRange(): { readonly from: string; readonly to: string; readonly tz: 'UTC' } {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return { from: day(-1), to: day(1), tz: 'UTC' };
}

/** What `GET /api/reports` answers for all campaigns together over `reportRange()`. */
export async function reportedTotals(tracker: LocalTracker): Promise<Totals> {
  const response = await fetch(`${tracker.url}/api/reports?${new URLSearchParams({ ...reportRange(), groupBy: '' })}`, {
    headers: { authorization: `Bearer ${tracker.managementToken}` },
  });
  if (!response.ok) throw new Error(`GET /api/reports answered ${response.status}: ${await response.text()}`);
  const { rows } = (await response.json()) as { rows: Totals[] };
  const { visits = 0, clicks = 0, conversions = 0, revenue = 0 } = rows[0] ?? {};
  return { visits, clicks, conversions, revenue };
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

export interface SoakReport {
  readonly clicks: number;
  readonly redirected: number;
  readonly postbacksSent: number;
  readonly duplicatesSent: number;
  readonly faultsInjected: number;
  readonly networkRetries: number;
  readonly conversionsExpected: number;
  readonly conversionsCounted: number;
  readonly lost: number;
  readonly doubleCounted: number;
  readonly raw: Totals;
  readonly reported: Totals;
  /** With `dashboard`: what the dashboard page shows. */
  readonly shown?: Totals;
}

const MAX_NETWORK_TRIES = 8;

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function scanAll(tracker: LocalTracker, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await tracker.documentClient.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Clicks and postbacks against the local runtime while DynamoDB fails a share of the handlers'
 * calls. The simulated network retries a postback on a 5xx, as networks do; the tracker must
 * still count each conversion exactly once.
 */
export async function soak(options: SoakOptions): Promise<SoakReport> {
  const tracker = await startLocalTracker({ environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' }, queueTimeScale: 0.01 });
  await seedDemoCampaign(tracker.store);
  try {
    const report = await soakOn(tracker, options);
    if (!options.dashboard) return report;
    const browser = await launchChromium();
    try {
      return { ...report, shown: await shownTotals(browser, tracker) };
    } finally {
      await browser.close();
    }
  } finally {
    await tracker.close();
  }
}

/**
 * What the dashboard's totals show over `reportRange()`, read in a real browser: each figure is
 * the number the page was given (its cell's data-value), next to the text it shows.
 */
export async function shownTotals(browser: Browser, tracker: LocalTracker): Promise<Totals> {
  const page = await browser.newPage();
  try {
    await page.goto(`${tracker.url}${DASHBOARD_PATH}?${new URLSearchParams(reportRange())}#token=${tracker.managementToken}`);
    await page.waitForFunction(() => document.getElementById('app')?.dataset.state === 'ready', undefined, { timeout: 30_000 });
    const shown = await page.$$eval('#totals [data-metric]', (cells) =>
      Object.fromEntries(cells.map((cell) => [cell.getAttribute('data-metric'), JSON.parse(cell.getAttribute('data-value')!) as number])),
    );
    return { visits: shown.visits, clicks: shown.clicks, conversions: shown.conversions, revenue: shown.revenue };
  } finally {
    await page.close();
  }
}

/** The soak against a running tracker with the demo campaign, left running so its reports can be looked at. */
export async function soakOn(tracker: LocalTracker, options: SoakOptions): Promise<SoakReport> {
  const { duplicateShare = 0.3, concurrentShare = 0.5, faultRate = 0.05, concurrency = 32 } = options;
  const { documentClient } = await import('../lambda/store/dynamo-store');
  let faultsInjected = 0;
  const removeFault = injectDynamoDbFault(documentClient, () => Math.random() < faultRate && ++faultsInjected > 0);

  try {
    const clickIds: string[] = [];
    let redirected = 0;
    await pool([...Array(options.clicks).keys()], concurrency, async (i) => {
      const response = await fetch(`${tracker.url}/c/demo?clickid=ts-${i}&cost=0.01&zone=z${i % 20}`, { redirect: 'manual' });
      const clickId = response.status === 302 ? new URL(response.headers.get('location') ?? '').searchParams.get('sub1') : null;
      if (clickId) {
        redirected++;
        clickIds.push(clickId);
      }
    });

    let networkRetries = 0;
    const send = async (url: string): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(url).catch(() => undefined);
        if (response && response.status < 500) {
          await response.arrayBuffer();
          return;
        }
        if (attempt === MAX_NETWORK_TRIES) throw new Error(`postback kept failing: ${url}`);
        networkRetries++;
        await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt));
      }
    };

    const uniqueCount = Math.min(clickIds.length, Math.round(options.postbacks * (1 - duplicateShare)));
    const conversions = clickIds.slice(0, uniqueCount).map((cid, i) => `${tracker.url}/postback?cid=${cid}&payout=1.5&txid=tx-${i}`);
    const duplicateCount = options.postbacks - uniqueCount;
    const repeats = Array.from({ length: duplicateCount }, () => conversions[randomInt(conversions.length)]);
    const concurrentRepeats = repeats.slice(0, Math.round(duplicateCount * concurrentShare));
    const laterRepeats = repeats.slice(concurrentRepeats.length);
    const firedTogether = new Map<string, number>();
    for (const url of concurrentRepeats) firedTogether.set(url, (firedTogether.get(url) ?? 0) + 1);

    await pool(conversions, concurrency, async (url) => {
      await Promise.all(Array.from({ length: 1 + (firedTogether.get(url) ?? 0) }, () => send(url)));
    });
    await pool(laterRepeats, concurrency, send);
    await tracker.settle();
    // The figures are read with DynamoDB healthy again.
    removeFault();

    const counted = await scanAll(tracker, tracker.tableNames.conversions);
    const perConversion = new Map<string, number>();
    for (const item of counted) {
      const key = `${item.clickId}|${item.txid}`;
      perConversion.set(key, (perConversion.get(key) ?? 0) + 1);
    }
    const [raw, reported] = [await rawTotals(tracker), await reportedTotals(tracker)];
    const expectedKeys = new Set(clickIds.slice(0, uniqueCount).map((cid, i) => `${cid}|tx-${i}`));
    return {
      clicks: options.clicks,
      redirected,
      postbacksSent: conversions.length + repeats.length,
      duplicatesSent: repeats.length,
      faultsInjected,
      networkRetries,
      conversionsExpected: uniqueCount,
      conversionsCounted: counted.length,
      lost: [...expectedKeys].filter((key) => !perConversion.has(key)).length,
      // Extra items for one conversion, and items for conversions that were never sent.
      doubleCounted:
        [...perConversion.values()].reduce((sum, n) => sum + n - 1, 0) +
        [...perConversion.keys()].filter((key) => !expectedKeys.has(key)).length,
      raw,
      reported,
    };
  } finally {
    removeFault();
  }
}
