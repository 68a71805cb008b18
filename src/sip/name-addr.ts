/**
 * SIP identity headers (From, P-Asserted-Identity, Remote-Party-ID, To) and URIs, pure:
 * `"Agent" <sip:0612345678@10.0.0.1;user=phone>;tag=x`, `<tel:+33612345678>`, `sip:0612@h`.
 */
export interface NameAddr {
  readonly display: string | null;
  readonly scheme: 'sip' | 'sips' | 'tel';
  /** The user part: the telephone number, percent-decoded, without URI parameters. */
  readonly user: string;
  readonly host: string | null;
  /** Header parameters after the URI (`;party=calling;screen=yes`), kept for rebuilding. */
  readonly params: string;
}

const MAX_HEADER = 1024;

export function parseNameAddr(value: string | null | undefined): NameAddr | null {
  if (!value || value.length > MAX_HEADER) return null;
  const first = firstValue(value.trim());
  let display: string | null = null;
  let uri: string;
  let params = '';
  const lt = indexOutsideQuotes(first, '<');
  if (lt !== -1) {
    const gt = first.indexOf('>', lt);
    if (gt === -1) return null;
    const before = first.slice(0, lt).trim();
    display = before.startsWith('"') ? before.slice(1, before.lastIndexOf('"')).replace(/\\(.)/g, '$1') : before || null;
    uri = first.slice(lt + 1, gt);
    params = first.slice(gt + 1).trim();
  } else {
    const semi = first.indexOf(';');
    uri = semi === -1 ? first : first.slice(0, semi);
    params = semi === -1 ? '' : first.slice(semi);
  }
  return parseUri(uri, display, params);
}

/** A Request-URI or bare URI → its user part and host. */
export function parseUri(uri: string, display: string | null = null, params = ''): NameAddr | null {
  const m = /^(sips?|tel):(.*)$/i.exec(uri.trim());
  if (!m) return null;
  const scheme = m[1]!.toLowerCase() as NameAddr['scheme'];
  let rest = m[2]!;
  let host: string | null = null;
  if (scheme !== 'tel') {
    const at = rest.lastIndexOf('@');
    if (at === -1) return null;
    host = rest.slice(at + 1).split(/[;?]/)[0] || null;
    rest = rest.slice(0, at).split(':')[0]!; // drop a password
  }
  const user = safeDecode(rest.split(';')[0]!);
  return user ? { display, scheme, user, host, params } : null;
}

/** Where `ch` first appears outside a quoted string, or -1. */
function indexOutsideQuotes(v: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '"' && v[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && v[i] === ch) return i;
  }
  return -1;
}

/** The first of comma-separated header values, commas inside quotes or <> not counted. */
function firstValue(v: string): string {
  let quoted = false;
  let angle = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '"' && v[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') angle = true;
    else if (!quoted && c === '>') angle = false;
    else if (!quoted && !angle && c === ',') return v.slice(0, i).trim();
  }
  return v;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A display name fit for a header we write: no quote, backslash or control character can break
 * out of the quoted string, and at most 64 characters.
 */
export function safeDisplay(display: string | null): string | null {
  if (!display) return null;
  const clean = display.replace(/[\x00-\x1f\x7f"\\]/g, ' ').trim().slice(0, 64);
  return clean || null;
}

/** `"Display" <sip:number@host>` (or `<tel:number>`), with the original header parameters. */
export function formatNameAddr(a: { display: string | null; scheme: NameAddr['scheme']; host: string | null }, number: string, params = ''): string {
  const uri = a.scheme === 'tel' || !a.host ? `tel:${number}` : `${a.scheme}:${number}@${a.host}`;
  const display = safeDisplay(a.display);
  return `${display ? `"${display}" ` : ''}<${uri}>${safeParams(params)}`;
}

/** Header parameters copied from the PBX, reduced to harmless characters. */
function safeParams(params: string): string {
  const clean = params.replace(/[^A-Za-z0-9;=._+-]/g, '');
  return clean.startsWith(';') ? clean : '';
}
