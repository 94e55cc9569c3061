import type { ServiceScript } from '../types';
import { fail } from '../types';

// rc.d/netif (stub until implemented)
export const netif: ServiceScript = {
  rcvar: null,
  commands: { start: async () => fail('netif: not implemented in the lab yet\n') },
};
