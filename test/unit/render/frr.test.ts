import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFrr, IPV6_BOGONS, type FrrModel } from '../../../src/render/frr';
import { Secret } from '../../../src/shell/quote';

const model: FrrModel = {
  hostname: 'edge1',
  forwarding: { ipv4: true, ipv6: true },
  asn: 65501,
  routerId: '192.0.2.7',
  announce: ['2001:db8:aa00::/40'],
  neighbors: [
    { address: '2001:db8:1::1', remoteAs: 64510, description: 'transit A via gre0', updateSource: '2001:db8:1::2', maxPrefix: 1000 },
    { address: '2001:db8:2::1', remoteAs: 64520, password: new Secret('s3cr3t-pass') },
  ],
  bogons: [...IPV6_BOGONS],
  maxAcceptedLength: 48,
};

/** Lines of the `address-family ipv6 unicast` block. */
function afBlock(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(' address-family ipv6 unicast');
  const end = lines.indexOf(' exit-address-family');
  return lines.slice(start + 1, end).map((l) => l.trim());
}

describe('renderFrr', () => {
  const r = renderFrr(model);

  test('originates exactly the announced prefixes and lets out only those', () => {
    expect(afBlock(r.text).filter((l) => l.startsWith('network '))).toEqual(['network 2001:db8:aa00::/40']);
    expect(r.text).toContain('ipv6 prefix-list PV-OWN-PREFIXES seq 5 permit 2001:db8:aa00::/40\n');
    expect(r.text).toMatch(/route-map PV-UPSTREAM-OUT permit 10\n match ipv6 address prefix-list PV-OWN-PREFIXES\n/);
  });

  test('every neighbour has inbound and outbound policy (eBGP sessions without policy exchange nothing)', () => {
    for (const n of model.neighbors) {
      const af = afBlock(r.text);
      expect(af).toContain(`neighbor ${n.address} activate`);
      expect(af).toContain(`neighbor ${n.address} route-map PV-UPSTREAM-IN in`);
      expect(af).toContain(`neighbor ${n.address} route-map PV-UPSTREAM-OUT out`);
    }
    expect(r.text).toContain(' neighbor 2001:db8:1::1 remote-as 64510\n');
    expect(r.text).toContain(' neighbor 2001:db8:1::1 update-source 2001:db8:1::2\n');
    expect(afBlock(r.text)).toContain('neighbor 2001:db8:1::1 maximum-prefix 1000');
    expect(r.text).toContain(' no bgp default ipv4-unicast\n');
  });

  test('inbound policy refuses bogons, too-specifics and our own space', () => {
    expect(r.text).toContain('ipv6 prefix-list PV-BOGONS seq 25 permit 2001:db8::/32 le 128\n');
    expect(r.text).toContain('ipv6 prefix-list PV-TOO-SPECIFIC seq 5 permit ::/0 ge 49\n');
    expect(r.text).toContain('ipv6 prefix-list PV-OWN-PREFIXES-AND-LONGER seq 5 permit 2001:db8:aa00::/40 le 128\n');
    expect(r.text).toMatch(/route-map PV-UPSTREAM-IN deny 10\n match ipv6 address prefix-list PV-BOGONS\n/);
  });

  test('the session password is in the file text but masked in what people read', () => {
    expect(r.text).toContain(' neighbor 2001:db8:2::1 password s3cr3t-pass\n');
    expect(r.masked).not.toContain('s3cr3t');
    expect(r.masked).toContain(' neighbor 2001:db8:2::1 password ********\n');
  });

  test('a password FRR would split into two words is refused', () => {
    const bad = { ...model, neighbors: [{ address: '2001:db8:2::1', remoteAs: 64520, password: new Secret('two words') }] };
    expect(() => renderFrr(bad)).toThrow(/without spaces/);
  });

  test('forwarding is written as FRR prints it: only when off, as `no ... forwarding`', () => {
    expect(r.text).not.toMatch(/^(no )?ipv?6? ?forwarding/m);
    const off = renderFrr({ ...model, forwarding: { ipv4: false, ipv6: true } }).text;
    expect(off).toMatch(/^no ip forwarding$/m);
    expect(off).not.toMatch(/ipv6 forwarding/);
  });

  test('is deterministic and ends with exactly one newline', () => {
    expect(renderFrr(model).text).toBe(r.text);
    expect(r.text.endsWith('\n') && !r.text.endsWith('\n\n')).toBe(true);
  });

  test("real FRR's parser accepts it (vtysh -C dry run, no daemon needed)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-frr-'));
    try {
      const file = join(dir, 'frr.conf');
      writeFileSync(file, r.text);
      writeFileSync(join(dir, 'vtysh.conf'), 'service integrated-vtysh-config\n');
      const out = execFileSync('/usr/bin/vtysh', ['--config_dir', dir, '-C', '-f', file], { encoding: 'utf8' });
      expect(out).not.toMatch(/Unknown command|incomplete/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('RPKI origin validation', () => {
    const withRpki = renderFrr({ ...model, rpki: { cache: { address: '192.0.2.50', port: 3323 }, dropInvalid: true, preferValid: true } });

    test('names the RTR cache in an rpki block', () => {
      expect(withRpki.text).toContain('rpki\n rpki cache 192.0.2.50 3323 preference 1\nexit\n');
    });

    test('inbound policy refuses invalid origins and prefers valid ones, before the catch-all permit', () => {
      const t = withRpki.text;
      expect(t).toMatch(/route-map PV-UPSTREAM-IN deny 40\n match rpki invalid\n/);
      expect(t).toMatch(/route-map PV-UPSTREAM-IN permit 90\n match rpki valid\n set local-preference 200\n/);
      expect(t.indexOf('match rpki invalid')).toBeLessThan(t.indexOf('route-map PV-UPSTREAM-IN permit 100'));
    });

    test('without rpki (or with both knobs off) nothing about RPKI is written', () => {
      expect(r.text).not.toMatch(/rpki/);
      const off = renderFrr({ ...model, rpki: { cache: { address: '192.0.2.50', port: 3323 }, dropInvalid: false, preferValid: false } });
      expect(off.text).toContain('rpki cache 192.0.2.50 3323');
      expect(off.text).not.toMatch(/match rpki/);
    });

    test("real FRR's parser accepts the rpki lines (vtysh -C)", () => {
      const dir = mkdtempSync(join(tmpdir(), 'pv-frr-'));
      try {
        const file = join(dir, 'frr.conf');
        writeFileSync(file, withRpki.text);
        writeFileSync(join(dir, 'vtysh.conf'), 'service integrated-vtysh-config\n');
        const out = execFileSync('/usr/bin/vtysh', ['--config_dir', dir, '-C', '-f', file], { encoding: 'utf8' });
        expect(out).not.toMatch(/Unknown command|incomplete/i);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
