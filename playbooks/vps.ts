// A VPS whose service addresses live in their own FIB behind a gif tunnel to the router, with pf
// reply-to and an MSS clamp on the tunnel. Everything comes from the inventory (see _edge.ts).
import { routingHostPlaybook } from './_edge';

export const playbook = routingHostPlaybook('vps');
