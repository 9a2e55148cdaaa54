#!/usr/bin/env bash
# Builds makedumpfile with zstd and snappy from source (Debian 12's binary has neither: its
# `makedumpfile -v` says "snappy disabled, zstd disabled"; Debian 13's lacks snappy), so that kdive
# is tested on makedumpfile's own zstd and snappy kdump files, not only on its own writers'
# (make-zstd-dumps.sh). Prints the path of the built binary. Cached under
# ${KDIVE_CORPUS:-~/.cache/kdive-corpus}/tools/makedumpfile-VERSION/ with a STAMP: a rerun costs a
# stat per file.
#
# The source: the upstream tarball Debian's source package uses (pool/main/m/makedumpfile/ of the
# Debian mirror), pinned by sha256. 1.7.7 is the release the mirror serves (Debian 12's own 1.7.2
# tarballs are no longer there); its tree is identical to upstream's git tag 1.7.7
# (github.com/makedumpfile/makedumpfile, commit e4ae6b5ee04edeeb03db89bee372904157e3378d).
# Host packages needed (.ci/run installs them):
#   apt-get install -y libzstd-dev libsnappy-dev liblzo2-dev libelf-dev libdw-dev libbz2-dev zlib1g-dev
set -euo pipefail
. "$(dirname "$0")/lib.sh"
VERSION=1.7.7
SHA256=69b4d24ace3024cf2a41f343e162838b62b1b37d6edc7bbad4260fa36217efee
URL=$DEBIAN_MIRROR/pool/main/m/makedumpfile/makedumpfile_$VERSION.orig.tar.gz
TOOLS=$CORPUS/tools
dir=$TOOLS/makedumpfile-$VERSION
recipe=$(recipe_hash "$0" -- "$VERSION" "$SHA256" "$SCRIPT_VERSION")
if stamp_check "$dir" "$recipe"; then echo "$dir/makedumpfile"; exit 0; fi

for t in curl make gcc tar; do command -v $t >/dev/null || die "missing $t"; done
for h in zstd.h snappy-c.h lzo/lzo1x.h elfutils/libdw.h libelf.h bzlib.h zlib.h; do
  [ -f "/usr/include/$h" ] || die "missing /usr/include/$h: see the apt-get line at the top of $0"
done

rm -rf "$dir"
mkdir -p "$dir"
log=$dir/build.log
work=$(mktemp -d "$TOOLS/.makedumpfile.XXXX")
trap 'rm -rf "$work"' EXIT
say "downloading $URL"
bounded 300 "$log" curl -fsS --retry 3 -o "$work/src.tar.gz" "$URL"
got=$(sha256sum < "$work/src.tar.gz" | cut -d' ' -f1)
[ "$got" = "$SHA256" ] || die "$URL: sha256 $got, expected $SHA256"
tar -xzf "$work/src.tar.gz" -C "$work"
say "building makedumpfile $VERSION with USEZSTD=on USESNAPPY=on"
bounded 900 "$log" make -C "$work/makedumpfile-$VERSION" USEZSTD=on USESNAPPY=on LINKTYPE=dynamic
cp "$work/makedumpfile-$VERSION/makedumpfile" "$dir/makedumpfile"
"$dir/makedumpfile" -v > "$dir/version.txt" 2>&1 || true
grep -q '^zstd[[:space:]]*enabled' "$dir/version.txt" || die "the build has no zstd: $(cat "$dir/version.txt")"
grep -q '^snappy[[:space:]]*enabled' "$dir/version.txt" || die "the build has no snappy: $(cat "$dir/version.txt")"
stamp_write "$dir" "$recipe" makedumpfile version.txt
echo "$dir/makedumpfile"
