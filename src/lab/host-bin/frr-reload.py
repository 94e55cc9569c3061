#!/bin/sh
# frr-reload.py as frr-pythontools installs it on FreeBSD (/usr/local/sbin/frr-reload.py), whose
# defaults the port patches to /usr/local/etc/frr. Options given by the caller come later and win.
exec /usr/bin/python3 /usr/lib/frr/frr-reload.py --bindir /usr/bin --confdir /usr/local/etc/frr --rundir /var/run/frr "$@"
