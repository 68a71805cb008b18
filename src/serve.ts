import { AmiOutcomes } from './asterisk/ami-client.js';
import { FastAgiServer } from './asterisk/fastagi-server.js';
import { systemClock } from './clock.js';
import { EslOutcomes } from './freeswitch/esl-outcomes.js';
import { EslOutboundServer } from './freeswitch/outbound-server.js';
import { loadConfig } from './config/load.js';
import { CidgateError } from './errors.js';
import { buildHttpServer } from './http/server.js';
import { createLogger } from './log.js';
import { Gateway } from './service/gateway.js';
import { purgeCutoffs } from './service/retention.js';
import { readSecret } from './service/secrets.js';
import { SipB2bua } from './sip/b2bua.js';
import { describeTarget } from './store/database-url.js';
import { openStore } from './store/open.js';

/** How long open sessions may take to finish on SIGTERM before they are cut. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface Service {
  stop(): Promise<void>;
}

/** Starts every configured adapter around one gateway and one store. */
export async function startService(opts: { config?: string; db?: string }): Promise<Service> {
  const loaded = loadConfig(opts.config);
  const raw = loaded.config.raw;
  const logger = createLogger(raw.log.level);
  for (const p of loaded.problems) logger.warn({ event: 'config-warning', key: p.key, line: p.line }, p.message);
  const { store, target } = openStore(raw, opts.db, logger, { busyTimeoutMs: raw.store.busyTimeoutMs, waitMs: raw.store.waitMs, backgroundCheckpoint: true });
  const gateway = new Gateway(loaded.config, store, systemClock, logger);
  gateway.warmUp();
  const ports: Record<string, number> = {};
  const stops: (() => Promise<void> | void)[] = [];

  if (raw.asterisk.fastagi.enabled) {
    const fastagi = new FastAgiServer({ name: 'fastagi', ...raw.asterisk.fastagi, callerIdFormat: raw.callerId.format }, gateway, logger);
    ports.fastagi = (await fastagi.listen()).port;
    stops.push(() => fastagi.close(SHUTDOWN_GRACE_MS));
  }

  const amiSecret = readSecret('CIDGATE_AMI_SECRET', raw.asterisk.ami.secretFile, logger);
  if (amiSecret) {
    const ami = new AmiOutcomes({ ...raw.asterisk.ami, secret: amiSecret }, gateway, logger);
    ami.start();
    stops.push(() => ami.stop());
  }

  if (raw.freeswitch.outbound.enabled) {
    const o = raw.freeswitch.outbound;
    const esl = new EslOutboundServer({ name: 'freeswitch', ...o, callerIdFormat: raw.callerId.format }, gateway, logger);
    ports.freeswitch = (await esl.listen()).port;
    stops.push(() => esl.close(SHUTDOWN_GRACE_MS));
  }

  const eslPassword = readSecret('CIDGATE_ESL_PASSWORD', raw.freeswitch.inbound.passwordFile, logger);
  if (eslPassword) {
    const outcomes = new EslOutcomes({ ...raw.freeswitch.inbound, password: eslPassword }, gateway, logger);
    outcomes.start();
    stops.push(() => outcomes.stop());
  }

  const drachtioSecret = readSecret('CIDGATE_DRACHTIO_SECRET', raw.sip.drachtio.secretFile, logger);
  if (drachtioSecret) {
    const sip = new SipB2bua({
      ...raw.sip.drachtio, secret: drachtioSecret, carrierUri: raw.sip.carrierUri, blockStatus: raw.sip.blockStatus,
      keepDisplayName: raw.sip.keepDisplayName, callerIdFormat: raw.callerId.format,
      campaignBySource: new Map(Object.entries(raw.sip.sources)),
    }, gateway, logger);
    sip.start();
    stops.push(() => sip.stop());
  }

  if (raw.http.enabled) {
    const token = readSecret('CIDGATE_HTTP_TOKEN', raw.http.tokenFile, logger);
    const app = await buildHttpServer({ gateway, log: logger, token });
    try {
      await app.listen({ host: raw.http.host, port: raw.http.port });
    } catch (err) {
      throw new CidgateError('LISTEN_FAILED', `http: cannot listen on ${raw.http.host}:${raw.http.port}: ${(err as Error).message}`, { name: 'http' });
    }
    ports.http = (app.server.address() as { port: number }).port;
    stops.push(() => app.close());
  }

  if (raw.retentionDays !== null) {
    const days = raw.retentionDays;
    const purge = async () => {
      try {
        const { cutoffs } = purgeCutoffs(loaded.config, days, new Date());
        const deleted = await store.purge(cutoffs);
        logger.info({ event: 'purged', deleted, before: cutoffs.decisionsBefore.toISOString() }, 'retention purge');
      } catch (err) {
        logger.error({ event: 'purge-failed', err: { message: (err as Error).message } }, 'retention purge failed');
      }
    };
    const timer = setInterval(() => void purge(), 3_600_000);
    timer.unref();
    void purge();
    stops.push(() => clearInterval(timer));
  }

  logger.info({ event: 'started', config: loaded.path, database: describeTarget(target), ports, ami: Boolean(amiSecret), eslInbound: Boolean(eslPassword), sip: Boolean(drachtioSecret) }, 'cidgate serving');
  return {
    async stop() {
      for (const stop of stops) await stop();
      await store.close();
      logger.info({ event: 'stopped', decisions: gateway.stats.decisions }, 'cidgate stopped');
      logger.flush();
    },
  };
}

export async function serveCommand(opts: { config?: string; db?: string }): Promise<number> {
  const service = await startService(opts);
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
  await service.stop();
  return 0;
}
