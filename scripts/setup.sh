#!/usr/bin/env bash
# Sourced by ./run, ./test and the other scripts: makes sure the Debian packages FormerSearch uses are installed.
#   libopenblas0-pthread   OpenBLAS GEMM (without it the engine uses its slower managed GEMM)
#   dataset-fashion-mnist  Fashion-MNIST in /usr/share/datasets/fashion-mnist (./run's default data set; the tests read it)
#   postgresql             initdb, pg_ctl and postgres, for the tests of studies on PostgreSQL (they start a throwaway server)
#   openmpi-bin libopenmpi-dev  Open MPI: mpirun and libmpi.so.40 for data-parallel training (the tests run mpirun -np 2)
# Installs the missing ones when this user can (root, or sudo without a password); otherwise prints the exact command
# and carries on (whatever needs a missing package then says so itself). Needs the .NET 10 SDK on the PATH.
have_openblas() {
  ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0' \
    || ls /usr/lib/*/libopenblas.so.0 /usr/lib/*/openblas-pthread/libopenblas.so.0 >/dev/null 2>&1
}
have_fashion_mnist() { [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; }
have_postgresql() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
have_openmpi() { command -v mpirun >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libmpi\.so\.40'; }

former_missing_packages() {
  local missing=()
  have_openblas || missing+=(libopenblas0-pthread)
  have_fashion_mnist || missing+=(dataset-fashion-mnist)
  have_postgresql || missing+=(postgresql)
  have_openmpi || missing+=(openmpi-bin libopenmpi-dev)
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
  if ! have_openmpi; then
    echo "Open MPI is not installed (data-parallel training under mpirun; the tests run it). To install it: sudo apt-get install openmpi-bin libopenmpi-dev" >&2
  fi
  if ! have_fashion_mnist; then
    echo "Fashion-MNIST is not installed (the default data set, and the tests read it). To install it: sudo apt-get install dataset-fashion-mnist" >&2
  fi
  if ! have_postgresql; then
    echo "PostgreSQL is not installed (the tests of shared studies start a throwaway server). To install it: sudo apt-get install postgresql" >&2
  fi
fi
unset missing
