// A DC gateway: a VPS-like host with its own tunnel MTU and MSS clamp (a different path to the
// router). Same pipeline as every role; the differences are inventory data (see _edge.ts).
import { routingHostPlaybook } from './_edge';

export const playbook = routingHostPlaybook('dcgw');
