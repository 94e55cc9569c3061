// The RPKI-to-Router protocol (RFC 8210, version 1; RFC 6810 is version 0) as far as a one-shot
// client needs it: send a Reset Query, read Cache Response, the IPv4/IPv6 Prefix PDUs and End
// of Data. The exchange runs ON the host being provisioned (see rtrFetchCommand): the cache is
// reachable from the router, which is what matters, and not necessarily from the controller.
import { sh, type ShellCommand } from '../shell/quote';
import { formatIPv4, formatIPv6 } from '../inventory/ip';
import { vrp, type Vrp } from './vrp';

/** PDU types (RFC 8210 §5, IANA "rpki-rtr-pdu" registry). */
export const PDU = {
  serialNotify: 0,
  serialQuery: 1,
  resetQuery: 2,
  cacheResponse: 3,
  ipv4Prefix: 4,
  ipv6Prefix: 6,
  endOfData: 7,
  cacheReset: 8,
  routerKey: 9,
  errorReport: 10,
  aspa: 11,
} as const;

export const RTR_VERSION = 1;

/** Error Report codes (RFC 8210 §12) for messages. */
const ERROR_CODES: Record<number, string> = {
  0: 'Corrupt Data',
  1: 'Internal Error',
  2: 'No Data Available',
  3: 'Invalid Request',
  4: 'Unsupported Protocol Version',
  5: 'Unsupported PDU Type',
  6: 'Withdrawal of Unknown Record',
  7: 'Duplicate Announcement Received',
  8: 'Unexpected Protocol Version',
};

/** Reset Query: version, type 2, zero, length 8 (RFC 8210 §5.4). */
export function resetQuery(version = RTR_VERSION): Buffer {
  return Buffer.from([version, PDU.resetQuery, 0, 0, 0, 0, 0, 8]);
}

export interface RtrSnapshot {
  version: number;
  sessionId: number;
  serial: number;
  vrps: Vrp[];
}

export class RtrError extends Error {}

/**
 * Decode a cache's answer to a Reset Query. Throws RtrError when the stream is cut short, carries
 * an Error Report, or ends before End of Data (a cache still loading answers "No Data Available").
 */
export function parseResetResponse(buf: Buffer): RtrSnapshot {
  const vrps: Vrp[] = [];
  let off = 0;
  let sessionId: number | undefined;
  let version: number | undefined;
  while (off < buf.length) {
    if (buf.length - off < 8) throw new RtrError(`truncated PDU header at byte ${off}`);
    const v = buf[off];
    const type = buf[off + 1];
    const len = buf.readUInt32BE(off + 4);
    if (len < 8 || off + len > buf.length) throw new RtrError(`PDU type ${type} at byte ${off} claims ${len} bytes, ${buf.length - off} left (truncated answer)`);
    const pdu = buf.subarray(off, off + len);
    off += len;
    if (type === PDU.errorReport) throw new RtrError(`cache sent Error Report: ${describeErrorReport(pdu)}`);
    if (version === undefined) version = v;
    switch (type) {
      case PDU.cacheResponse:
        sessionId = pdu.readUInt16BE(2);
        break;
      case PDU.ipv4Prefix:
      case PDU.ipv6Prefix: {
        const v6 = type === PDU.ipv6Prefix;
        if (len !== (v6 ? 32 : 20)) throw new RtrError(`${v6 ? 'IPv6' : 'IPv4'} Prefix PDU of ${len} bytes`);
        const flags = pdu[8];
        const plen = pdu[9];
        const maxLen = pdu[10];
        const addr = v6 ? formatIPv6(pdu.readBigUInt64BE(12) * (1n << 64n) + pdu.readBigUInt64BE(20)) : formatIPv4(BigInt(pdu.readUInt32BE(12)));
        const asn = pdu.readUInt32BE(v6 ? 28 : 16);
        // in a reset response every record is an announcement (flag bit 0 set); ignore stray withdrawals
        if (flags & 1) vrps.push(vrp(`${addr}/${plen}`, maxLen, asn));
        break;
      }
      case PDU.endOfData:
        if (sessionId === undefined) throw new RtrError('End of Data without a Cache Response');
        return { version: version ?? v, sessionId, serial: pdu.readUInt32BE(8), vrps };
      case PDU.cacheReset:
        throw new RtrError('cache answered Cache Reset to a Reset Query');
      case PDU.serialNotify:
      case PDU.routerKey:
      case PDU.aspa:
        break; // not about route origins
      default:
        throw new RtrError(`unexpected PDU type ${type}`);
    }
  }
  throw new RtrError(sessionId === undefined ? 'no answer from the cache' : 'the answer ended before End of Data');
}

function describeErrorReport(pdu: Buffer): string {
  const code = pdu.readUInt16BE(2);
  let text = '';
  if (pdu.length >= 16) {
    const encLen = pdu.readUInt32BE(8);
    const at = 12 + encLen;
    if (pdu.length >= at + 4) {
      const textLen = pdu.readUInt32BE(at);
      text = pdu.subarray(at + 4, at + 4 + textLen).toString('utf8');
    }
  }
  return `${ERROR_CODES[code] ?? `code ${code}`}${text ? `: ${text}` : ''}`;
}

/** od -An -tx1 output ("01 03 d4 7c …", any whitespace) back to bytes. */
export function bytesFromOd(text: string): Buffer {
  const hex = text.split(/\s+/).filter(Boolean);
  for (const h of hex) if (!/^[0-9a-f]{2}$/i.test(h)) throw new RtrError(`unexpected od output: ${JSON.stringify(h)}`);
  return Buffer.from(hex.join(''), 'hex');
}

/**
 * A POSIX sh pipeline for the host: the Reset Query written with printf's octal escapes, nc(1)
 * to the cache, od(1) to carry the binary answer as text. An RTR cache keeps the session open
 * after End of Data, so nc ends on `-w`: once the cache has been silent that long (also the
 * connect timeout). Not -N: stayrtr closes as soon as it reads EOF and drops the rest of its
 * answer (observed, fixtures/rpki/README.md). printf, nc -w and od -An -v -tx1 are in FreeBSD's
 * base system.
 */
export function rtrFetchCommand(address: string, port: number, idleSeconds = 2): ShellCommand {
  const query = [...resetQuery()].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('');
  return sh`printf ${query} | nc -w ${idleSeconds} ${address} ${port} | od -An -v -tx1`;
}
