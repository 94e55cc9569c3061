import type { FreeBSDCommand } from './types';
import { fail } from './types';

export const route: FreeBSDCommand = async (inv) => fail(`${inv.argv[0]}: not implemented in the lab yet\n`, 1);
