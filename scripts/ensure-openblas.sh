#!/usr/bin/env bash
# Makes sure Debian's OpenBLAS is installed: installs libopenblas0-pthread when this user can (root,
# or sudo without a password); otherwise says exactly what to run. The engine works either way:
# without OpenBLAS it uses its managed SIMD GEMM, which is slower.
have_openblas() {
  ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0' \
    || ls /usr/lib/*/libopenblas.so.0 /usr/lib/*/openblas-pthread/libopenblas.so.0 >/dev/null 2>&1
}

if ! have_openblas; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing OpenBLAS (libopenblas0-pthread)…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-pthread) >&2 || true
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "Installing OpenBLAS (libopenblas0-pthread) with sudo…" >&2
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-pthread) >&2 || true
  fi
  if ! have_openblas; then
    echo "OpenBLAS is not installed, so FormerSearch uses its slower managed GEMM. To install it: sudo apt-get install libopenblas0-pthread" >&2
  fi
fi
