#!/bin/sh
# The parity tests (test/parity) on an emulated linux-arm64 against the arm64 addon the package
# ships: Debian's arm64 Node and the libraries it links, unpacked into build/arm64-node/ (never
# installed over the host's Node), run under qemu-user; vitest stays on the host and its test
# workers are arm64 processes (test/package/arm64/vitest.config.ts).
#
# Needs qemu-user-static (or qemu-user) and the arm64 apt architecture:
#   dpkg --add-architecture arm64 && apt-get update && apt-get install -y qemu-user-static
# The addon: prebuilds/linux-arm64/mlpx.node after `npm pack`, else build/arm64/mlpx.node
# (npm run check:arm64), or the file given as $1.
#
# The 1000×1000×1000 GEMM case is left out: its float64 reference loop alone takes ~45 s under
# emulation; the other shapes cover every tile edge of the portable microkernel.
set -eu
cd "$(dirname "$0")/.."
addon=${1:-}
if [ -z "$addon" ]; then
  addon=prebuilds/linux-arm64/mlpx.node
  [ -f "$addon" ] || addon=build/arm64/mlpx.node
fi
[ -f "$addon" ] || { echo "mlpx arm64 parity: no arm64 addon ($addon); run npm run check:arm64" >&2; exit 1; }
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[ -n "$qemu" ] || { echo "mlpx arm64 parity: no qemu-aarch64 (apt-get install qemu-user-static)" >&2; exit 1; }

root=$PWD/build/arm64-node
if [ ! -x "$root/usr/bin/node" ]; then
  # nodejs:arm64 and every arm64 package it needs; virtual dependencies (<node-acorn:arm64>) are
  # architecture-independent packages of the same name
  todo="nodejs:arm64"
  packages=""
  while [ -n "$todo" ]; do
    set -- $todo
    package=$1
    shift
    todo="$*"
    case " $packages " in *" $package "*) continue ;; esac
    packages="$packages $package"
    case $package in *:arm64) ;; *) continue ;; esac
    for dependency in $(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "$package" |
      awk '$1 ~ /Depends:$/ { print $2 }'); do
      case $dependency in "<"*) dependency=$(echo "$dependency" | tr -d '<>' | sed 's/:arm64$//') ;; esac
      todo="$todo $dependency"
    done
  done
  debs=$(mktemp -d)
  (cd "$debs" && apt-get download $packages)
  rm -rf "$root"
  mkdir -p "$root"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done
  rm -rf "$debs"
fi
cat > "$root/node" <<SCRIPT
#!/bin/sh
exec "$qemu" -L "$root" "$root/usr/bin/node" "\$@"
SCRIPT
chmod +x "$root/node"
echo "mlpx arm64 parity: $("$root/node" -p 'process.version + " " + process.arch') under $qemu, addon $addon"
MLPX_ARM64_NODE="$root/node" MLPX_NATIVE_PATH="$PWD/$addon" \
  npx vitest run --config test/package/arm64/vitest.config.ts --testNamePattern '^(?!.*1000×1000×1000)'
