import { renderPf } from '../../../src/render/pf';

describe('renderPf', () => {
  const text = renderPf({
    hostname: 'vps9',
    skip: ['lo0'],
    mss: [{ iface: 'gif0', maxMss: 1380 }],
    replyTo: [{ iface: 'gif0', gateway: '2001:db8:f::1', to: '2001:db8:10::10' }],
  }).text;
  const lines = text.trimEnd().split('\n');

  test('statements come in the order pfctl requires: options, normalization, filtering', () => {
    const idx = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(idx(/^set skip on \{ lo0 \}$/)).toBeLessThan(idx(/^scrub /));
    expect(idx(/^scrub /)).toBeLessThan(idx(/^pass all$/));
  });

  test('MSS clamping uses the normalization form FreeBSD 13 and 14 both accept', () => {
    expect(lines).toContain('scrub on gif0 all max-mss 1380');
    expect(text).not.toMatch(/match .*scrub/);
  });

  test('reply-to sits right after the interface, as FreeBSD pf.conf(5) grammar wants', () => {
    expect(lines).toContain('pass in quick on gif0 reply-to (gif0 2001:db8:f::1) inet6 from any to 2001:db8:10::10 keep state');
  });

  test('an empty model still yields a loadable ruleset that passes traffic', () => {
    expect(renderPf({ hostname: 'h', skip: [], mss: [], replyTo: [] }).text).toMatch(/\npass all\n$/);
  });
});
