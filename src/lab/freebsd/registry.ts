// Every emulated FreeBSD command, by the name the lab host's PATH exposes.
import type { FreeBSDCommand } from './types';
import { kldload, kldstat, kldunload } from './kld';
import { sysctl } from './sysctl';
import { sysrc } from './sysrc';
import { service } from './service';
import { uname, freebsdVersion } from './system';
import { ifconfig } from './ifconfig';
import { route } from './route';
import { netstat } from './netstat';
import { pfctl } from './pfctl';
import { reboot, shutdown } from './power';

export const commands: Record<string, FreeBSDCommand> = {
  kldload,
  kldstat,
  kldunload,
  sysctl,
  sysrc,
  service,
  uname,
  'freebsd-version': freebsdVersion,
  ifconfig,
  route,
  netstat,
  pfctl,
  reboot,
  shutdown,
};
