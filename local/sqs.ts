import { createHash, randomUUID } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { QueueDefinition } from '../lambda/routes';

export type QueueWorker = (event: SQSEvent) => Promise<SQSBatchResponse>;

interface Message {
  readonly id: string;
  readonly body: string;
  receiveCount: number;
  visibleAt: number;
}

interface LocalQueue {
  readonly definition: QueueDefinition;
  readonly worker: QueueWorker;
  readonly messages: Message[];
  readonly deadLetters: Message[];
  busy: boolean;
}

const BATCH_SIZE = 10;

/**
 * SQS for the local runtime: an endpoint speaking the part of the SQS JSON protocol the tracker
 * uses (SendMessage), so the handlers send through the real SQS client, and a poller that hands
 * messages to the same worker modules as Lambda's event source mapping does, with visibility
 * timeouts, receive counts, partial batch failures and a dead-letter list.
 *
 * `timeScale` shrinks delays and visibility timeouts (0.01: 30 s become 0.3 s) for tests.
 */
export class LocalSqs {
  private readonly queues = new Map<string, LocalQueue>();
  private server?: Server;
  private timer?: NodeJS.Timeout;
  endpoint = '';

  constructor(private readonly timeScale = 1) {}

  addQueue(name: string, definition: QueueDefinition, worker: QueueWorker): void {
    this.queues.set(name, { definition, worker, messages: [], deadLetters: [], busy: false });
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/000000000000/${name}`;
  }

  /** Messages that exhausted their tries, by queue. */
  deadLetters(name: string): readonly string[] {
    return this.queues.get(name)?.deadLetters.map((message) => message.body) ?? [];
  }

  /** Resolves once every queue is empty and idle. */
  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.queues.values()].some((queue) => queue.messages.length > 0 || queue.busy)) {
      if (Date.now() > deadline) throw new Error('local queues did not drain in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        const input = JSON.parse(body || '{}') as { QueueUrl?: string; MessageBody?: string; DelaySeconds?: number };
        const queue = this.queues.get(String(input.QueueUrl).split('/').pop() ?? '');
        if (target !== 'AmazonSQS.SendMessage' || !queue || typeof input.MessageBody !== 'string') {
          response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidParameterValue', message: `unsupported: ${target}` }));
          return;
        }
        const id = randomUUID();
        const delayMs = (input.DelaySeconds ?? 0) * 1000 * this.timeScale;
        queue.messages.push({ id, body: input.MessageBody, receiveCount: 0, visibleAt: Date.now() + delayMs });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({ MessageId: id, MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex') }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.timer = setInterval(() => this.poll(), 5);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private poll(): void {
    for (const [name, queue] of this.queues) {
      if (!queue.busy) void this.deliver(name, queue);
    }
  }

  private async deliver(name: string, queue: LocalQueue): Promise<void> {
    const now = Date.now();
    const batch = queue.messages.filter((message) => message.visibleAt <= now).slice(0, BATCH_SIZE);
    if (batch.length === 0) return;
    queue.busy = true;
    for (const message of batch) {
      message.receiveCount++;
      message.visibleAt = now + queue.definition.visibilityTimeoutSeconds * 1000 * this.timeScale;
    }
    let failed: Set<string>;
    try {
      const response = await queue.worker({ Records: batch.map((message) => record(name, message)) });
      failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    } catch {
      failed = new Set(batch.map((message) => message.id));
    }
    for (const message of batch) {
      if (failed.has(message.id) && message.receiveCount < queue.definition.maxReceiveCount) continue;
      queue.messages.splice(queue.messages.indexOf(message), 1);
      if (failed.has(message.id)) queue.deadLetters.push(message);
    }
    queue.busy = false;
  }
}

function record(queueName: string, message: Message): SQSRecord {
  return {
    messageId: message.id,
    receiptHandle: message.id,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
    awsRegion: 'us-east-1',
  };
}
