// Parsers for FreeBSD base-system output the tasks read as facts. Formats come from FreeBSD's
// sources (research §1–§6: printf formats, not observed on a real host), so the parsers match
// line prefixes and split on whitespace instead of relying on column positions.

export interface IfconfigInterface {
  name: string;
  flags: string[];
  mtu: number;
  tunnel?: { src: string; dst: string };
  inet6: Array<{ addr: string; prefixlen: number; dest?: string }>;
  inet: Array<{ addr: string; dest?: string; netmask?: string }>;
  fib: number;
  tunnelfib: number;
  description?: string;
  groups: string[];
}

/** `ifconfig` / `ifconfig -a` / `ifconfig IF` listing. */
export function parseIfconfig(text: string): Record<string, IfconfigInterface> {
  const out: Record<string, IfconfigInterface> = {};
  let cur: IfconfigInterface | undefined;
  for (const line of text.split('\n')) {
    const head = /^([A-Za-z0-9_.-]+): flags=[0-9a-f]+<([^>]*)>.*\smtu (\d+)/.exec(line);
    if (head) {
      cur = { name: head[1], flags: head[2] ? head[2].split(',') : [], mtu: Number(head[3]), inet6: [], inet: [], fib: 0, tunnelfib: 0, groups: [] };
      out[cur.name] = cur;
      continue;
    }
    if (!cur || !/^\s/.test(line)) continue;
    const l = line.trim();
    let m: RegExpExecArray | null;
    if ((m = /^tunnel inet6? (\S+) --> (\S+)/.exec(l))) cur.tunnel = { src: m[1], dst: m[2] };
    else if ((m = /^inet6 (\S+?)(?:%\S+)?(?: --> (\S+?)(?:%\S+)?)? prefixlen (\d+)/.exec(l))) {
      cur.inet6.push({ addr: m[1], prefixlen: Number(m[3]), ...(m[2] ? { dest: m[2] } : {}) });
    } else if ((m = /^inet (\S+)(?: --> (\S+))?(?: netmask (\S+))?/.exec(l))) {
      cur.inet.push({ addr: m[1], ...(m[2] ? { dest: m[2] } : {}), ...(m[3] ? { netmask: m[3] } : {}) });
    } else if ((m = /^fib: (\d+)/.exec(l))) cur.fib = Number(m[1]);
    else if ((m = /^tunnelfib: (\d+)/.exec(l))) cur.tunnelfib = Number(m[1]);
    else if ((m = /^description: (.*)$/.exec(l))) cur.description = m[1];
    else if ((m = /^groups: (.*)$/.exec(l))) cur.groups = m[1].trim().split(/\s+/);
  }
  return out;
}

export interface RouteEntry {
  destination: string;
  gateway: string;
  flags: string;
  netif: string;
}

/** `netstat -rn [-F fib] -f inet6`: the rows of every "Internet6:"/"Internet:" table. */
export function parseNetstatRoutes(text: string): RouteEntry[] {
  const rows: RouteEntry[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (/^Internet6?:$/.test(line.trim())) {
      inTable = true;
      continue;
    }
    if (!inTable || line.trim() === '' || line.startsWith('Destination')) continue;
    const [destination, gateway, flags, netif] = line.trim().split(/\s+/);
    if (netif !== undefined) rows.push({ destination, gateway, flags, netif });
  }
  return rows;
}

/** `sysrc -e name…` prints `name="value"` per set variable (unset ones go to stderr). */
export function parseSysrcE(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)="(.*)"$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** `sysctl name…` prints `name: value` per known OID; unknown ones go to stderr. */
export function parseSysctl(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0 && /^[a-z0-9_%-]+(\.[a-z0-9_%-]+)+$/i.test(line.slice(0, i))) out[line.slice(0, i)] = line.slice(i + 2);
  }
  return out;
}
