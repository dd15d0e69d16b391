#!/usr/bin/env bash
# A base image for the container test, made here because no image registry is reachable: Debian
# bookworm from Debian's packages (debootstrap), with this machine's node (and npm, and its headers
# for compiling better-sqlite3), python3, make, g++ and tini, and the certificate authorities this
# machine adds to Debian's (/usr/local/share/ca-certificates: a network that inspects TLS makes
# the registry's certificate with one of them), trusted by node in it too. Used as both BUILD_IMAGE and BASE_IMAGE
# of the Dockerfile. Kept between runs: made again only when `docker image inspect` cannot find it.
set -euo pipefail
DOCKER=${DOCKER:-/usr/bin/docker}
image=${1:-riohub-test/node-bookworm:$(node -p process.versions.node)}
if "$DOCKER" image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi
root=$(mktemp -d /tmp/riohub-rootfs-XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "riohub: making the base image $image (debootstrap, about a minute)" >&2
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >&2
chroot "$root" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 make g++ tini ca-certificates && apt-get clean && rm -rf /var/lib/apt/lists/*' >&2
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >&2
fi
node=$(readlink -f "$(command -v node)")
prefix=$(dirname "$(dirname "$node")")
cp "$node" "$root/usr/bin/node"
[ -d "$prefix/include/node" ] && mkdir -p "$root/usr/include" && cp -r "$prefix/include/node" "$root/usr/include/node"
if [ -d "$prefix/lib/node_modules/npm" ]; then
  mkdir -p "$root/usr/lib/node_modules"
  cp -r "$prefix/lib/node_modules/npm" "$root/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
fi
tar -C "$root" -c . | "$DOCKER" import --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' - "$image" >&2
echo "$image"
