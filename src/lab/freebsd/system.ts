import type { FreeBSDCommand } from './types';
import { fail } from './types';

export const uname: FreeBSDCommand = async (inv) => fail(`${inv.argv[0]}: not implemented in the lab yet\n`, 1);
export const freebsdVersion: FreeBSDCommand = async (inv) => fail(`${inv.argv[0]}: not implemented in the lab yet\n`, 1);
