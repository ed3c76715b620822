#!/usr/bin/env bash
# Sets up everything go-offsets needs on a Debian 12 machine, as root.
# Safe to run any number of times: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: clang/llvm and libbpf for the eBPF programs and the loader,
# binutils for both arches (objdump is a test oracle), gcc for cgo and external
# linking, wrk for the agent benchmark, bpftool to list attached probes.
PACKAGES=(ca-certificates git xz-utils gcc g++ make python3 clang llvm libbpf-dev libelf-dev zlib1g-dev
  gpgv debian-archive-keyring linux-libc-dev binutils binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu bpftool wrk)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node dependencies, exactly as locked. package.json's allowScripts denies the two
# install scripts npm 11 asks about, which nothing here needs: esbuild's puts its
# native binary in place of its command-line shim, or downloads it when the
# platform's optional package is missing (the build uses the JS API, which loads
# that package itself); protobufjs's warns about a version scheme of its CLI.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# eBPF objects first: `make -C bpf` also writes agent/span-layout.generated.ts from
# their BTF, which the TypeScript build compiles.
if [ -f bpf/Makefile ]; then make -s -C bpf; fi

# TypeScript to dist/ (the CLIs run from there).
npm run --silent build

# The libbpf loader addon, when its sources exist.
if [ -f agent/native/binding.gyp ]; then
  (cd agent/native && [ -f build/Release/loader.node ] && [ build/Release/loader.node -nt binding.gyp ] && [ -z "$(find . -path ./build -prune -o -newer build/Release/loader.node -type f -print | head -1)" ] \
    || npx --no-install node-gyp rebuild --silent)
fi
echo "setup: ok"
