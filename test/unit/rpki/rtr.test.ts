import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesFromOd, parseResetResponse, resetQuery, rtrFetchCommand, RtrError } from '../../../src/rpki/rtr';

const FIX = join(__dirname, '../../../fixtures/rpki');

/** An RTR PDU header + body, built independently of the parser under test. */
function pdu(type: number, session: number, body: number[], version = 1): Buffer {
  const b = Buffer.alloc(8 + body.length);
  b.writeUInt8(version, 0);
  b.writeUInt8(type, 1);
  b.writeUInt16BE(session, 2);
  b.writeUInt32BE(8 + body.length, 4);
  Buffer.from(body).copy(b, 8);
  return b;
}
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const endOfData = (session: number, serial: number) => pdu(7, session, [...u32(serial), ...u32(3600), ...u32(600), ...u32(7200)]);

describe('RTR Reset Query exchange (RFC 8210)', () => {
  test('the query is version 1, type 2, length 8', () => {
    expect([...resetQuery()]).toEqual([1, 2, 0, 0, 0, 0, 0, 8]);
  });

  test("decodes stayrtr's recorded answer", () => {
    const snap = parseResetResponse(bytesFromOd(readFileSync(join(FIX, 'stayrtr-reset-response.od.txt'), 'utf8')));
    expect(snap.version).toBe(1);
    expect(snap.vrps).toEqual([
      { prefix: '2a06:9801:1c::/48', maxLength: 48, asn: 201379 },
      { prefix: '192.0.2.0/24', maxLength: 24, asn: 64500 },
    ]);
  });

  test('an answer cut short (stayrtr under nc -N) is an error, not an empty VRP set', () => {
    const cut = bytesFromOd(readFileSync(join(FIX, 'stayrtr-reset-response-cut-by-N.od.txt'), 'utf8'));
    expect(() => parseResetResponse(cut)).toThrow(/ended before End of Data/);
    expect(() => parseResetResponse(Buffer.alloc(0))).toThrow(/no answer/);
  });

  test('IPv6 and IPv4 prefix PDUs, withdrawals ignored, router keys skipped', () => {
    const v6 = [1, 56, 64, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...u32(4200000000)];
    const v4 = [1, 22, 24, 0, 198, 51, 100, 0, ...u32(64496)];
    const withdrawn = [0, 24, 24, 0, 203, 0, 113, 0, ...u32(1)];
    const buf = Buffer.concat([pdu(3, 77, []), pdu(6, 0, v6), pdu(9, 0, new Array(20).fill(0)), pdu(4, 0, v4), pdu(4, 0, withdrawn), endOfData(77, 5)]);
    const snap = parseResetResponse(buf);
    expect(snap).toEqual({
      version: 1,
      sessionId: 77,
      serial: 5,
      vrps: [
        { prefix: '2001:db8::/56', maxLength: 64, asn: 4200000000 },
        { prefix: '198.51.100.0/22', maxLength: 24, asn: 64496 },
      ],
    });
  });

  test('an Error Report is surfaced with its code and text', () => {
    const text = Buffer.from('No data yet');
    const report = pdu(10, 2, [...u32(0), ...u32(text.length), ...text]);
    expect(() => parseResetResponse(report)).toThrow(RtrError);
    expect(() => parseResetResponse(report)).toThrow(/No Data Available: No data yet/);
  });

  test('od text with junk is refused', () => {
    expect(() => bytesFromOd('01 03 zz')).toThrow(/unexpected od output/);
  });
});

// The host-side pipeline against a real RTR cache, here on loopback (Debian stayrtr).
const stayrtr = '/usr/bin/stayrtr';
(existsSync(stayrtr) && existsSync('/usr/bin/nc') ? describe : describe.skip)('rtrFetchCommand against a real stayrtr', () => {
  let dir: string;
  let cache: ChildProcess;
  const port = 20000 + (process.pid % 20000);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-rtr-'));
    writeFileSync(join(dir, 'vrps.json'), readFileSync(join(FIX, 'stayrtr-vrps.json')));
    cache = spawn(stayrtr, ['-bind', `127.0.0.1:${port}`, '-metrics.addr', '127.0.0.1:0', '-cache', join(dir, 'vrps.json'), '-checktime=false'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync('/usr/bin/nc', ['-z', '127.0.0.1', String(port)]);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  afterAll(() => {
    cache.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('fetches every VRP through printf | nc | od', () => {
    const out = execFileSync('/bin/sh', ['-c', rtrFetchCommand('127.0.0.1', port, 1).text], { encoding: 'utf8' });
    expect(parseResetResponse(bytesFromOd(out)).vrps).toEqual([
      { prefix: '2a06:9801:1c::/48', maxLength: 48, asn: 201379 },
      { prefix: '192.0.2.0/24', maxLength: 24, asn: 64500 },
    ]);
  });
});
