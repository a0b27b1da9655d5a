#!/bin/bash
# Stops the Slurm that slurm-up.sh started under BASE (by the daemons' pid files), SIGKILL after 10 s.
BASE=${1:?usage: slurm-down.sh BASE}
for daemon in slurmd:slurmd.pid slurmctld:slurmctld.pid munged:munge/munged.pid; do
  name=${daemon%%:*} file=${daemon#*:}
  [ -s "$BASE/$file" ] || continue
  pid=$(cat "$BASE/$file")
  # A stale pid file may name some other process by now: only stop the daemon it was written for.
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$BASE/$file"
done
exit 0
