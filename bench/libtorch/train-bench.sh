#!/usr/bin/env bash
# LibTorch 2.10's training step (Program.cs) on this machine: TorchSharp-cpu 0.107's native libraries need
# GLIBCXX_3.4.32 (GCC 13's libstdc++), which Debian 12 lacks, so they run in a minimal Debian 13 root made once by
# debootstrap (as root; ~120 MB in $DEBIAN13_ROOT), with this machine's .NET runtime and the published benchmark
# mounted into it. Arguments are Program.cs's: --model poolformer_s12|deit_tiny [--input 3x64x64] [--batch-size 64]
# [--threads 2] [--seconds 3] [--no-channels-last]; prints one JSON object like `former bench train --json`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="${DEBIAN13_ROOT:-/var/tmp/formersearch-debian13}"
dotnet_dir="$(dirname "$(readlink -f "$(command -v dotnet)")")"
[ "$(id -u)" = 0 ] || { echo "train-bench.sh: run as root (it makes and enters a Debian 13 root with chroot)." >&2; exit 2; }
if [ ! -x "$root/usr/bin/env" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >"$root.log" 2>&1 \
    || { echo "train-bench.sh: debootstrap of Debian 13 into $root failed; see $root.log." >&2; exit 1; }
fi
dotnet publish "$here/LibTorchTrainBench.csproj" -c Release -o "$root/opt/libtorch-train-bench" -nologo -v quiet >&2
# A private mount namespace: the bind mounts vanish with the process.
exec unshare --mount --propagation private bash -c '
  root=$1 dotnet_dir=$2; shift 2
  for d in /proc /dev "$dotnet_dir"; do mkdir -p "$root$d"; mount --bind "$d" "$root$d"; done
  exec chroot "$root" /usr/bin/env DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    "$dotnet_dir/dotnet" /opt/libtorch-train-bench/libtorch-train-bench.dll "$@"' _ "$root" "$dotnet_dir" "$@"
