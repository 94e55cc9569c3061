// The rc.d scripts the emulated service(8) and the emulated boot know, by service name.
import type { ServiceScript } from '../types';
import { frr } from './frr';
import { kld } from './kld';
import { netif } from './netif';
import { pf } from './pf';
import { routing } from './routing';
import { sysctl } from './sysctl';

export const rcScripts: Record<string, ServiceScript> = { frr, kld, netif, pf, routing, sysctl };
