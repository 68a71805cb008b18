/**
 * The dashboard's script, run by the browser (served compiled from dist/ by dashboard.ts): polls
 * /dashboard.json and redraws the panels with the same view the server drew the first page with.
 */
import { dashboardMain, type DashboardSnapshot } from './dashboard-view.js';

/** The few DOM members used, declared here so that the server's build does not take in the DOM library. */
interface DomElement { innerHTML: string; textContent: string | null; className: string }
declare const document: { getElementById(id: string): DomElement | null };

const POLL_MS = 2_000;

async function refresh(): Promise<void> {
  const status = document.getElementById('status');
  try {
    const res = await fetch('/dashboard.json');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const snapshot = (await res.json()) as DashboardSnapshot;
    const main = document.getElementById('live');
    if (main) main.innerHTML = dashboardMain(snapshot);
    if (status) {
      status.textContent = `Live, updated ${snapshot.time} (${snapshot.timeZone})`;
      status.className = 'muted';
    }
  } catch (err) {
    if (status) {
      status.textContent = `Not updated (${(err as Error).message}): retrying`;
      status.className = 'bad';
    }
  } finally {
    setTimeout(() => void refresh(), POLL_MS);
  }
}

void refresh();
