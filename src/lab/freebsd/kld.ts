import type { FreeBSDCommand } from './types';
import { fail } from './types';

export const kldload: FreeBSDCommand = async (inv) => fail(`${inv.argv[0]}: not implemented in the lab yet\n`, 1);
export const kldstat: FreeBSDCommand = async (inv) => fail(`${inv.argv[0]}: not implemented in the lab yet\n`, 1);
export const kldunload: FreeBSDCommand = async (inv) => fail(`${inv.argv[0]}: not implemented in the lab yet\n`, 1);
