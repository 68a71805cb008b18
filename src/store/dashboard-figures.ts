/** What the live dashboard reads from the store: every node's decisions, so any node shows the center. */

/** One recent decision, as the dashboard lists it (numbers as recorded: the dashboard masks them). */
export interface DashboardRow {
  readonly at: Date;
  readonly campaign: string;
  readonly action: string;
  /** Comma-separated codes, as stored. */
  readonly reasons: string;
  readonly presentedCallerId: string | null;
  readonly originalCallerId: string | null;
  readonly callee: string | null;
  readonly source: string | null;
  readonly lead: string | null;
  /** The node that decided; null on rows recorded before nodes were (schema 6 / PostgreSQL 7). */
  readonly node: string | null;
}

export interface DashboardFigures {
  /** Decisions dated from the instant asked on, per minute (epoch ms of its start) and action. */
  readonly perMinute: readonly { readonly minute: number; readonly action: string; readonly count: number }[];
  /** Blocked decisions dated from then on, per reasons list (comma-separated, as stored). */
  readonly blocks: readonly { readonly reasons: string; readonly count: number }[];
  /** The last decisions recorded, newest first. */
  readonly recent: readonly DashboardRow[];
}

/** A row as both stores select it (instants in ms). */
export interface DashboardRecord {
  at: number; campaign: string; action: string; reasons: string; presented_caller_id: string | null;
  original_caller_id: string | null; callee: string | null; source: string | null; lead: string | null; node: string | null;
}

export const DASHBOARD_COLUMNS = 'campaign, action, reasons, presented_caller_id, original_caller_id, callee, source, lead, node';

export function toDashboardRow(r: DashboardRecord): DashboardRow {
  return {
    at: new Date(r.at), campaign: r.campaign, action: r.action, reasons: r.reasons, presentedCallerId: r.presented_caller_id,
    originalCallerId: r.original_caller_id, callee: r.callee, source: r.source, lead: r.lead, node: r.node,
  };
}
