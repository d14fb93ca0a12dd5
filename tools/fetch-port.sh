#!/bin/sh
# Fetch a Debian source package for a port (docs/ports.md) and unpack it.
#
#   tools/fetch-port.sh PACKAGE VERSION OUT FILE=SHA256 ...
#
# Downloads PACKAGE=VERSION's source files with apt, through a private
# apt configuration under OUT/apt (the machine's own sources and lists are
# never touched), checks that exactly the FILEs named came and that each
# has its pinned SHA-256, and unpacks the package with dpkg-source into
# OUT/src (Debian's patches applied).  Touches OUT/.unpacked when done.
# Any mismatch stops it with the file named: a pin is a promise.
set -eu
pkg=$1 version=$2 out=$3
shift 3
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd) # apt takes relative paths as under /etc/apt
apt_dir=$out/apt
mkdir -p "$apt_dir/lists/partial" "$out/download"
# The system's Debian archive, as source: same URIs, suite and key.
cat >"$apt_dir/debian-src.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt_opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt_dir -o Dir::State::Lists=$apt_dir/lists"
# shellcheck disable=SC2086 # the options are words
apt-get -q $apt_opts update >"$out/apt.log" 2>&1 || { echo "fetch-port: apt-get update failed (see $out/apt.log)" >&2; exit 1; }
# shellcheck disable=SC2086
(cd "$out/download" && apt-get -q $apt_opts source --download-only "$pkg=$version") >>"$out/apt.log" 2>&1 ||
    { echo "fetch-port: $pkg $version could not be downloaded (see $out/apt.log)" >&2; exit 1; }
count=0
for pin in "$@"; do
    file=${pin%%=*} want=${pin#*=}
    [ -f "$out/download/$file" ] || { echo "fetch-port: $pkg: $file did not come" >&2; exit 1; }
    got=$(sha256sum "$out/download/$file" | cut -d' ' -f1)
    [ "$got" = "$want" ] || { echo "fetch-port: $pkg: $file has SHA-256 $got, pinned $want" >&2; exit 1; }
    count=$((count + 1))
done
[ "$(ls "$out/download" | wc -l)" -eq "$count" ] || { echo "fetch-port: $pkg: files came that are not pinned" >&2; exit 1; }
dsc=$(ls "$out/download"/*.dsc)
dpkg-source --no-check -x "$dsc" "$out/src" >>"$out/apt.log" 2>&1 ||
    { echo "fetch-port: $pkg: dpkg-source failed (see $out/apt.log)" >&2; exit 1; }
touch "$out/.unpacked"
echo "fetch-port: $pkg $version unpacked in $out/src"
