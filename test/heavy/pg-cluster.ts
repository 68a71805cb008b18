import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../bench/ports.js';

const run = promisify(execFile);

/** Debian's server binaries (postgresql-NN), newest first; null when none is installed. */
function serverBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : null;
}

export const POSTGRES_BIN = serverBin();

/**
 * A PostgreSQL server of the test's own, in a temporary directory on a free port: restarting it
 * under load disturbs nobody else's tests. The server refuses to run as root, so under root it
 * runs as the `postgres` system user; its superuser is `root`, trusted on loopback.
 */
export class PrivateCluster {
  private constructor(readonly dir: string, readonly port: number) {}

  get url(): string {
    return `postgresql://root@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  static async start(): Promise<PrivateCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'cidgate-pg-'));
    const cluster = new PrivateCluster(dir, await freePort());
    if (userInfo().uid === 0) {
      const { uid, gid } = await postgresUser();
      chownSync(dir, uid, gid);
    }
    await cluster.ctl('initdb', ['-D', cluster.data, '-U', 'root', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await cluster.pgCtl('start');
    return cluster;
  }

  /** Fast shutdown: every connection is cut, as when the server or its host goes down. */
  stop(): Promise<void> {
    return this.pgCtl('stop');
  }

  /** Starts the server again and returns once it accepts connections. */
  resume(): Promise<void> {
    return this.pgCtl('start');
  }

  async destroy(): Promise<void> {
    await this.pgCtl('stop').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pgCtl(action: 'start' | 'stop'): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`;
    return this.ctl('pg_ctl', action === 'start'
      ? ['-D', this.data, '-w', '-l', join(this.dir, 'server.log'), '-o', opts, 'start']
      : ['-D', this.data, '-w', '-m', 'fast', 'stop']);
  }

  private async ctl(program: string, args: string[]): Promise<void> {
    const bin = join(POSTGRES_BIN!, program);
    if (userInfo().uid === 0) await run('runuser', ['-u', 'postgres', '--', bin, ...args], { cwd: this.dir });
    else await run(bin, args, { cwd: this.dir });
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
