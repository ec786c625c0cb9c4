import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CounterKey } from '../lambda/domain/aggregation';
import { addDays } from '../lambda/domain/time-zones';
import { startLocalTracker } from '../local/runtime';

export interface ReportReads {
  readonly campaigns: number;
  readonly items: number;
  /** DynamoDB Query calls of one `GET /api/reports` over every campaign. */
  readonly queries: number;
  /** Median ms of `GET /api/reports?groupBy=campaign` through the local gateway. */
  readonly reportMs: number;
  /** Median ms of the same Query calls made directly: the store floor of that report. */
  readonly storeMs: number;
}

const DAYS = 30;
const HOURS_A_DAY = 12;
const RUNS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/**
 * A 30-day report over every campaign, at 1, 10 and 100 campaigns with counters in 12 hours of
 * each day: how many partitions it reads, and its time against the bare Query calls it makes.
 */
export async function measureReportReads(campaignCounts: readonly number[] = [1, 10, 100]): Promise<ReportReads[]> {
  const tracker = await startLocalTracker({ reports: false });
  const { documentClient, statsKey } = await import('../lambda/store/dynamo-store');
  const to = new Date().toISOString().slice(0, 10);
  const from = addDays(to, 1 - DAYS);
  const results: ReportReads[] = [];
  let written = 0;
  try {
    for (const campaigns of campaignCounts) {
      const items: Record<string, unknown>[] = [];
      for (let c = written; c < campaigns; c++) {
        for (let d = 0; d < DAYS; d++) {
          for (let h = 0; h < HOURS_A_DAY; h++) {
            const key: CounterKey = { campaignId: `campaign-${c}`, hour: `${addDays(from, d)}T${String(h * 2).padStart(2, '0')}`, offerId: 'o', landerId: '', trafficSourceId: 's', country: 'US', device: 'mobile' };
            items.push({ ...statsKey(key), ...key, visits: 10, clicks: 9, conversions: 1, revenue: 2.5, cost: 0.1 });
          }
        }
      }
      for (let i = 0; i < items.length; i += 25) {
        await tracker.documentClient.send(new BatchWriteCommand({ RequestItems: { [tracker.tableNames.stats]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
      }
      written = campaigns;

      const queries: QueryCommand['input'][] = [];
      const spy = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        if (context.commandName === 'QueryCommand') queries.push((args as { input: QueryCommand['input'] }).input);
        return next(args);
      };
      documentClient.middlewareStack.add(spy as never, { step: 'initialize', name: 'bench-query-spy' });
      const report = () =>
        fetch(`${tracker.url}/api/reports?from=${from}&to=${to}&groupBy=campaign`, { headers: { authorization: `Bearer ${tracker.managementToken}` } }).then((r) => r.json());
      await report();
      documentClient.middlewareStack.remove('bench-query-spy');
      const made = [...queries];
      const reportRuns: number[] = [];
      const storeRuns: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        reportRuns.push(await timed(report));
        storeRuns.push(await timed(() => Promise.all(made.map((input) => tracker.documentClient.send(new QueryCommand(input))))));
      }
      results.push({ campaigns, items: campaigns * DAYS * HOURS_A_DAY, queries: made.length, reportMs: median(reportRuns), storeMs: median(storeRuns) });
    }
    return results;
  } finally {
    await tracker.close();
  }
}
