import { loadConfig } from '../config/load.js';

/** Explains every problem in a config; exit 2 when one is an error. */
export async function configCheckCommand(file: string | undefined, out: NodeJS.WritableStream): Promise<number> {
  const loaded = loadConfig(file, { lenient: true });
  const { campaigns } = loaded.config;
  for (const p of loaded.problems) {
    out.write(`${p.level}: ${loaded.path}${p.line ? `:${p.line}` : ''}: ${p.key}: ${p.message}\n`);
  }
  const errors = loaded.problems.filter((p) => p.level === 'error').length;
  const warnings = loaded.problems.length - errors;
  out.write(`${loaded.path}: ${campaigns.size} campaign(s) (${[...campaigns.keys()].join(', ')}), ${errors} error(s), ${warnings} warning(s)\n`);
  return errors > 0 ? 2 : 0;
}
