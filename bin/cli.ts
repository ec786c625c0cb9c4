import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { COLLECTIONS } from '../lambda/domain/config-service';

const USAGE = `usage: npx clickstack <command> [--url URL] [--token TOKEN]

  list <collection>            ids and names (collections: ${Object.keys(COLLECTIONS).join(', ')})
  get <collection> <id>        one item as JSON
  apply <file.json|file.yaml>  create or replace everything in the file:
                               { networks: [...], traffic-sources: [...], offers: [...], landers: [...], campaigns: [...] }
  delete <collection> <id>     remove an item nothing refers to
  urls <campaignId>            campaign URL, lander click URLs and each network's postback URL
  token                        a new management token and the SHA-256 to put in the stack's secret

  --url defaults to CLICKSTACK_URL or http://127.0.0.1:3000; --token to CLICKSTACK_TOKEN.`;

/** Dependencies first: a campaign may only refer to what exists. */
const APPLY_ORDER = ['networks', 'traffic-sources', 'offers', 'landers', 'campaigns'];

class CliError extends Error {}

async function call(base: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<unknown> {
  if (!token) throw new CliError('no management token: pass --token or set CLICKSTACK_TOKEN');
  const response = await fetch(`${base.replace(/\/$/, '')}/api/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new CliError(`${method} /api/${path}: ${response.status} ${(parsed as { error?: string })?.error ?? text}`);
  return parsed;
}

function collection(name: string | undefined): string {
  if (!name || !(name in COLLECTIONS)) throw new CliError(`collection must be one of ${Object.keys(COLLECTIONS).join(', ')}`);
  return name;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.CLICKSTACK_URL ?? 'http://127.0.0.1:3000' },
      token: { type: 'string', default: process.env.CLICKSTACK_TOKEN },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, first, second] = positionals;
  const api = (method: string, path: string, body?: unknown) => call(values.url!, values.token, method, path, body);
  switch (values.help ? 'help' : command) {
    case 'list': {
      const { items } = (await api('GET', collection(first))) as { items: { id: string; name: string }[] };
      for (const item of items) console.log(`${item.id}\t${item.name}`);
      return;
    }
    case 'get':
      console.log(JSON.stringify(await api('GET', `${collection(first)}/${encodeURIComponent(second ?? '')}`), null, 2));
      return;
    case 'delete':
      await api('DELETE', `${collection(first)}/${encodeURIComponent(second ?? '')}`);
      console.log(`deleted ${first} ${second}`);
      return;
    case 'apply': {
      if (!first) throw new CliError('apply needs a file');
      const text = readFileSync(first, 'utf8');
      const document = (/\.ya?ml$/i.test(first) ? parseYaml(text) : JSON.parse(text)) as Record<string, { id: string }[]>;
      const unknown = Object.keys(document ?? {}).filter((key) => !APPLY_ORDER.includes(key));
      if (unknown.length > 0) throw new CliError(`unknown sections: ${unknown.join(', ')}; use ${APPLY_ORDER.join(', ')}`);
      for (const section of APPLY_ORDER) {
        for (const item of document[section] ?? []) {
          await api('PUT', `${section}/${encodeURIComponent(item.id)}`, item);
          console.log(`applied ${section} ${item.id}`);
        }
      }
      return;
    }
    case 'urls':
      console.log(JSON.stringify(await api('GET', `campaigns/${encodeURIComponent(first ?? '')}/urls`), null, 2));
      return;
    case 'token': {
      const token = randomBytes(32).toString('base64url');
      console.log(`token:   ${token}\nsha256:  ${createHash('sha256').update(token).digest('hex')}\n` +
        'Put the sha256 into the secret of the stack output ManagementTokenSecretArn:\n' +
        '  aws secretsmanager put-secret-value --secret-id <ManagementTokenSecretArn> --secret-string <sha256>\n' +
        'and keep the token: it is the CLI\'s CLICKSTACK_TOKEN. It works within 5 minutes, no deploy needed.');
      return;
    }
    default:
      console.log(USAGE);
      if (!values.help) process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`clickstack: ${error instanceof CliError ? error.message : error.stack}`);
  process.exitCode = 1;
});
