#!/usr/bin/env bash
# Makes the arm64 (AArch64) dumps of dumps/arm64/dumps.list into the cache's made/ID/KIND (layout:
# README.md; make-dumps.sh runs this script with its own arguments): Debian's arm64 kernel under
# QEMU's `virt` machine (TCG, -cpu max with pointer authentication), a busybox initramfs
# (arm64/guest-init.sh) and the vqbug module cross-built for it.
#
#   make-arm64-dumps.sh [ID[/KIND]...]   rows of arm64/dumps.list (all when none names one of them;
#                                        names of other scripts' rows are ignored)
#   capture kdump: crashkernel= + kexec -p, vqbug's BUG_ON (echo 1 > /sys/module/vqbug/parameters/
#                  trigger); the capture kernel copies /proc/vmcore to a virtio disk: vmcore.proc
#                  (ELF), and makedumpfile -c -d 31 of it: vmcore.kdump
#   capture qemu:  QEMU's dump-guest-memory (ELF) of the panicked guest: vmcore.qemu.elf
#   trigger serial-break: the host sends a BREAK and 'c' on the serial console (arm64/serial-break.py):
#                  sysrq-c handled in the UART's interrupt, a panic on the IRQ stack
#   trigger overflow: arm64/stackover.c recurses into the task stack's guard page: the exception
#                  entry switches to the overflow stack and panics there ("kernel stack overflow")
# Each dump also gets console.log (the oops trace and registers), facts.properties (arm64/facts.py)
# and drgn's view of the same boot (arm64/drgn-refs.py): refs/drgn-0.0.31 (Debian 13 chroot) and
# refs/drgn-0.0.22 (host); rows with refs crash also get crash 8.0.6 for arm64, run under
# qemu-aarch64-static (arm64/crash-arm64.sh, its list arm64/crash-commands.txt): refs/crash-8.0.6.
#
# The arm64 packages are only downloaded (a private apt state in the cache's apt-arm64/) and
# unpacked into kernels/ID/: nothing of arm64 is installed on the host. Host packages needed:
#   apt-get install -y qemu-system-arm gcc-aarch64-linux-gnu qemu-user-static linux-kbuild-6.1 \
#                      busybox-static cpio python3 python3-drgn gdb   (gdb: crash's index, arm64/crash-arm64.sh)
# The module is built with the host's linux-kbuild-6.1 tools (the same source as the arm64 package's
# arm64 programs) against the arm64 headers; makedumpfile:arm64 runs under qemu-aarch64-static (the
# host's makedumpfile is built for x86 dumps only). Every failure names its cause with the console's
# tail and leaves nothing behind; every wait is bounded; a made dump with a valid STAMP is not redone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
A64=$DUMPS_HOME/arm64

for t in qemu-system-aarch64 aarch64-linux-gnu-gcc-12 aarch64-linux-gnu-objcopy qemu-aarch64-static cpio gzip \
         python3 readelf make dpkg-deb; do
  command -v $t >/dev/null || die "missing $t: see the apt-get line at the top of $0"
done
[ -x /usr/lib/linux-kbuild-6.1/scripts/basic/fixdep ] || die "missing the host's linux-kbuild-6.1 (apt-get install -y linux-kbuild-6.1)"

# --- the kernel: packages downloaded with a private arm64 apt state, unpacked under kernels/ID
A64_APT=$CORPUS/apt-arm64
a64_apt_opts=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Dir::Etc::sourcelist="$A64_APT/sources.list"
              -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$A64_APT/lists" -o Dir::Cache="$A64_APT/cache"
              -o Dir::State::status="$A64_APT/status" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
# kexec's and makedumpfile's libraries: their NEEDED entries are resolved against these (a missing
# one fails loudly, naming it)
USERLAND=(busybox-static kexec-tools makedumpfile libc6 zlib1g libxenmisc4.17 libxencall1 libxendevicemodel1
          libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxenstore4 libxentoolcore1
          libxentoollog1 libyajl2 libfdt1 libdw1 libelf1 liblzo2-2 libzstd1 liblzma5 libbz2-1.0 libgcc-s1)
fetch_arm64_kernel() { # ID: prints kernels/ID
  local id=$1 row suite series pin build vmlinux_from dir recipe work release v log deb
  row=$(kernel_row "$id")
  [ -n "$row" ] || die "no kernel $id in arm64/kernels.list"
  read -r _ suite series pin build vmlinux_from <<<"$row"
  dir=$KERNELS_DIR/$id
  recipe=$(recipe_hash -- "$row" "${USERLAND[*]}" "arm64 kernel fetch 1" "$SCRIPT_VERSION")
  if stamp_check "$dir" "$recipe"; then echo "$dir"; return 0; fi
  # one fetcher per kernel (make-dumps.sh fetches it ahead, while x86 guests run): a second caller
  # waits, then finds it fetched
  mkdir -p "$KERNELS_DIR"
  exec 6>"$KERNELS_DIR/.$id.lock"
  flock -w 3600 6 || die "$id: $KERNELS_DIR/.$id.lock held for an hour"
  if stamp_check "$dir" "$recipe"; then exec 6>&-; echo "$dir"; return 0; fi
  local MARK_WHAT=$id
  mark_reset
  rm -rf "$dir"
  mkdir -p "$dir" "$A64_APT/lists/partial" "$A64_APT/cache/archives/partial"
  log=$dir/fetch.log
  touch "$A64_APT/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR $suite main" > "$A64_APT/sources.list"
  say "$id: apt-get update (arm64, private state in $A64_APT)"
  bounded 300 "$log" apt-get "${a64_apt_opts[@]}" update -q
  mark apt-update
  release=$pin
  if ! apt-cache "${a64_apt_opts[@]}" show "linux-image-$release" >/dev/null 2>&1; then
    # the pin has left the mirror: the newest release of the series
    release=$(apt-cache "${a64_apt_opts[@]}" pkgnames linux-image- | sed -n 's/^linux-image-//p' \
      | while read -r r; do if [[ $r == $series && $r != *-dbg && $r != *-unsigned ]]; then echo "$r"; fi; done | sort -V | tail -1)
    [ -n "$release" ] || die "$id: neither linux-image-$pin nor any linux-image-$series on the mirror"
  fi
  v=$(apt-cache "${a64_apt_opts[@]}" show "linux-image-$release" | sed -n 's/^Version: //p' | sort -V | tail -1)
  work=$(mktemp -d "$CORPUS/.fetch-$id.XXXX")
  say "$id: downloading linux-image-$release ($v), -dbg, headers and the guest's userland (arm64)"
  (cd "$work" && bounded 1800 "$log" apt-get "${a64_apt_opts[@]}" download "linux-image-$release=$v" \
      "linux-image-$release-dbg=$v" "linux-headers-$release=$v" "linux-headers-${release%-cloud-arm64}-common=$v" \
      "${USERLAND[@]}") || { rm -rf "$work"; exit 1; }
  mark download
  mkdir -p "$dir/root"
  for deb in "$work"/*.deb; do
    case $deb in
      *-dbg_*) dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --strip-components=5 "./usr/lib/debug/boot/vmlinux-$release" ;;
      *) dpkg-deb -x "$deb" "$dir/root" ;;
    esac
  done
  rm -rf "$work"
  mark extract
  mv "$dir/vmlinux-$release" "$dir/vmlinux"
  mv "$dir/root/boot/vmlinuz-$release" "$dir/vmlinuz"  # arm64: an uncompressed Image
  mv "$dir/root/boot/config-$release" "$dir/config"
  mkdir -p "$dir/modules"
  local m
  for m in drivers/virtio/virtio drivers/virtio/virtio_ring drivers/virtio/virtio_mmio drivers/block/virtio_blk \
           drivers/firmware/qemu_fw_cfg; do
    cp "$dir/root/lib/modules/$release/kernel/$m.ko" "$dir/modules/"
  done
  printf '%s\n' virtio virtio_ring virtio_mmio virtio_blk qemu_fw_cfg > "$dir/modules.load"
  rm -rf "$dir/root/lib/modules" "$dir/root/usr/share"
  # the headers' kbuild programs are arm64 binaries: point them at the host's linux-kbuild-6.1
  mv "$dir/root/usr/src" "$dir/headers"
  ln -sfn /usr/lib/linux-kbuild-6.1 "$dir/root/usr/lib/linux-kbuild-6.1"
  sed -i "s|^include .*/linux-headers-\(.*\)-common/Makefile|include $dir/headers/linux-headers-\1-common/Makefile|" \
    "$dir/headers/linux-headers-$release/Makefile"
  for m in scripts tools; do
    ln -sfn "/usr/lib/linux-kbuild-6.1/$m" "$dir/headers/linux-headers-$release/$m"
    ln -sfn "/usr/lib/linux-kbuild-6.1/$m" "$dir/headers/linux-headers-${release%-cloud-arm64}-common/$m"
  done
  {
    echo "id=$id"; echo "release=$release"; echo "version=$v"; echo "suite=$suite"; echo "arch=aarch64"
    echo "headers=headers/linux-headers-$release"
  } > "$dir/kernel.properties"
  stamp_write "$dir" "$recipe" kernel.properties vmlinuz vmlinux config modules.load root/bin/busybox root/sbin/kexec \
    root/usr/bin/makedumpfile
  mark stamp
  exec 6>&-
  say "$id: fetched ($(du -sh "$dir" | cut -f1))"
  echo "$dir"
}

# --- a test module, cross-built, in a fixed folder (its path is in the DWARF, and so in the build-id)
build_module() { # KDIR NAME SOURCE: prints the .ko's path
  local kdir=$1 name=$2 src=$3 bdir recipe release
  bdir=$kdir/build/$name
  release=$(prop "$kdir/kernel.properties" release)
  recipe=$(recipe_hash "$src" -- cross "$release" "$SCRIPT_VERSION")
  if ! stamp_check "$bdir" "$recipe"; then
    rm -rf "$bdir"; mkdir -p "$bdir"
    cp "$src" "$bdir/$name.c"
    echo "obj-m := $name.o" > "$bdir/Kbuild"
    bounded 600 "$bdir/build.log" make -C "$kdir/$(prop "$kdir/kernel.properties" headers)" M="$bdir" ARCH=arm64 \
      CROSS_COMPILE=aarch64-linux-gnu- CC=aarch64-linux-gnu-gcc-12 modules
    # grep -c reads all of readelf's output: grep -q would stop early and, under pipefail, fail readelf
    [ "$(readelf -S "$bdir/$name.ko" | grep -c '\.debug_info')" -gt 0 ] || die "$bdir/$name.ko has no DWARF"
    [ "$(modinfo -F vermagic "$bdir/$name.ko" | cut -d' ' -f1)" = "$release" ] \
      || die "$name.ko's vermagic is not $release: $(modinfo -F vermagic "$bdir/$name.ko")"
    aarch64-linux-gnu-objcopy --only-keep-debug "$bdir/$name.ko" "$bdir/$name.ko.debug"
    stamp_write "$bdir" "$recipe" "$name.c" "$name.ko" "$name.ko.debug"
  fi
  echo "$bdir/$name.ko"
}

build_vqbug() { # KDIR: prints the .ko's path
  local src
  src=$(shared_dir)/corpus/vqbug-6.1/vqbug.c
  [ -f "$src" ] || src=$CORPUS/vqbug-6.1/vqbug.c
  [ -f "$src" ] || die "vqbug.c: neither in ../shared/corpus/vqbug-6.1 nor in $CORPUS/vqbug-6.1"
  build_module "$1" vqbug "$src"
}

# copy_with_libs ROOT PROGRAM DEST: the program and the closure of its NEEDED libraries
copy_with_libs() {
  local root=$1 todo=("$2") dest=$3 seen=" " f lib dir found
  while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}; todo=("${todo[@]:1}")
    for lib in $(readelf -dW "$root$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [[ $seen == *" $lib "* ]] && continue
      seen+="$lib "
      found=""
      for dir in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /lib /usr/lib; do
        if [ -e "$root$dir/$lib" ]; then found=$dir/$lib; break; fi
      done
      [ -n "$found" ] || die "$f needs $lib, which no downloaded arm64 package holds (add its package to USERLAND)"
      todo+=("$found")
    done
    mkdir -p "$dest$(dirname "$f")"
    cp -L "$root$f" "$dest$f"
  done
  mkdir -p "$dest/lib"
  cp -L "$root/lib/ld-linux-aarch64.so.1" "$dest/lib/"
}

# --- drgn's view of a made dump (same boot): refs/drgn-VERSION/
drgn_refs() { # OUT DUMPFILE
  local out=$1 dump=$2 ok=0
  # 0.0.31 in the Debian 13 chroot (it sees the cache and the current directory at their own paths)
  if (cd "$A64" && timeout 600 "$DUMPS_HOME/in-trixie.sh" python3 "$A64/drgn-refs.py" "$out/$dump" "$out/vmlinux" \
        "$out/vqbug.ko" "$out/refs/drgn-0.0.31") >>"$out/make.log" 2>&1; then
    echo "refs.drgn=refs/drgn-0.0.31" >> "$out/dump.properties"; ok=1
  else
    say "drgn 0.0.31 (Debian 13 chroot) failed on $out/$dump (see $out/make.log)"
  fi
  if /usr/bin/python3 -c 'import drgn' 2>/dev/null; then
    if timeout 600 /usr/bin/python3 "$A64/drgn-refs.py" "$out/$dump" "$out/vmlinux" "$out/vqbug.ko" "$out/refs/drgn-0.0.22" \
         >>"$out/make.log" 2>&1; then
      echo "refs.drgn022=refs/drgn-0.0.22" >> "$out/dump.properties"; ok=1
    else
      say "drgn 0.0.22 (host) failed on $out/$dump (see $out/make.log)"
    fi
  fi
  [ $ok = 1 ]
}

make_one() { # ID KIND
  # id, kind, out, work, console and qemu_pid stay global: the EXIT trap (cleanup) reads them
  id=$1 kind=$2 qemu_pid="" out="" work="" console=""
  local row trigger capture cpus paging outputs refs options kdir release recipe started mem initrd size files=() o f vmci
  row=$(dump_row "$id" "$kind")
  read -r _ _ trigger capture cpus paging outputs refs options <<<"$row"
  opt() { local v; v=$(tr , '\n' <<<"$options" | sed -n "s/^$1=//p"); echo "${v:-$2}"; }
  MARK_WHAT=$id/$kind
  kdir=$(fetch_arm64_kernel "$id")
  release=$(prop "$kdir/kernel.properties" release)
  out=$MADE_DIR/$id/$kind
  recipe=$(recipe_hash "$0" "$DUMPS_HOME/lib.sh" "$A64"/{guest-init.sh,facts.py,drgn-refs.py,qemu-dump.py,serial-break.py,stackover.c} \
    $([[ ,$refs, == *,crash,* ]] && echo "$A64"/{crash-arm64.sh,crash-commands.txt}) \
    -- "$row" "$(grep '^recipe' "$kdir/STAMP")" "$SCRIPT_VERSION")
  if stamp_check "$out" "$recipe"; then say "$id/$kind: made and verified (cached)"; return 0; fi
  started=$(date +%s)
  mark wait-kernel
  rm -rf "$out" "$MADE_DIR/$id/$kind.failed.log"
  mkdir -p "$out"
  work=$(mktemp -d "$CORPUS/.make-$id-$kind.XXXX")
  console=$out/console.log
  # a failure ends this process (one dump): its log is kept as KIND.failed.log, its files are deleted
  fail() { say "$id/$kind: $*"; exit 1; }
  cleanup() {
    local rc=$?
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
    if [ $rc != 0 ]; then
      if [ -s "$console" ]; then echo "--- last lines of $console:" >&2; tail -40 "$console" >&2; echo "---" >&2; fi
      { [ -s "$console" ] && tail -40 "$console"; cat "$out/make.log" 2>/dev/null; } > "$MADE_DIR/$id/$kind.failed.log"
      rm -rf "$out"
      say "$id/$kind: FAILED (nothing kept; log: $MADE_DIR/$id/$kind.failed.log)"
    fi
    rm -rf "$work"
    exit $rc
  }
  trap cleanup EXIT

  local ko
  ko=$(build_vqbug "$kdir") || fail "building vqbug.ko failed"
  cp "$ko" "$ko.debug" "$(dirname "$ko")/vqbug.c" "$out/"
  if [ "$trigger" = overflow ]; then
    ko=$(build_module "$kdir" stackover "$A64/stackover.c") || fail "building stackover.ko failed"
    cp "$ko" "$ko.debug" "$(dirname "$ko")/stackover.c" "$out/"
  fi
  ln -f "$kdir/vmlinux" "$out/vmlinux" 2>/dev/null || cp "$kdir/vmlinux" "$out/vmlinux"
  mark module

  # the initramfs: busybox, the guest's modules, arm64/guest-init.sh as /init, vqbug.ko
  local ir=$work/root
  mkdir -p "$ir"/{bin,sbin,proc,sys,dev,modules}
  cp "$kdir/root/bin/busybox" "$ir/bin/busybox"
  for a in sh mount echo insmod sleep cat grep seq stat dd sync poweroff sed; do ln -s busybox "$ir/bin/$a"; done
  cp "$kdir"/modules/*.ko "$ir/modules/"
  cp "$kdir/modules.load" "$ir/modules.load"
  cp "$A64/guest-init.sh" "$ir/init"
  chmod +x "$ir/init"
  cp "$out/vqbug.ko" "$ir/"
  [ "$trigger" != overflow ] || cp "$out/stackover.ko" "$ir/"
  (cd "$ir" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"
  initrd=$work/initrd.gz
  if [ "$capture" = kdump ]; then
    # a second cpio archive (the kernel unpacks both): kexec and its libraries, the kernel, and
    # initrd.gz itself for the capture kernel
    local extra=$work/kdump-extra
    mkdir -p "$extra"
    copy_with_libs "$kdir/root" /sbin/kexec "$extra"
    cp "$kdir/vmlinuz" "$extra/vmlinuz"
    cp "$work/initrd.gz" "$extra/initrd.gz"
    (cd "$extra" && find . | cpio -o -H newc 2>/dev/null | gzip -1) | cat "$work/initrd.gz" - > "$work/initrd-kdump.gz"
    initrd=$work/initrd-kdump.gz
  fi

  mark initramfs
  local append="console=ttyAMA0 cma=0 oops=panic kdive.trigger=$trigger loglevel=7"
  local serial=(-serial "file:$console") breaker=""
  if [ "$trigger" = serial-break ]; then
    # the serial port is a telnet-mode socket (a BREAK can be sent through it), logged to the console file
    serial=(-chardev "socket,id=ser0,path=$work/serial.sock,server=on,wait=off,telnet=on,logfile=$console"
            -serial chardev:ser0)
  fi
  local qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp "$cpus" -display none -no-reboot
              -kernel "$kdir/vmlinuz" -initrd "$initrd" "${serial[@]}")
  wait_console() { # SECONDS PATTERN
    local limit=$1 pattern=$2 deadline=$((SECONDS + $1))
    while ! grep -q "$pattern" "$console" 2>/dev/null; do
      if grep -q '^kdive-error:' "$console" 2>/dev/null; then fail "the guest says: $(grep -m1 '^kdive-error:' "$console")"; fi
      if ! kill -0 "$qemu_pid" 2>/dev/null; then
        wait "$qemu_pid" || true; qemu_pid=""
        grep -q "$pattern" "$console" 2>/dev/null && return 0
        fail "QEMU exited before '$pattern'"
      fi
      [ $SECONDS -lt $deadline ] || fail "no '$pattern' on the console within ${limit}s"
      sleep 0.5
    done
  }
  if [ "$capture" = kdump ]; then
    mem=$(opt mem 320)
    local disk=$work/vmcore.raw
    truncate -s 1G "$disk"
    "${qemu[@]}" -m "$mem" -append "$append panic=1 kdive.kdump=1 crashkernel=$(opt crashkernel 88M)" \
      -drive file="$disk",format=raw,if=none,id=vmcore -device virtio-blk-device,drive=vmcore >>"$out/make.log" 2>&1 &
    qemu_pid=$!
    wait_console 240 'kdive-kdump: capture kernel loaded'
    wait_console 300 '^kdive-vmcore-size:'
    for _ in $(seq 1 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$qemu_pid" 2>/dev/null; then fail "QEMU did not exit after the capture kernel's poweroff"; fi
    wait "$qemu_pid" || true; qemu_pid=""
    size=$(sed -n 's/^kdive-vmcore-size: \([0-9]*\).*/\1/p' "$console" | tail -1)
    truncate -s "$size" "$disk"
    mv "$disk" "$out/vmcore.proc"
    [ "$(head -c 4 "$out/vmcore.proc" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || fail "vmcore.proc is not ELF"
    say "$id/$kind: /proc/vmcore saved, $size bytes, $(( $(date +%s) - started )) s"
    mark qemu-kdump
    if [[ ,$outputs, == *,kdump,* ]]; then
      if ! timeout 300 qemu-aarch64-static -L "$kdir/root" "$kdir/root/usr/bin/makedumpfile" -c -d 31 \
             "$out/vmcore.proc" "$out/vmcore.kdump" >>"$out/make.log" 2>&1; then
        fail "makedumpfile -c -d 31 (arm64, under qemu-aarch64-static) failed"
      fi
      [ "$(head -c 8 "$out/vmcore.kdump")" = "KDUMP   " ] || fail "makedumpfile wrote no kdump file"
      chmod 644 "$out/vmcore.kdump"
      mark makedumpfile
    fi
    [[ ,$outputs, == *,proc,* ]] || rm -f "$out/vmcore.proc"
  else
    mem=$(opt mem 256)
    # panic=0: the guest stays in panic() (no reboot) so its memory can be saved
    "${qemu[@]}" -m "$mem" -no-shutdown -device vmcoreinfo -append "$append panic=0" \
      -monitor "unix:$work/monitor.sock,server,nowait" >>"$out/make.log" 2>&1 &
    qemu_pid=$!
    if [ "$trigger" = serial-break ]; then
      python3 "$A64/serial-break.py" "$work/serial.sock" 300 >>"$out/make.log" 2>&1 &
      breaker=$!
    fi
    wait_console 300 'end Kernel panic'
    if [ -n "$breaker" ]; then wait "$breaker" || fail "serial-break.py failed (see make.log)"; fi
    sleep 1  # the panic CPU stops the others and settles in its loop
    if ! python3 "$A64/qemu-dump.py" "$work/monitor.sock" 300 "$out/vmcore.qemu.elf" \
         >>"$out/make.log" 2>&1; then
      fail "QEMU's monitor failed"
    fi
    for _ in $(seq 1 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    wait "$qemu_pid" || true; qemu_pid=""
    [ "$(head -c 4 "$out/vmcore.qemu.elf" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || fail "vmcore.qemu.elf is not ELF"
    chmod 644 "$out/vmcore.qemu.elf"
    mark qemu-dump
  fi
  say "$id/$kind: dump made, $(( $(date +%s) - started )) s"

  for o in ${outputs//,/ }; do
    case $o in kdump) files+=(vmcore.kdump) ;; proc) files+=(vmcore.proc) ;; elf) files+=(vmcore.qemu.elf) ;;
               *) fail "unknown output $o" ;; esac
  done
  for f in "${files[@]}"; do [ -s "$out/$f" ] || fail "$f not made"; done
  vmci=$(head -c 64M "$out/${files[0]}" | grep -a -o -m1 'OSRELEASE=[^[:space:]]*' || true)
  [ "$vmci" = "OSRELEASE=$release" ] || fail "${files[0]}: VMCOREINFO says '$vmci', expected OSRELEASE=$release"
  vmci=$(head -c 64M "$out/${files[0]}" | grep -a -o -m1 'NUMBER(VA_BITS)=[0-9]*' || true)
  [ "$vmci" = "NUMBER(VA_BITS)=48" ] || fail "${files[0]}: VMCOREINFO says '$vmci', expected 48-bit VA (paging $paging)"
  {
    echo "kernel=$id"; echo "kind=$kind"; echo "release=$release"; echo "arch=aarch64"; echo "trigger=$trigger"
    echo "capture=$capture"; echo "cpus=$cpus"; echo "paging=$paging"; echo "mem=$mem"
    echo "dump=${files[0]}"; echo "dumps=${files[*]}"; echo "vmlinux=vmlinux"
    echo "kernel.dir=$(realpath --relative-to="$out" "$kdir")"
    echo "module.vqbug=vqbug.ko"; echo "module.vqbug.debug=vqbug.ko.debug"; echo "module.vqbug.source=vqbug.c"
    if [ "$trigger" = overflow ]; then
      echo "module.stackover=stackover.ko"; echo "module.stackover.debug=stackover.ko.debug"
      echo "module.stackover.source=stackover.c"
    fi
    echo "console=console.log"; echo "facts=facts.properties"
    echo "qemu=$(qemu-system-aarch64 --version | head -1)"
    [ "$capture" = kdump ] && echo "makedumpfile=$(qemu-aarch64-static -L "$kdir/root" "$kdir/root/usr/bin/makedumpfile" -v 2>&1 | head -1) (arm64)"
    echo "script=$SCRIPT_VERSION"
  } > "$out/dump.properties"
  python3 "$A64/facts.py" "$console" > "$out/facts.properties" 2>>"$out/make.log" || fail "facts.py could not read the console"
  if [ "$refs" != - ]; then
    # on the ELF file when there is one (both are of the same boot): drgn-refs.py reads its notes
    f=${files[0]}
    [ -f "$out/vmcore.proc" ] && f=vmcore.proc
    mark check-facts
    drgn_refs "$out" "$f" || fail "drgn references failed"
    mark refs-drgn
    if [[ ,$refs, == *,crash,* ]]; then
      # crash 8.0.6 (arm64, under qemu-aarch64-static) on the main dump, its {VAR}s from drgn's refs
      "$A64/crash-arm64.sh" refs "$out" >>"$out/make.log" 2>&1 || fail "crash references failed (see make.log)"
      echo "refs.crash=refs/crash-8.0.6" >> "$out/dump.properties"
      mark refs-crash
    fi
  fi
  local all
  mapfile -t all < <(cd "$out" && find . -type f ! -name STAMP ! -name make.log | sed 's|^\./||' | sort)
  stamp_write "$out" "$recipe" "${all[@]}"
  mark stamp
  say "$id/$kind: made in $(( $(date +%s) - started )) s: ${files[*]} ($(du -sh "$out" | cut -f1))"
}

# the rows to make: all of arm64/dumps.list, or those the arguments name (ID or ID/KIND)
# --one ID KIND: one dump, in a process of its own (a failure exits it; set -e holds throughout)
if [ "${1:-}" = --one ]; then make_one "$2" "$3"; exit 0; fi
# --fetch: every arm64 kernel fetched, nothing made (make-dumps.sh fetches ahead while x86 guests run)
if [ "${1:-}" = --fetch ]; then
  for k in $(awk '!/^#/ && NF {print $1}' "$A64/dumps.list" | sort -u); do fetch_arm64_kernel "$k" >/dev/null; done
  exit 0
fi
# one maker at a time (a second waits, then finds the dumps made): two makers of one kind would
# delete each other's files
exec 8>"$CORPUS/.make-arm64.lock"
flock -w 3600 8 || die "$CORPUS/.make-arm64.lock held for an hour by another make-arm64-dumps.sh"
rows=$(awk '!/^#/ && NF {print $1 "/" $2}' "$A64/dumps.list")
want=()
for r in $rows; do
  if [ $# = 0 ]; then want+=("$r"); continue; fi
  for a in "$@"; do [ "$a" = "$r" ] || [ "$a" = "${r%/*}" ] && want+=("$r"); done
done
[ $# = 0 ] || [ ${#want[@]} -gt 0 ] || exit 0  # the arguments name none of ours
failed=()
for r in "${want[@]}"; do
  "$0" --one "${r%/*}" "${r#*/}" || failed+=("$r")
done
[ ${#failed[@]} = 0 ] || die "failed: ${failed[*]} (logs: $MADE_DIR/ID/KIND.failed.log)"
