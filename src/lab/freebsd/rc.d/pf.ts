import type { ServiceScript } from '../types';
import { fail } from '../types';

// rc.d/pf (stub until implemented)
export const pf: ServiceScript = {
  rcvar: null,
  commands: { start: async () => fail('pf: not implemented in the lab yet\n') },
};
