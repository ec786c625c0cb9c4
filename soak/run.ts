/**
 * `npm run soak`: 10,000 clicks and 10,000 postbacks (30% repeats, half of them at the same
 * moment as the original) against the local runtime with 5% of DynamoDB calls failing.
 * SOAK_CLICKS, SOAK_POSTBACKS and SOAK_FAULT_RATE change the figures. Exits 1 unless every visitor
 * was redirected, no conversion was lost or counted twice, GET /api/reports equals a recount of the raw items, and
 * the dashboard in headless Chromium (where /usr/bin/chromium is) shows those figures.
 */
import { hasChromium } from '../local/browser';
import { soak } from './soak';

async function main(): Promise<void> {
  const started = Date.now();
  const report = await soak({
    clicks: Number(process.env.SOAK_CLICKS ?? 10_000),
    postbacks: Number(process.env.SOAK_POSTBACKS ?? 10_000),
    faultRate: Number(process.env.SOAK_FAULT_RATE ?? 0.05),
    dashboard: hasChromium(),
  });
  console.log(`clicks redirected:        ${report.redirected} of ${report.clicks}`);
  console.log(`postbacks sent:           ${report.postbacksSent} (${report.duplicatesSent} repeats)`);
  console.log(`store faults injected:    ${report.faultsInjected} (network retries after a 5xx: ${report.networkRetries})`);
  console.log(`conversions expected:     ${report.conversionsExpected}`);
  console.log(`conversions counted:      ${report.conversionsCounted}`);
  console.log(`lost:                     ${report.lost}`);
  console.log(`double-counted:           ${report.doubleCounted}`);
  console.log(`GET /api/reports vs raw:  ${JSON.stringify(report.reported)} vs ${JSON.stringify(report.raw)}`);
  console.log(`dashboard shows:          ${report.shown ? JSON.stringify(report.shown) : 'not checked: no /usr/bin/chromium'}`);
  console.log(`time:                     ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const ok =
    report.redirected === report.clicks &&
    report.lost === 0 &&
    report.doubleCounted === 0 &&
    JSON.stringify(report.reported) === JSON.stringify(report.raw) &&
    (!report.shown || JSON.stringify(report.shown) === JSON.stringify(report.raw));
  process.exit(ok ? 0 : 1);
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
