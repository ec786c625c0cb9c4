/**
 * The functions, defined once: the stack creates one function per entry of FUNCTIONS and one
 * API Gateway route per entry of ROUTES, and one queue (with its dead-letter queue) and worker per
 * entry of QUEUES; the local runtime serves the same routes and queues with the same handler modules.
 */
export const FUNCTIONS = {
  click: { entry: 'handlers/click.ts', description: 'Visit: records the click, redirects to a lander or offer' },
  clickThrough: { entry: 'handlers/click-through.ts', description: 'Lander click-through to an offer' },
  postback: { entry: 'handlers/postback.ts', description: 'S2S postback and conversion pixel' },
  management: { entry: 'handlers/management.ts', description: 'Management API' },
} as const;

export type FunctionName = keyof typeof FUNCTIONS;

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `{name}` is one path segment, `{name+}` the rest of the path. */
  readonly path: string;
  readonly function: FunctionName;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/c/{campaignId}', function: 'click' },
  { method: 'GET', path: '/click', function: 'clickThrough' },
  { method: 'GET', path: '/click/{offerNumber}', function: 'clickThrough' },
  { method: 'GET', path: '/r/{clickId}', function: 'clickThrough' },
  { method: 'GET', path: '/postback', function: 'postback' },
  { method: 'POST', path: '/postback', function: 'postback' },
  { method: 'GET', path: '/conversion.gif', function: 'postback' },
  { method: 'GET', path: '/api/{proxy+}', function: 'management' },
  { method: 'POST', path: '/api/{proxy+}', function: 'management' },
  { method: 'PUT', path: '/api/{proxy+}', function: 'management' },
  { method: 'DELETE', path: '/api/{proxy+}', function: 'management' },
];

export interface QueueDefinition {
  readonly entry: string;
  readonly description: string;
  /** The variable that gives the queue's URL to the functions that send to it. */
  readonly urlVariable: string;
  /** Time a failed message waits before it is tried again. */
  readonly visibilityTimeoutSeconds: number;
  /** Tries before a message goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

export const QUEUES = {
  /** ~10 minutes of retries: longer than DynamoDB's bad minutes, shorter than the pending window. */
  clickBuffer: {
    entry: 'handlers/click-buffer.ts',
    description: 'Writes clicks whose hot-path write failed',
    urlVariable: 'CLICK_BUFFER_QUEUE_URL',
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 20,
  },
  /** Retried past the pending window (1 hour), where the service refuses and logs the postback. */
  pendingPostbacks: {
    entry: 'handlers/pending-postbacks.ts',
    description: 'Retries postbacks that arrived before their click was written',
    urlVariable: 'PENDING_POSTBACK_QUEUE_URL',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 70,
  },
  /** Each try re-queues the next with a growing delay; the queue's own retries cover worker faults. */
  sourcePostbacks: {
    entry: 'handlers/source-postbacks.ts',
    description: "Calls traffic sources' postback URLs",
    urlVariable: 'SOURCE_POSTBACK_QUEUE_URL',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 3,
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof QUEUES;
