# Sourced by the ensure-*.sh scripts: a program the tests need, installed from Debian's packages
# when missing and possible (Debian, as root); otherwise the tests stop with what to install. They
# never skip. Usage: ensure_apt_package <binary path> <package> <what needs it> <variable naming another binary>
ensure_apt_package() {
  local binary=$1 package=$2 purpose=$3 variable=$4
  if [ -x "$binary" ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "riohub: installing Debian's $package for $purpose" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "$package" >&2
    [ -x "$binary" ] && return 0
  fi
  echo "riohub: $purpose need $package at $binary." >&2
  echo "  On Debian/Ubuntu: sudo apt-get install $package   (or set $variable to a $package binary)" >&2
  return 1
}
