#!/usr/bin/env bash
# Installs what the harness needs on a Debian/Ubuntu machine: QEMU, nasm (the test suite assembles
# tiny guests), dosfstools and mtools (scratch disks), and the Python package with its test tools in
# .venv/. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v qemu-system-i386 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v nasm >/dev/null || need+=(nasm)
# The scratch disk a scenario may get: made with mkfs.fat, read and written with mtools
command -v mkfs.fat >/dev/null || [ -x /usr/sbin/mkfs.fat ] || [ -x /sbin/mkfs.fat ] || need+=(dosfstools)
command -v mcopy >/dev/null || need+=(mtools)
command -v git >/dev/null || need+=(git)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "setup: ready ($(qemu-system-i386 --version | head -n 1); harness in .venv/bin/harness)"
