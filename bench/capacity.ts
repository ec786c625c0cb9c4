import { seedDemoCampaign } from '../local/demo';
import { startLocalTracker } from '../local/runtime';

export interface EventCapacity {
  readonly event: string;
  readonly reads: number;
  readonly writes: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Where the units come from. */
  readonly source: string;
}

interface Operation {
  readonly command: string;
  readonly units: number;
  readonly failed: boolean;
}

const READ_COMMANDS = /^(Get|Query|Scan|BatchGet)(Item)?Command$/;

/**
 * Runs a click, a conversion and a duplicate through the local runtime and records every DynamoDB
 * call the handlers make, with the capacity DynamoDB (dynalite) reports for it.
 */
export async function measureCapacity(): Promise<EventCapacity[]> {
  // The report aggregator's writes are counted in their own section, per batch, not per event.
  const tracker = await startLocalTracker({ reports: false });
  await seedDemoCampaign(tracker.store);
  const { documentClient } = await import('../lambda/store/dynamo-store');
  let operations: Operation[] = [];
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
        operations.push({ command: context.commandName ?? '', units: consumed?.CapacityUnits ?? 0, failed: false });
        return result;
      } catch (error) {
        operations.push({ command: context.commandName ?? '', units: 0, failed: true });
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCapacity' },
  );

  async function measure(event: string, request: () => Promise<unknown>): Promise<EventCapacity> {
    operations = [];
    await request();
    const reads = operations.filter((op) => READ_COMMANDS.test(op.command));
    const writes = operations.filter((op) => !READ_COMMANDS.test(op.command));
    // dynalite reports no capacity for a failed condition; DynamoDB bills it as one write of the item.
    const failedWrites = writes.filter((op) => op.failed).length;
    return {
      event,
      reads: reads.length,
      writes: writes.length,
      readUnits: reads.reduce((sum, op) => sum + op.units, 0),
      writeUnits: writes.reduce((sum, op) => sum + op.units, 0) + failedWrites,
      source: failedWrites > 0 ? 'ReturnConsumedCapacity; the failed conditional put computed as 1 WCU' : 'ReturnConsumedCapacity',
    };
  }

  // Warm the config caches of both handlers, as on warm Lambda containers.
  const warm = await fetch(`${tracker.url}/c/demo`, { redirect: 'manual' });
  await fetch(`${tracker.url}/postback?cid=${new URL(warm.headers.get('location') ?? '').searchParams.get('sub1')}`);
  let location = '';
  const click = await measure('click (warm)', async () => {
    const response = await fetch(`${tracker.url}/c/demo?clickid=ts-1&cost=0.01&zone=z1&creative=c1`, {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130 Mobile Safari/537.36' },
    });
    location = response.headers.get('location') ?? '';
  });
  const cid = new URL(location).searchParams.get('sub1');
  const postback = `${tracker.url}/postback?cid=${cid}&payout=1.25&txid=T-1`;
  const conversion = await measure('conversion (warm)', () => fetch(postback));
  const duplicate = await measure('duplicate postback', () => fetch(postback));
  await tracker.close();
  return [click, conversion, duplicate];
}
