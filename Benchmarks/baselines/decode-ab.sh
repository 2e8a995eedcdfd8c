#!/bin/bash
# The decoder of commit BEFORE against the working tree's, in one process (see
# decode_ab.swift), built as SwiftPM's release build does: swiftc -O -wmo, the C
# scanner at -O2. Needs nothing but the toolchain; builds in a temporary directory.
#
#   Benchmarks/baselines/decode-ab.sh BEFORE MESSAGE...     # REPEATS=30 rounds per message
#   syncml generate contacts --count 10000 -o /tmp/message.wbxml    # a message
#   syncml encode /tmp/message.wbxml --xml > /tmp/message.xml       # the same in XML
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 BEFORE-COMMIT MESSAGE..." >&2; exit 2; }
before=$1
shift
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/before-src" "$work/modules"
git -C "$root" archive "$before" Sources/SyncMLCodec | tar -x -C "$work/before-src"
cat > "$work/module.modulemap" <<MAP
module CSupport { umbrella "$root/CSupport/include" export * }
MAP
clang -O2 -I "$root/CSupport/include" -c "$root/CSupport/src/wbxml_scanner.c" -o "$work/wbxml_scanner.o"
flags=(-O -wmo -parse-as-library -package-name syncml -swift-version 6
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
    -enable-upcoming-feature InternalImportsByDefault
    -Xcc -fmodule-map-file="$work/module.modulemap" -Xcc -fmodule-map-file="$root/CSupport/system/zlib/module.modulemap")
codec() { # module name, sources directory
    swiftc "${flags[@]}" -module-name "$1" -emit-module -emit-module-path "$work/modules/$1.swiftmodule" \
        -c $(find "$2" -name '*.swift') -o "$work/$1.o"
}
codec SyncMLCodecBefore "$work/before-src/Sources/SyncMLCodec"
codec SyncMLCodec "$root/Sources/SyncMLCodec"
swiftc -O -package-name syncml -I "$work/modules" -Xcc -fmodule-map-file="$work/module.modulemap" \
    -Xcc -fmodule-map-file="$root/CSupport/system/zlib/module.modulemap" \
    "$root/Benchmarks/baselines/decode_ab.swift" "$work/SyncMLCodecBefore.o" "$work/SyncMLCodec.o" \
    "$work/wbxml_scanner.o" -o "$work/decode-ab"
for message in "$@"; do
    echo "$message: $("$work/decode-ab" "$message" "${REPEATS:-30}")"
done
