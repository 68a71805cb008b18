/**
 * The report's and the dashboard's charts as inline SVG strings: no library, no script, nothing
 * fetched — they render offline, on screen and in print.
 */

export function escapeHtml(text: string | number | null | undefined): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Series { readonly name: string; readonly cssClass: string }

const fmt = (n: number) => n.toLocaleString('en');

/**
 * Vertical bars, one per label, stacked by series (e.g. attempts per day by action). `tick` shortens
 * a label under the axis (default: a date's "MM-DD").
 */
export function stackedBars(title: string, labels: readonly string[], series: readonly Series[], values: readonly (readonly number[])[],
  tick: (label: string) => string = (l) => l.slice(5)): string {
  const width = 760;
  const height = 240;
  const left = 48;
  const bottom = 40;
  const plotW = width - left - 10;
  const plotH = height - bottom - 10;
  const totals = labels.map((_, i) => series.reduce((s, _s, k) => s + (values[k]?.[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = plotW / Math.max(1, labels.length);
  const barW = Math.max(1, step * 0.8);
  const bars: string[] = [];
  labels.forEach((label, i) => {
    let y = 10 + plotH;
    series.forEach((s, k) => {
      const v = values[k]?.[i] ?? 0;
      if (v === 0) return;
      const h = (v / max) * plotH;
      y -= h;
      bars.push(`<rect class="bar ${s.cssClass}" x="${(left + i * step).toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" data-label="${escapeHtml(label)}" data-series="${escapeHtml(s.name)}" data-value="${v}"><title>${escapeHtml(label)} ${escapeHtml(s.name)}: ${fmt(v)}</title></rect>`);
    });
  });
  const every = Math.max(1, Math.ceil(labels.length / 8));
  const ticks = labels.map((l, i) => (i % every === 0
    ? `<text class="tick" x="${(left + i * step + barW / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${escapeHtml(tick(l))}</text>` : '')).join('');
  const legend = series.map((s, k) => `<rect class="${s.cssClass}" x="${left + k * 110}" y="${height - 14}" width="10" height="10"/><text x="${left + k * 110 + 14}" y="${height - 5}">${escapeHtml(s.name)}</text>`).join('');
  return `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="100%">
<line class="axis" x1="${left}" y1="${10 + plotH}" x2="${width - 10}" y2="${10 + plotH}"/>
<text class="tick" x="${left - 6}" y="16" text-anchor="end">${fmt(max)}</text><text class="tick" x="${left - 6}" y="${10 + plotH}" text-anchor="end">0</text>
${bars.join('\n')}${ticks}${legend}</svg>`;
}

/** Horizontal bars with their labels; an optional limit per bar is drawn as a mark (a daily cap). */
export function horizontalBars(title: string, rows: readonly { label: string; value: number; limit?: number | null }[]): string {
  const width = 760;
  const rowH = 22;
  const left = 230;
  const height = Math.max(1, rows.length) * rowH + 10;
  const max = Math.max(1, ...rows.map((r) => Math.max(r.value, r.limit ?? 0)));
  const plotW = width - left - 70;
  const body = rows.map((r, i) => {
    const y = 5 + i * rowH;
    const w = (r.value / max) * plotW;
    const limit = r.limit ? `<line class="limit" x1="${(left + (r.limit / max) * plotW).toFixed(1)}" x2="${(left + (r.limit / max) * plotW).toFixed(1)}" y1="${y}" y2="${y + rowH - 6}"><title>cap ${fmt(r.limit)}</title></line>` : '';
    return `<text x="${left - 8}" y="${y + 13}" text-anchor="end">${escapeHtml(r.label)}</text>
<rect class="bar hbar${r.limit && r.value >= r.limit ? ' at-cap' : ''}" x="${left}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="${rowH - 6}" data-label="${escapeHtml(r.label)}" data-value="${r.value}"/>${limit}
<text class="value" x="${(left + w + 6).toFixed(1)}" y="${y + 13}">${fmt(r.value)}${r.limit ? ` / ${fmt(r.limit)}` : ''}</text>`;
  }).join('\n');
  return `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="100%">${body}</svg>`;
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Weekday × hour counts, the legal window's cells outlined. */
export function weekHeatmap(title: string, counts: readonly (readonly number[])[], legal: readonly (readonly boolean[])[]): string {
  const cell = 28;
  const left = 40;
  const top = 20;
  const max = Math.max(1, ...counts.flat());
  const cells: string[] = [];
  for (let d = 0; d < 7; d++) {
    for (let h = 0; h < 24; h++) {
      const v = counts[d]?.[h] ?? 0;
      const x = left + h * cell;
      const y = top + d * cell;
      const opacity = v === 0 ? 0 : 0.15 + 0.85 * (v / max);
      const inside = legal[d]?.[h] ?? false;
      cells.push(`<rect class="cell${inside ? ' legal' : ''}${v > 0 && !inside ? ' outside' : ''}" x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill-opacity="${opacity.toFixed(2)}" data-day="${DAYS[d]}" data-hour="${h}" data-value="${v}"><title>${DAYS[d]} ${h}:00–${h + 1}:00: ${fmt(v)}</title></rect>`);
    }
  }
  const hours = Array.from({ length: 24 }, (_, h) => `<text class="tick" x="${left + h * cell + cell / 2 - 1}" y="${top - 6}" text-anchor="middle">${h}</text>`).join('');
  const days = DAYS.map((d, i) => `<text class="tick" x="${left - 6}" y="${top + i * cell + cell / 2 + 3}" text-anchor="end">${d}</text>`).join('');
  const width = left + 24 * cell + 10;
  const height = top + 7 * cell + 24;
  const legend = `<rect class="cell legal" x="${left}" y="${height - 16}" width="12" height="12" fill-opacity="0"/><text x="${left + 18}" y="${height - 6}">legal window (from the rules, consumer's local time)</text>`;
  return `<svg class="chart heatmap" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="100%">${hours}${days}${cells.join('')}${legend}</svg>`;
}
