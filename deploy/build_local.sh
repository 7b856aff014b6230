#!/bin/sh
# Build the gadesign image without Docker Hub: a Debian rootfs from the Debian mirror
# (debootstrap), imported into podman as the base, then the project's Dockerfile on it.
# Needs root, podman, debootstrap (apt-get install podman debootstrap runc) and, for the
# last step, HTTPS access to the Python package index from inside the build.
#
# What ran on the development machine (Debian 12, podman 4.3.1, 2026-12-03): steps 1-3
# and `python3` in a container from the base; step 4 stopped at `pip install`, whose
# HTTPS requests from inside the container failed certificate verification (that
# machine reaches the index only through a proxy whose CA the image does not trust).
# On that host podman needed runc with cgroupfs (crun refuses its hybrid cgroups) and
# ulimits below the host's own (the defaults raise them): see PODMAN below.
set -eu
MIRROR=${MIRROR:-http://deb.debian.org/debian}
WORK=${WORK:-$(mktemp -d)}
PODMAN=${PODMAN:-"podman --runtime runc --cgroup-manager=cgroupfs"}
LIMITS="--ulimit nofile=4096:4096 --ulimit nproc=4096:4096"
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# 1. a minimal Debian 12 with Python 3.11 and venv
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$WORK/rootfs" "$MIRROR"
# 2. imported as an image
tar -C "$WORK/rootfs" -c . | $PODMAN import - localhost/debian-bookworm-minbase:latest
# 3. a python:3.11-slim stand-in: a virtual environment first on PATH
$PODMAN build --network=host $LIMITS -f "$ROOT/deploy/base.Containerfile" -t localhost/gadesign-python:3.11 "$ROOT/deploy"
$PODMAN run --rm --network=host $LIMITS localhost/gadesign-python:3.11 python -c "import sys; print(sys.version)"
# 4. the project's image on it (what deploy/docker-compose.yml runs)
$PODMAN build --network=host $LIMITS --build-arg BASE=localhost/gadesign-python:3.11 -t gadesign:latest "$ROOT"
