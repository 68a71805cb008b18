/** SQL fragments every PostgreSQL module shares: instants cross the driver as milliseconds. */

/** A timestamptz column as epoch milliseconds. */
export const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

/** A parameter in epoch milliseconds as a timestamptz. */
export const ts = (param: string) => `to_timestamp(${param} / 1000.0)`;

/** A decision row in the shape SQLite gives it (instants in ms, flags 0/1), so one mapper serves both. */
export const DECISION_ROW = `id, ${ms('at')} AS at, campaign, purpose, source, channel, pbx_unique_id, agent, lead,
  original_caller_id, presented_caller_id, callee, area, action, reasons, ${ms('retry_at')} AS retry_at,
  counted::int AS counted, consent_ref, dialing, basis, consent_anytime::int AS consent_anytime,
  without_history::int AS without_history, node, outcome, hangup_cause, duration_s`;

/** The server's clock, the one every node dates its live decisions on (clock_timestamp: now, not the transaction's start). */
export const SERVER_NOW_SQL = `SELECT ${ms('clock_timestamp()')} AS now`;
