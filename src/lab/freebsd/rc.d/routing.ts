import type { ServiceScript } from '../types';
import { fail } from '../types';

// rc.d/routing (stub until implemented)
export const routing: ServiceScript = {
  rcvar: null,
  commands: { start: async () => fail('routing: not implemented in the lab yet\n') },
};
