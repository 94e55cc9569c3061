import type { ServiceScript } from '../types';
import { fail } from '../types';

// rc.d/frr (stub until implemented)
export const frr: ServiceScript = {
  rcvar: null,
  commands: { start: async () => fail('frr: not implemented in the lab yet\n') },
};
