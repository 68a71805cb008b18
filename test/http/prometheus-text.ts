/** One sample of the Prometheus text exposition format (version 0.0.4). */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: string | null;
  help: string | null;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

/** Parses the text format strictly: any malformed line throws, naming it. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: null, help: null, samples: [] }));
    return f;
  };
  text.split('\n').forEach((line, i) => {
    const fail = (why: string) => { throw new Error(`line ${i + 1}: ${why}: ${line}`); };
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      if (!NAME.test(m[2]!)) fail('bad metric name');
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]!)) fail('bad type');
        family(m[2]!).type = m[3]!;
      } else {
        family(m[2]!).help = m[3]!;
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (!m) fail('not a sample');
    const labels: Record<string, string> = {};
    let rest = m![3] ?? '';
    while (rest.length > 0) {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/.exec(rest);
      if (!l) fail('bad labels');
      labels[l![1]!] = l![2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
      rest = rest.slice(l![0].length);
    }
    const raw = m![4]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') fail('bad value');
    const name = m![1]!;
    const base = families.has(name) ? name : SUFFIXES.map((s) => (name.endsWith(s) ? name.slice(0, -s.length) : '')).find((b) => b && families.has(b)) ?? name;
    family(base).samples.push({ name, labels, value });
  });
  return families;
}
