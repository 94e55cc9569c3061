import { isConnectRefusal, TransportError } from '../../../src/transport/errors';

describe('TransportError', () => {
  it('carries kind and host, and is an Error named TransportError', () => {
    const e = new TransportError('auth', 'r1', 'refused');
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ kind: 'auth', host: 'r1', message: 'refused', name: 'TransportError' });
  });

  it('marks unreachable and host-key failures as connect refusals (CLI exit code 4), nothing else', () => {
    const refusal = (kind: TransportError['kind']) => isConnectRefusal(new TransportError(kind, 'r1', 'x'));
    expect(['unreachable', 'host-key-unknown', 'host-key-changed', 'host-key-revoked'].every((k) => refusal(k as TransportError['kind']))).toBe(true);
    expect(['auth', 'timeout', 'channel'].some((k) => refusal(k as TransportError['kind']))).toBe(false);
    expect(isConnectRefusal(new Error('unreachable'))).toBe(false);
  });
});
