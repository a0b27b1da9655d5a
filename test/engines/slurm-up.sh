#!/bin/bash
# Starts a single-node Slurm (munged, slurmctld, slurmd) under BASE with two fake GPUs, for the engine tests.
# Needs root and Debian's slurm-wlm + munge. Prints `SLURM_CONF=<BASE>/slurm.conf` as its last line of stdout;
# stop it with slurm-down.sh BASE. Ports: SLURM_CTLD_PORT (default 16817) and the next one for slurmd.
set -euo pipefail
BASE=${1:?usage: slurm-up.sh BASE}
mkdir -p "$BASE"
BASE=$(cd "$BASE" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
CTLD_PORT=${SLURM_CTLD_PORT:-16817}
SLURMD_PORT=$((CTLD_PORT + 1))

for tool in munged slurmctld slurmd sinfo sbatch; do
  command -v "$tool" >/dev/null || { echo "slurm-up: $tool not found; apt-get install slurm-wlm slurm-client munge" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "slurm-up: must run as root" >&2; exit 1; }

# A second start on the same BASE replaces the first.
"$HERE/slurm-down.sh" "$BASE"
for port in "$CTLD_PORT" "$SLURMD_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "slurm-up: port $port is in use (another Slurm?); choose others with SLURM_CTLD_PORT" >&2
    exit 1
  fi
done
# Whatever started before a failure is stopped again.
trap '"$HERE/slurm-down.sh" "$BASE"' ERR

HOST=$(hostname -s) # NodeName must equal `hostname -s`
mkdir -p "$BASE"/{munge,state,spool,log}
chmod 755 "$BASE" "$BASE/munge" # munged needs o+x on its socket folder
rm -f "$BASE/munge/munge.key"
dd if=/dev/urandom of="$BASE/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$BASE/munge/munge.key"
munged --key-file="$BASE/munge/munge.key" --socket="$BASE/munge/munge.sock" \
  --pid-file="$BASE/munge/munged.pid" --log-file="$BASE/munge/munged.log" \
  --seed-file="$BASE/munge/munged.seed"

# The node as this machine really is (a node configured larger than the hardware is drained).
HW=$(slurmd -C 2>/dev/null | head -1 || true)
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$HW"; }
CPUS=$(field CPUs); SOCKETS=$(field SocketsPerBoard); CORES=$(field CoresPerSocket); THREADS=$(field ThreadsPerCore)
MEM=$(field RealMemory)
if [ -z "$CPUS" ] || [ -z "$MEM" ]; then
  CPUS=$(nproc); SOCKETS=1; CORES=$CPUS; THREADS=1
  MEM=$(free -m | awk '/^Mem:/ {print $2}')
fi
MEM=$((MEM * 9 / 10))
[ "$CPUS" -ge 2 ] || { echo "slurm-up: needs at least 2 CPUs, found $CPUS" >&2; exit 1; }

cat >"$BASE/slurm.conf" <<EOF
ClusterName=ci
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$BASE/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/slurmctld.pid
SlurmdPidFile=$BASE/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/filetxt
JobCompLoc=$BASE/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=300
GresTypes=gpu
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS Sockets=$SOCKETS CoresPerSocket=$CORES ThreadsPerCore=$THREADS RealMemory=$MEM Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
# Fake GPUs: File= must name character or block devices, or Slurm sets no CUDA_VISIBLE_DEVICES.
cat >"$BASE/gres.conf" <<EOF
NodeName=$HOST Name=gpu File=/dev/null
NodeName=$HOST Name=gpu File=/dev/zero
EOF

export SLURM_CONF="$BASE/slurm.conf" # gres.conf is looked up next to it
slurmctld
slurmd
for _ in $(seq 300); do sinfo -h -o %t 2>/dev/null | grep -q '^idle' && break; sleep 0.1; done
if ! sinfo -h -o %t 2>/dev/null | grep -q '^idle'; then
  echo "slurm-up: the node did not become idle" >&2
  tail -n 20 "$BASE"/log/*.log >&2 || true
  "$HERE/slurm-down.sh" "$BASE"
  exit 1
fi
echo "SLURM_CONF=$SLURM_CONF"
