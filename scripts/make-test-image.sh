#!/usr/bin/env bash
# Builds local/busybox:latest from Debian's busybox-static with `docker import`: no registry is
# reachable from these machines, so every test image is made locally.
set -euo pipefail
tag="${1:-local/busybox:latest}"
if docker image inspect "$tag" >/dev/null 2>&1; then exit 0; fi
bb=/bin/busybox
[ -x "$bb" ] || { echo "busybox-static is not installed (apt-get install -y busybox-static)" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc"
cp "$bb" "$root/bin/busybox"
for app in $("$bb" --list); do [ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - "$tag" >/dev/null
echo "made $tag"
