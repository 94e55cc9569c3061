import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFrr, IPV6_BOGONS, type FrrModel } from '../../../src/render/frr';
import { Secret } from '../../../src/shell/quote';

const model: FrrModel = {
  hostname: 'edge1',
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
});
