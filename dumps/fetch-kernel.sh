#!/usr/bin/env bash
# Fetches one kernel of dumps/kernels.list into the cache, never installing anything on the host:
# downloads its Debian packages with a private apt state and extracts only what dumps need.
#
#   fetch-kernel.sh ID        prints the kernel's folder, $KDIVE_CORPUS/kernels/ID, holding:
#     kernel.properties   id, release, package versions used, suite, arch
#     vmlinuz, config, System.map      from linux-image-RELEASE
#     vmlinux             DWARF, from linux-image-RELEASE-dbg (or a link to the corpus' own)
#     modules/NAME.ko     the modules guests load (virtio disk, qemu_fw_cfg) and what they need
#     debug/NAME.ko       their debuginfo (from -dbg)
#     headers/            linux-headers-RELEASE, its -common and linux-kbuild (build != none)
#     STAMP               written last (see lib.sh): a kernel with a valid stamp is not fetched again
set -euo pipefail
. "$(dirname "$0")/lib.sh"
id=${1:?usage: fetch-kernel.sh ID}
row=$(kernel_row "$id")
[ -n "$row" ] || die "no kernel $id in kernels.list"
read -r _ suite series pin build vmlinux_from <<<"$row"
dir=$KERNELS_DIR/$id
recipe=$(recipe_hash "$DUMPS_HOME/fetch-kernel.sh" -- "$row")
if stamp_check "$dir" "$recipe"; then echo "$dir"; exit 0; fi
# one fetcher per kernel (make-dumps.sh fetches ahead while guests of other kernels run): a second
# caller waits here, then finds the kernel fetched
mkdir -p "$KERNELS_DIR"
exec 7>"$KERNELS_DIR/.$id.lock"
flock -w 3600 7 || die "$id: $KERNELS_DIR/.$id.lock held for an hour"
if stamp_check "$dir" "$recipe"; then echo "$dir"; exit 0; fi
MARK_WHAT=$id
mark_reset

# the modules a guest loads: the capture kernel's virtio disk, and qemu_fw_cfg (VMCOREINFO for QEMU)
GUEST_MODULES="virtio_blk virtio_pci qemu_fw_cfg"

apt_update
mark apt-update
O=$(apt_opts)
# shellcheck disable=SC2086
version() { apt-cache $O show "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -1; }
# candidates: the pin, then the series from newest to oldest. A mirror can list a package whose
# file is gone (404): then the next candidate is tried; kernel.properties records the one used.
# shellcheck disable=SC2086
candidates=$( { if apt-cache $O show "linux-image-$pin" >/dev/null 2>&1; then echo "$pin"; fi
  apt-cache $O pkgnames linux-image- | sed -n 's/^linux-image-\(.*\)$/\1/p' \
    | while read -r r; do if [[ $r == $series && $r != "$pin" ]]; then echo "$r"; fi; done | sort -rV; } )
[ -n "$candidates" ] || die "$id: neither linux-image-$pin nor any linux-image-$series on the mirror"

rm -rf "$dir"
mkdir -p "$dir/modules" "$dir/debug"
work=$(mktemp -d "$CORPUS/.fetch-$id.XXXX")
trap 'rm -rf "$work"' EXIT
log=$dir/fetch.log
release=""
for r in $candidates; do
  v=$(version "linux-image-$r")
  # every package at the image's version (its source package's): other suites may hold newer
  # builds of the same name (bullseye's backport linux-kbuild-6.1 beside bookworm's)
  pkgs=("linux-image-$r")
  [ "$vmlinux_from" = dbg ] && pkgs+=("linux-image-$r-dbg")
  if [ "$build" != none ]; then
    pkgs+=("linux-headers-$r")
    # shellcheck disable=SC2086
    for dep in $(apt-cache $O depends "linux-headers-$r=$v" 2>/dev/null | sed -n 's/^ *Depends: //p'); do
      case $dep in linux-headers-*-common*|linux-kbuild-*) pkgs+=("$dep") ;; esac
    done
  fi
  say "$id: trying $r ($v): ${pkgs[*]}"
  rm -f "$work"/*.deb
  # shellcheck disable=SC2086
  if (cd "$work" && timeout 1800 apt-get $O download "${pkgs[@]/%/=$v}" >>"$log" 2>&1); then
    release=$r; break
  fi
  grep -E '^(E|Err):' "$log" | tail -2 >&2 || true
done
[ -n "$release" ] || die "$id: no release of $series could be downloaded (log: $log)"
mark download
[ "$release" = "$pin" ] || say "$id: pinned $pin unavailable, using $release (recorded in kernel.properties)"
{
  echo "id=$id"
  echo "release=$release"
  echo "suite=$suite"
  echo "arch=x86_64"
  echo "pinned=$([ "$release" = "$pin" ] && echo true || echo false)"
  for p in "${pkgs[@]}"; do echo "package.$p=$v"; done
} > "$work/kernel.properties"

deb() { ls "$work"/"$1"_*.deb; }
# the image: vmlinuz, config, System.map, the guest's modules (dependencies by modinfo)
mkdir -p "$work/img"
dpkg-deb -x "$(deb "linux-image-$release")" "$work/img"
cp "$work/img/boot/vmlinuz-$release" "$dir/vmlinuz"
cp "$work/img/boot/config-$release" "$dir/config"
cp "$work/img/boot/System.map-$release" "$dir/System.map" 2>/dev/null || true
moddir=$(ls -d "$work"/img/lib/modules/"$release" "$work"/img/usr/lib/modules/"$release" 2>/dev/null | head -1 || true)
[ -n "$moddir" ] || die "$id: no modules folder in linux-image-$release"
want=($GUEST_MODULES) done_mods=" " order=()
while [ ${#want[@]} -gt 0 ]; do
  m=${want[0]}; want=("${want[@]:1}")
  [[ $done_mods == *" $m "* ]] && continue
  done_mods+="$m "
  f=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -1)
  if [ -z "$f" ]; then
    grep -q "/$m.ko\$" "$moddir/modules.builtin" 2>/dev/null && continue
    die "$id: module $m neither in linux-image-$release nor built in"
  fi
  case $f in
    *.xz) xz -dc "$f" > "$dir/modules/$m.ko" ;;
    *.zst) zstd -qdc "$f" > "$dir/modules/$m.ko" ;;
    *) cp "$f" "$dir/modules/$m.ko" ;;
  esac
  echo "${f#"$moddir"/}" > "$dir/modules/$m.path"
  for d in $(modinfo -F depends "$dir/modules/$m.ko" | tr , ' '); do want+=("$d"); done
  order=("$m" "${order[@]}")
done
# load order: dependencies first (each module was put before the ones that asked for it)
load=() seen=" "
for m in "${order[@]}"; do [[ $seen == *" $m "* ]] || { load+=("$m"); seen+="$m "; }; done
echo "modules.load=${load[*]}" >> "$work/kernel.properties"
rm -rf "$work/img"
mark extract-image

# the debuginfo: vmlinux and the loaded modules' debug files, stopping the archive early
if [ "$vmlinux_from" = dbg ]; then
  members=("./usr/lib/debug/boot/vmlinux-$release")
  for m in "$dir"/modules/*.ko; do
    p=$(cat "${m%.ko}.path"); members+=("./usr/lib/debug/lib/modules/$release/${p%.xz}")
  done
  mkdir -p "$work/dbg"
  say "$id: extracting vmlinux and module debuginfo from linux-image-$release-dbg"
  # tar stops reading once it has every member: dpkg-deb then dies of SIGPIPE, which is fine
  { dpkg-deb --fsys-tarfile "$(deb "linux-image-$release-dbg")" 2>/dev/null || true; } \
    | timeout 1200 tar -x -C "$work/dbg" --occurrence=1 "${members[@]}" 2>>"$log" \
    || { tail "$log" >&2; die "$id: extracting ${members[*]} from linux-image-$release-dbg failed"; }
  mv "$work/dbg/usr/lib/debug/boot/vmlinux-$release" "$dir/vmlinux"
  for m in "$dir"/modules/*.ko; do
    p=$(cat "${m%.ko}.path"); mv "$work/dbg/usr/lib/debug/lib/modules/$release/${p%.xz}" "$dir/debug/$(basename "$m")"
  done
else
  v=$(corpus_setup | tail -1)/vqbug-6.1/vmlinux-$release
  [ -f "$v" ] || die "$id: the corpus has no $v"
  ln -s "$v" "$dir/vmlinux"
  # the corpus also has the debuginfo of the modules guests load
  for m in "$dir"/modules/*.ko; do
    [ -f "$(dirname "$v")/modules/$(basename "$m")" ] && ln -s "$(dirname "$v")/modules/$(basename "$m")" "$dir/debug/"
  done
fi
mark extract-vmlinux
grep -qa "Linux version $release " "$dir/vmlinux" 2>/dev/null \
  || [ "$(strings -n 20 "$dir/vmlinux" | grep -c "Linux version $release ")" -gt 0 ] \
  || die "$id: $dir/vmlinux is not the build of $release"
mark check-vmlinux

# the headers, in a tree of their own; the arch Makefile's absolute include is pointed into it
if [ "$build" != none ]; then
  mkdir -p "$dir/headers"
  for p in "${pkgs[@]}"; do
    case $p in linux-headers-*|linux-kbuild-*) dpkg-deb -x "$(deb "$p")" "$dir/headers" ;; esac
  done
  mk=$dir/headers/usr/src/linux-headers-$release/Makefile
  [ -f "$mk" ] || die "$id: no $mk"
  sed -i "s|^include /usr/src/|include $dir/headers/usr/src/|" "$mk"
  echo "headers=headers/usr/src/linux-headers-$release" >> "$work/kernel.properties"
fi
mark headers
mv "$work/kernel.properties" "$dir/kernel.properties"
files=(kernel.properties vmlinuz config vmlinux)
for m in "$dir"/modules/*.ko; do files+=("modules/$(basename "$m")"); done
for m in "$dir"/debug/*.ko; do [ -e "$m" ] && files+=("debug/$(basename "$m")"); done
[ "$build" != none ] && files+=("headers/usr/src/linux-headers-$release/Makefile")
stamp_write "$dir" "$recipe" "${files[@]}"
mark stamp
say "$id: $release ready in $dir"
echo "$dir"
