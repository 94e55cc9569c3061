// A router: BGP with its upstreams over gre/gif or native links, tunnels to the edge hosts, the
// operator's prefixes blackholed locally. Everything comes from the inventory (see _edge.ts).
import { routingHostPlaybook } from './_edge';

export const playbook = routingHostPlaybook('router');
