import { SQSClient } from '@aws-sdk/client-sqs';
import { PostbackService, ReceivedPostback } from './domain/postback-service';
import { TtlCache } from './domain/ttl-cache';
import { Click } from './domain/visit';
import { SourcePostbackJob } from './domain/source-postback';
import { numberEnv } from './env';
import { QUEUES } from './routes';
import { DynamoTrackerStore, documentClient } from './store/dynamo-store';
import { MessageQueue, SqsQueue } from './store/message-queue';

/**
 * Builds each handler's dependencies from its environment, once per container. Functions, not
 * module-level objects, so a bundle only builds (and only needs the variables of) what it uses.
 */
let store: DynamoTrackerStore | undefined;
export function trackerStore(): DynamoTrackerStore {
  return (store ??= DynamoTrackerStore.fromEnvironment(documentClient));
}

export function configCache<V>(load: (id: string) => Promise<V>): TtlCache<V> {
  return new TtlCache(numberEnv('CONFIG_CACHE_SECONDS', 30) * 1000, load);
}

let sqsClient: SQSClient | undefined;
function queue<T>(urlVariable: string): MessageQueue<T> | undefined {
  const url = process.env[urlVariable];
  return url ? new SqsQueue<T>((sqsClient ??= new SQSClient({})), url) : undefined;
}

/** Where clicks go when their DynamoDB write fails; written later by the click-buffer worker. */
export function clickBuffer(): MessageQueue<Click> | undefined {
  return queue<Click>(QUEUES.clickBuffer.urlVariable);
}

/** Calls of traffic sources' postback URLs, made by the source-postback worker. */
export function sourcePostbackQueue(): MessageQueue<SourcePostbackJob> | undefined {
  return queue<SourcePostbackJob>(QUEUES.sourcePostbacks.urlVariable);
}

export function postbackService(): PostbackService {
  const offers = configCache((id) => trackerStore().getConfig('offer', id));
  const networks = configCache((id) => trackerStore().getConfig('network', id));
  const sources = configCache((id) => trackerStore().getConfig('trafficSource', id));
  return new PostbackService({
    store: trackerStore(),
    offer: (id) => offers.get(id),
    network: (id) => networks.get(id),
    trafficSource: (id) => sources.get(id),
    sourcePostbacks: sourcePostbackQueue(),
    pending: queue<ReceivedPostback>(QUEUES.pendingPostbacks.urlVariable),
    pendingWindowSeconds: numberEnv('PENDING_WINDOW_SECONDS', 3600),
    pendingDelaySeconds: numberEnv('PENDING_DELAY_SECONDS', 30),
  });
}
