#!/bin/bash
# Starts a private dockerd under BASE (own socket, data and exec roots, no bridge or iptables) and imports a busybox
# image; prints the variables docker.engine.test.ts reads. Needs root, docker.io and busybox-static.
# Usage: test/engines/docker-up.sh BASE [TAG]     then: eval "$(test/engines/docker-up.sh /tmp/gw-docker)"
set -euo pipefail

base="${1:?usage: docker-up.sh BASE [TAG]}"
tag="${2:-groundwork-test/busybox:latest}"
sock="$base/docker.sock"
mkdir -p "$base"
command -v dockerd > /dev/null || { echo "dockerd not found: apt-get install -y docker.io" >&2; exit 2; }
busybox="$(command -v busybox || true)"
[ -n "$busybox" ] || { echo "busybox not found: apt-get install -y busybox-static" >&2; exit 2; }

ping() { curl -sf --unix-socket "$sock" http://docker/_ping 2> /dev/null | grep -q OK; }
if ! ping; then
  dockerd --host "unix://$sock" --data-root "$base/data" --exec-root "$base/exec" --pidfile "$base/docker.pid" \
    --bridge=none --iptables=false --ip-masq=false < /dev/null >> "$base/dockerd.log" 2>&1 &
  for _ in $(seq 300); do ping && break; sleep 0.1; done
  ping || { echo "dockerd did not come up on $sock:" >&2; tail -15 "$base/dockerd.log" >&2; exit 1; }
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,tmp,proc,sys,dev,etc}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"; done
repo="${tag%:*}"
version="${tag##*:}"
[ "$repo" != "$tag" ] || version=latest
tar -C "$root" -cf - . | curl -sf --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' \
  --data-binary @- "http://docker/images/create?fromSrc=-&repo=$repo&tag=$version" > /dev/null

echo "export GROUNDWORK_TEST_DOCKER_SOCKET=$sock"
echo "export GROUNDWORK_TEST_DOCKER_IMAGE=$tag"
