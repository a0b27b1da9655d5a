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

if [ "$(id -u)" != 0 ]; then
  echo "test:engines starts dockerd and Slurm daemons and needs root" >&2
  exit 2
fi

missing=()
command -v dockerd > /dev/null || missing+=(docker.io)
command -v busybox > /dev/null || missing+=(busybox-static)
command -v slurmctld > /dev/null || missing+=(slurm-wlm)
command -v sbatch > /dev/null || missing+=(slurm-client)
command -v munged > /dev/null || missing+=(munge)
if [ "${GROUNDWORK_ENGINES_CPU_IMAGE:-0}" = 1 ] && ! command -v mmdebstrap > /dev/null; then missing+=(mmdebstrap); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts must not start system daemons that would collide with ours.
  policy=/usr/sbin/policy-rc.d
  [ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && trap 'rm -f "$policy"' EXIT; }
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > /dev/null || {
    echo "could not install ${missing[*]}" >&2
    exit 1
  }
  [ -e "$policy" ] && grep -q 'exit 101' "$policy" && rm -f "$policy"
fi

base=$(mktemp -d /tmp/groundwork-engines.XXXXXX)
chmod 755 "$base"
stop() {
  "$here/slurm-down.sh" "$base/slurm" > /dev/null 2>&1
  "$here/docker-down.sh" "$base/docker" --purge > /dev/null 2>&1
  rm -rf "$base"
}
trap stop EXIT INT TERM

started=$(date +%s)
docker_env=$("$here/docker-up.sh" "$base/docker") || { echo "could not start dockerd" >&2; exit 1; }
eval "$docker_env"
slurm_line=$("$here/slurm-up.sh" "$base/slurm" | tail -n 1) || { echo "could not start Slurm" >&2; exit 1; }
export "${slurm_line?}" GROUNDWORK_TEST_SLURM=1
echo "engines up in $(($(date +%s) - started)) s: dockerd at $GROUNDWORK_TEST_DOCKER_SOCKET, $slurm_line" >&2

if [ "${GROUNDWORK_ENGINES_CPU_IMAGE:-0}" = 1 ]; then
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
