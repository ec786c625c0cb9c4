import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
let child: ChildProcess;

afterAll(() => {
  child?.kill('SIGTERM');
});

/** What `npm start` runs, on a free port: the README's first command must work as written. */
function startLocal(): Promise<string> {
  child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/local.ts', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl-C stops it.')) resolve(output);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`local runner exited with ${code}:\n${output}`)));
  });
}

describe('npm start', () => {
  let started: Promise<string>;
  beforeAll(() => {
    started = startLocal();
  });

  it('prints a campaign URL that redirects and a postback URL that converts', async () => {
    const output = await started;
    const campaignUrl = /^Campaign URL.*\n\s+(\S+)/m.exec(output)?.[1];
    const postbackTemplate = /^Postback URL.*\n\s+(\S+)/m.exec(output)?.[1];
    expect(campaignUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/c\/demo\?/);
    expect(postbackTemplate).toMatch(/\/postback\?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL$/);

    const visit = await fetch(campaignUrl!, { redirect: 'manual' });
    expect(visit.status).toBe(302);
    const cid = new URL(visit.headers.get('location')!).searchParams.get('sub1')!;
    const postback = await fetch(postbackTemplate!.replace('REPLACE', cid).replace(/OPTIONAL/g, ''));
    expect(await postback.json()).toMatchObject({ status: 'converted', cid, payout: 2.5 });
  });

  it('prints a dashboard link that serves the page and carries the management token', async () => {
    const output = await started;
    const dashboardUrl = /^Dashboard.*\n\s+(\S+)/m.exec(output)?.[1];
    const token = /^Management API token.*\n\s+(\S+)/m.exec(output)?.[1];
    expect(dashboardUrl).toBe(`${/^clickstack is running locally at (\S+)/m.exec(output)?.[1]}/dashboard/#token=${token}`);
    const page = await fetch(dashboardUrl!);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script src="app.js" defer></script>');
    const reports = await fetch(new URL('/api/reports', dashboardUrl!), { headers: { authorization: `Bearer ${token}` } });
    expect(reports.status).toBe(200);
  });
});
