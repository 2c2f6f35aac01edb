#!/usr/bin/env bash
# Sourced by ./run, ./test and the other scripts: makes sure the Debian packages FormerSearch uses are installed.
#   libopenblas0-pthread   OpenBLAS GEMM (without it the engine uses its slower managed GEMM)
#   dataset-fashion-mnist  Fashion-MNIST in /usr/share/datasets/fashion-mnist (./run's default data set; the tests read it)
#   postgresql             initdb, pg_ctl and postgres, for the tests of studies on PostgreSQL (they start a throwaway server)
# Installs the missing ones when this user can (root, or sudo without a password); otherwise prints the exact command
# and carries on (whatever needs a missing package then says so itself). Needs the .NET 10 SDK on the PATH.
have_openblas() {
  ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0' \
    || ls /usr/lib/*/libopenblas.so.0 /usr/lib/*/openblas-pthread/libopenblas.so.0 >/dev/null 2>&1
}
have_fashion_mnist() { [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; }
have_postgresql() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

former_missing_packages() {
  local missing=()
  have_openblas || missing+=(libopenblas0-pthread)
  have_fashion_mnist || missing+=(dataset-fashion-mnist)
  have_postgresql || missing+=(postgresql)
  echo "${missing[@]}"
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is not installed: see https://learn.microsoft.com/dotnet/core/install/linux-debian (package dotnet-sdk-10.0)." >&2
  exit 1
fi

missing=$(former_missing_packages)
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing $missing…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >&2 || true
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "Installing $missing with sudo…" >&2
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >&2 || true
  fi
  if ! have_openblas; then
    echo "OpenBLAS is not installed, so FormerSearch uses its slower managed GEMM. To install it: sudo apt-get install libopenblas0-pthread" >&2
  fi
  if ! have_fashion_mnist; then
    echo "Fashion-MNIST is not installed (the default data set, and the tests read it). To install it: sudo apt-get install dataset-fashion-mnist" >&2
  fi
  if ! have_postgresql; then
    echo "PostgreSQL is not installed (the tests of shared studies start a throwaway server). To install it: sudo apt-get install postgresql" >&2
  fi
fi
unset missing
