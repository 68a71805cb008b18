import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CidgateError } from '../errors.js';

/** Debian's Chromium (`apt-get install chromium`); CIDGATE_CHROMIUM names another binary. A browser is never downloaded. */
export function chromiumPath(): string {
  return process.env.CIDGATE_CHROMIUM || '/usr/bin/chromium';
}

/** Headless, offline, no sandbox (containers), nothing phoned home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Renders an HTML page to an A4 PDF with headless Chromium (its print CSS applies). */
export async function renderPdf(html: string, out: string): Promise<void> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new CidgateError('CHROMIUM_NOT_FOUND', [executablePath], { executablePath });
  }
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'cidgate-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath, args: CHROMIUM_ARGS, headless: true, offline: true });
  try {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({ path: out, format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
