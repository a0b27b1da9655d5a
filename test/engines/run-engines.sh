#!/usr/bin/env bash
# `npm run test:engines`: starts a private dockerd and a single-node Slurm with two fake GPUs (as
# research/infra-check.md shows), runs the executor contract against local, docker and slurm plus each
# engine's own tests, stops what it started, and prints "N passed, N failed, N skipped".
# Needs root. Installs docker.io, busybox-static, slurm-wlm and munge from Debian when they are missing.
# GROUNDWORK_TEST_REPORT=FILE keeps vitest's JSON report; GROUNDWORK_ENGINES_CPU_IMAGE=1 also builds the
# Debian CPU image with torch (mmdebstrap, a few minutes) and trains tiny-lm in a container.
set -uo pipefail
cd "$(dirname "$0")/../.."
here=test/engines

root=1
if [ "$(id -u)" != 0 ]; then
  echo "WARNING: test:engines starts dockerd and Slurm daemons and needs root: the engine tests will be skipped" >&2
  root=0
fi

missing=()
command -v curl > /dev/null || missing+=(curl)
command -v dockerd > /dev/null || missing+=(docker.io)
command -v busybox > /dev/null || missing+=(busybox-static)
command -v slurmctld > /dev/null || missing+=(slurm-wlm)
command -v sbatch > /dev/null || missing+=(slurm-client)
command -v munged > /dev/null || missing+=(munge)
if [ "${GROUNDWORK_ENGINES_CPU_IMAGE:-0}" = 1 ] && ! command -v mmdebstrap > /dev/null; then missing+=(mmdebstrap); fi
if [ "$root" = 1 ] && [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts must not start system daemons that would collide with ours.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1; fi
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > /dev/null ||
    echo "could not install ${missing[*]}: the tests that need them will be skipped" >&2
  if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi
fi

base=$(mktemp -d /tmp/groundwork-engines.XXXXXX)
chmod 755 "$base"
stop() {
  "$here/slurm-down.sh" "$base/slurm" > /dev/null 2>&1
  "$here/docker-down.sh" "$base/docker" --purge > /dev/null 2>&1
  rm -rf "$base"
}
trap stop EXIT INT TERM

# An engine that cannot start here leaves its tests skipped (and says so), never passed.
started=$(date +%s)
if [ "$root" = 0 ]; then
  :
elif docker_env=$("$here/docker-up.sh" "$base/docker"); then
  eval "$docker_env"
  echo "dockerd up at $GROUNDWORK_TEST_DOCKER_SOCKET" >&2
else
  echo "WARNING: could not start dockerd (see above): the docker tests will be skipped" >&2
fi
if [ "$root" = 0 ]; then
  :
elif slurm_line=$("$here/slurm-up.sh" "$base/slurm" | tail -n 1) && [[ "$slurm_line" == SLURM_CONF=* ]]; then
  export "${slurm_line?}" GROUNDWORK_TEST_SLURM=1
  echo "Slurm up: $slurm_line" >&2
else
  echo "WARNING: could not start Slurm (see above): the slurm tests will be skipped" >&2
fi
echo "engines started in $(($(date +%s) - started)) s" >&2

if [ "${GROUNDWORK_ENGINES_CPU_IMAGE:-0}" = 1 ] && [ -n "${GROUNDWORK_TEST_DOCKER_SOCKET:-}" ]; then
  if DOCKER_HOST="unix://$GROUNDWORK_TEST_DOCKER_SOCKET" environments/build-cpu-image.sh groundwork/cpu:latest >&2; then
    export GROUNDWORK_TEST_DOCKER_CPU_IMAGE=groundwork/cpu:latest
  else
    echo "the CPU image did not build: the tiny-lm container test will be skipped" >&2
  fi
fi

report=${GROUNDWORK_TEST_REPORT:-$base/report.json}
npx vitest run test/contract test/engines --reporter=default --reporter=json --outputFile.json="$report"
status=$?
echo
if [ -s "$report" ]; then
  npx --no-install tsx test/report-summary.ts "$report" || status=1
else
  echo "no test report was written" >&2
  status=1
fi
exit $status
