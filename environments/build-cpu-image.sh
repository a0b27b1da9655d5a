#!/bin/bash
# Builds the CPU experiment image (Debian bookworm + python3-torch + numpy) from Debian packages, no registry needed.
#
# Usage: environments/build-cpu-image.sh [TAG]          (default groundwork/cpu:latest, or $GROUNDWORK_CPU_IMAGE)
# The engine is the one the docker CLI talks to: set DOCKER_HOST=unix:///path/to/docker.sock for another daemon.
# MIRROR (default http://deb.debian.org/debian) and SUITE (default bookworm) pick the Debian source.
# Needs root (or fakeroot/unshare support) for mmdebstrap, about 200 MB of downloads and ~1 GB of disk.
set -euo pipefail

tag="${1:-${GROUNDWORK_CPU_IMAGE:-groundwork/cpu:latest}}"
suite="${SUITE:-bookworm}"
mirror="${MIRROR:-http://deb.debian.org/debian}"
packages="python3,python3-torch,python3-numpy,libopenblas0-pthread"

if ! command -v mmdebstrap > /dev/null; then
  echo "mmdebstrap is not installed: apt-get install -y mmdebstrap (Debian/Ubuntu), then run this again" >&2
  exit 2
fi
if ! command -v docker > /dev/null; then
  echo "the docker CLI is not installed: apt-get install -y docker.io (or docker-ce-cli), then run this again" >&2
  exit 2
fi
if ! docker version --format '{{.Server.Version}}' > /dev/null 2>&1; then
  echo "cannot reach the Docker engine at ${DOCKER_HOST:-unix:///var/run/docker.sock}:" >&2
  echo "start dockerd, or point DOCKER_HOST at a running one (e.g. DOCKER_HOST=unix:///tmp/docker.sock)" >&2
  exit 2
fi

started=$(date +%s)
echo "building $tag from $suite ($mirror) with $packages" >&2
# --variant=apt: essential packages + apt; the image needs nothing else to run `python3 train.py`.
mmdebstrap --variant=apt --include="$packages" \
  --aptopt='Acquire::Retries "3"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  "$suite" - "$mirror" |
  docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'ENV LANG=C.UTF-8' - "$tag" > /dev/null

docker run --rm --network none "$tag" /usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__)'
echo "built $tag in $(($(date +%s) - started)) s; size $(docker image inspect "$tag" --format '{{.Size}}') bytes" >&2
