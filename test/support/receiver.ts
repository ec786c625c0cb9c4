import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A traffic source's postback endpoint: records every call, answers with the given statuses in turn. */
export async function startReceiver(statuses: number[] = [200]): Promise<{ url: string; calls: URL[]; close(): Promise<void> }> {
  const calls: URL[] = [];
  const server: Server = createServer((request, response) => {
    calls.push(new URL(request.url ?? '/', 'http://receiver'));
    response.writeHead(statuses[Math.min(calls.length, statuses.length) - 1]);
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
