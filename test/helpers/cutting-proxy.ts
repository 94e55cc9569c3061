// A TCP proxy in front of a lab host's sshd that cuts every connection after a chosen number of
// client→server chunks (roughly: SSH packets), the way a network drop or a dying VPN would. The
// SSH client and server never know it is there; the fault lands wherever the count says, which
// a seeded PRNG chooses, so a failing iteration can be replayed.
import * as net from 'net';

export interface CuttingProxy {
  port: number;
  /** cut each new connection once this many client→server chunks have been forwarded; Infinity: never */
  cutAfter: number;
  /** client→server chunks forwarded on the last connection (to size the fault range) */
  readonly lastChunks: number;
  /** whether the last connection was cut by the proxy */
  readonly lastCut: boolean;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CuttingProxy> {
  let lastChunks = 0;
  let lastCut = false;
  const sockets = new Set<net.Socket>();
  const state = { cutAfter: Infinity };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const limit = state.cutAfter;
    let chunks = 0;
    lastChunks = 0;
    lastCut = false;
    const cut = () => {
      lastCut = true;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d) => {
      if (chunks >= limit) return cut();
      chunks++;
      lastChunks = chunks;
      upstream.write(d);
      if (chunks >= limit) cut();
    });
    upstream.on('data', (d) => client.write(d));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get cutAfter() {
      return state.cutAfter;
    },
    set cutAfter(n: number) {
      state.cutAfter = n;
    },
    get lastChunks() {
      return lastChunks;
    },
    get lastCut() {
      return lastCut;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** mulberry32: a small seeded PRNG, so fault positions are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
