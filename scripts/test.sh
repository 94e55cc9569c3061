#!/usr/bin/env bash
# The whole test suite: unit tests (recorded FreeBSD output, transport doubles), then the
# integration tests, which bring up the emulated FreeBSD lab and talk to it over real SSH.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx jest --selectProjects unit
npx jest --selectProjects integration --runInBand
