import type { ServiceScript } from '../types';
import { fail } from '../types';

// rc.d/sysctl (stub until implemented)
export const sysctl: ServiceScript = {
  rcvar: null,
  commands: { start: async () => fail('sysctl: not implemented in the lab yet\n') },
};
