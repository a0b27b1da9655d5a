#!/bin/bash
# Stops the private dockerd that docker-up.sh started under BASE (its containers and containerd go with it).
# Usage: test/engines/docker-down.sh BASE [--purge]   (--purge also deletes BASE, images included)
set -euo pipefail

base="${1:?usage: docker-down.sh BASE [--purge]}"
pidfile="$base/docker.pid"
if [ -f "$pidfile" ]; then
  pid="$(cat "$pidfile")"
  if kill "$pid" 2> /dev/null; then
    for _ in $(seq 300); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2> /dev/null; then kill -9 "$pid"; fi
  fi
fi
if [ "${2:-}" = --purge ]; then
  # overlay2 leaves mounts only while the daemon runs; unmount anything left before deleting.
  grep -o " $base/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2> /dev/null || true
  rm -rf "$base"
fi
