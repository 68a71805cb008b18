import { amiPart } from './ami.js';
import { clockSkewPart } from './clock-skew.js';
import { configPart } from './config.js';
import { eslInboundPart } from './esl-inbound.js';
import { exampleNumbersPart } from './example-numbers.js';
import { fastagiPart } from './fastagi.js';
import { freeswitchOutboundPart } from './freeswitch-outbound.js';
import { httpPart } from './http.js';
import { journalFilePart, journalReplayPart } from './journal.js';
import { kamailioEvapiPart } from './kamailio-evapi.js';
import type { PartFactory } from './part.js';
import { retentionPart } from './retention.js';
import { sipPart } from './sip.js';
import { storePart } from './store.js';
import { warmUpPart } from './warm-up.js';

/**
 * Every part of `cidgate serve`, in start order (stopped all at once, the underlying ones last).
 * Adding a part is one line here: its factory, from its own module.
 */
export const PARTS: readonly PartFactory[] = [
  journalFilePart,
  storePart,
  warmUpPart,
  configPart,
  fastagiPart,
  freeswitchOutboundPart,
  httpPart,
  amiPart,
  eslInboundPart,
  sipPart,
  kamailioEvapiPart,
  retentionPart,
  journalReplayPart,
  clockSkewPart,
  exampleNumbersPart,
];
