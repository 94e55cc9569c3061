import type { ServiceScript } from '../types';
import { fail } from '../types';

// rc.d/kld (stub until implemented)
export const kld: ServiceScript = {
  rcvar: null,
  commands: { start: async () => fail('kld: not implemented in the lab yet\n') },
};
