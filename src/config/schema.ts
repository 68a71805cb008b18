import { z } from 'zod';

const time = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time as HH:MM, from 00:00 to 24:00');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const port = z.number().int().min(1).max(65535);
const zone = z.union([z.enum(['1', '2', '3', '4', '5']), z.number().int().min(1).max(5).transform(String)]);

const limits = z.strictObject({
  maxAttempts: z.number().int().min(1).nullable().optional(),
  windowDays: z.number().int().min(1).max(3650).optional(),
  refusalDays: z.number().int().min(1).max(3650).nullable().optional(),
  minGapMinutes: z.number().int().min(1).nullable().optional(),
});

const campaign = z.strictObject({
  purpose: z.enum(['prospecting', 'service']),
  dialing: z.enum(['automated', 'manual']),
  basis: z.enum(['consent', 'existing-contract']).default('consent'),
  defaultZone: zone.nullable().default(null),
  hours: z.array(z.strictObject({ days: z.array(weekday).min(1), from: time, to: time })).nullable().default(null),
  limits: limits.prefault({}),
  dailyCapPerNumber: z.number().int().min(1).nullable().default(null),
  pool: z.array(z.union([z.string(), z.number().transform(String)])).min(1),
});

const listener = {
  enabled: z.boolean().default(true),
  host: z.string().default('127.0.0.1'),
  /** Peer addresses allowed to connect; empty = any peer that can reach the listening address. */
  allow: z.array(z.string()).default(['127.0.0.1', '::1', '::ffff:127.0.0.1']),
  idleTimeoutMs: z.number().int().min(100).default(10_000),
  maxSessions: z.number().int().min(1).default(5_000),
};

export const configSchema = z.strictObject({
  country: z.enum(['FR', 'ES']).default('FR'),
  /** This node's name in the audit trail and on the dashboard; null: the host's name. */
  nodeName: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - (at most 64)').nullable().default(null),
  siteTimeZone: z.string().default('Europe/Paris'),
  /** A SQLite file, or a postgres:// URL (the password in the URL or in `passwordFile`). */
  database: z.union([
    z.string().min(1),
    z.strictObject({
      url: z.string().regex(/^postgres(ql)?:\/\//i, 'a postgres:// or postgresql:// URL'), passwordFile: z.string().nullable().default(null),
      /** A node's clock further than this from the server's is logged (CLOCK_SKEW); ten times it fails readiness. */
      maxClockSkewMs: z.number().int().min(1).max(3_600_000).default(500),
    }),
  ]).default('var/cidgate.db'),
  callerId: z.strictObject({
    format: z.enum(['national', 'e164', 'international']).default('national'),
    requireOwned: z.boolean().default(true),
    keepCompliant: z.boolean().default(true),
  }).prefault({}),
  localHolidays: z.boolean().default(true),
  /** Spain: holidays of a callee whose number names no community (mobile, 800/900). */
  unknownRegionHolidays: z.enum(['every-region', 'national']).default('every-region'),
  ownedNumbers: z.array(z.union([z.string(), z.number().transform(String)])).default([]),
  defaultCampaign: z.string().nullable().default(null),
  onStoreError: z.strictObject({
    prospecting: z.enum(['block', 'allow']).default('block'),
    service: z.enum(['block', 'allow']).default('allow'),
  }).prefault({}),
  store: z.strictObject({
    busyTimeoutMs: z.number().int().min(0).max(60_000).default(40),
    /** PostgreSQL: how long a decision waits for the database before the onStoreError policy answers it. */
    waitMs: z.number().int().min(10).max(60_000).default(1_000),
    /**
     * Where decisions and outcomes the database could not take wait to be replayed. Null: next to a
     * SQLite file, `cidgate.journal` in the working directory for PostgreSQL. One per node.
     */
    journal: z.string().min(1).nullable().default(null),
  }).prefault({}),
  /**
   * Days of decisions to keep; the service purges older ones hourly (never inside the limits'
   * windows). 400 by default: a year of audit (a year-on-year report) plus the 30- and 60-day
   * windows, then the numbers go. null keeps everything.
   */
  retentionDays: z.number().int().min(1).nullable().default(400),
  campaigns: z.record(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - (at most 64)'), campaign)
    .refine((c) => Object.keys(c).length > 0, 'at least one campaign'),
  asterisk: z.strictObject({
    fastagi: z.strictObject({ ...listener, port: port.default(4573) }).prefault({}),
    ami: z.strictObject({
      host: z.string().default('127.0.0.1'),
      port: port.default(5038),
      user: z.string().default('cidgate'),
      secretFile: z.string().nullable().default(null),
    }).prefault({}),
    /** The campaign of an AGI check that names none, by its `trunk=` argument (FreePBX's DIAL_TRUNK). */
    trunkCampaigns: z.record(z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/, 'a trunk id or name: letters, digits and _ . : @ - (at most 64)'), z.string()).default({}),
  }).prefault({}),
  freeswitch: z.strictObject({
    outbound: z.strictObject({
      ...listener,
      port: port.default(8084),
      hangupCause: z.string().regex(/^[A-Z_]{3,40}$/, 'a FreeSWITCH cause name such as CALL_REJECTED').default('CALL_REJECTED'),
      /** A sound played to the agent (early media) before a blocked call is hung up. */
      blockMessage: z.string().regex(/^[A-Za-z0-9_.:/-]{1,200}$/, 'a sound file path or name (letters, digits, _ . : / -)').nullable().default(null),
    }).prefault({}),
    inbound: z.strictObject({
      host: z.string().default('127.0.0.1'),
      port: port.default(8021),
      passwordFile: z.string().nullable().default(null),
    }).prefault({}),
  }).prefault({}),
  sip: z.strictObject({
    drachtio: z.strictObject({
      host: z.string().default('127.0.0.1'),
      port: port.default(9022),
      secretFile: z.string().nullable().default(null),
    }).prefault({}),
    /** The carrier leg's Request-URI; {number} is the dialed number. */
    carrierUri: z.string().regex(/^sips?:\{number\}@[A-Za-z0-9.:[\]-]+(;[A-Za-z0-9=._-]+)*$/, 'sip:{number}@host[:port][;params]').default('sip:{number}@carrier.invalid'),
    blockStatus: z.union([z.literal(403), z.literal(480), z.literal(486), z.literal(603)]).default(403),
    keepDisplayName: z.boolean().default(true),
    /**
     * The PBXs INVITEs are accepted from (address or CIDR), each with the campaign of INVITEs
     * without X-Cidgate-Campaign and whether its X-Cidgate-Consent is believed; anything else is
     * refused. The old `address: campaign` mapping still works (consent not believed).
     */
    sources: z.union([
      z.array(z.strictObject({
        address: z.string(),
        campaign: z.string().nullable().default(null),
        assertsConsent: z.boolean().default(false),
      })),
      z.record(z.string(), z.string()),
    ]).default([]),
  }).prefault({}),
  kamailio: z.strictObject({
    /** cidgate connects to Kamailio's evapi socket(s) and answers the suspended INVITEs (dialplan/kamailio/cidgate.cfg). */
    evapi: z.strictObject({
      enabled: z.boolean().default(false),
      endpoints: z.array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port')).default(['127.0.0.1:8448']),
      reconnectMaxMs: z.number().int().min(100).max(300_000).default(10_000),
      maxMessageBytes: z.number().int().min(1024).max(1_048_576).default(16_384),
      /** Tests and audit replays only: take a request's `at` as its decision time. */
      allowDecisionTime: z.boolean().default(false),
    }).prefault({}),
  }).prefault({}),
  http: z.strictObject({
    enabled: z.boolean().default(true),
    host: z.string().default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65535).default(8080),
    /** Non-loopback peers allowed (addresses or CIDR); each must also present the bearer token. */
    allow: z.array(z.string()).default([]),
    /** File holding the bearer token; CIDGATE_HTTP_TOKEN wins. */
    tokenFile: z.string().nullable().default(null),
    bodyLimitBytes: z.number().int().min(256).max(1_048_576).default(16_384),
    /** Requests per second per peer address (a burst of the same size is allowed). */
    rateLimitPerSecond: z.number().int().min(1).default(5_000),
    /** Whether `at` may set the decision instant (tests, audit replays): off in production. */
    allowDecisionTime: z.boolean().default(false),
  }).prefault({}),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }).prefault({}),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawCampaign = z.infer<typeof campaign>;
