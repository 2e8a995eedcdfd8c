#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (docs/FUZZING.md).
#
#   Fuzz/run.sh [--parallel] TARGET|all [SECONDS]   run each target for SECONDS (default 600)
#   Fuzz/run.sh --smoke                  every target for 30 s, all at once, for CI
#   Fuzz/run.sh --build-only
#
# Targets: wbxml-scanner and zframe (C, built with the toolchain's clang), decoder, records,
# server (Swift, `swift build` with SYNCML_FUZZ=1 and -sanitize=fuzzer,address).
# Corpora live in .build/fuzz/corpus/TARGET: seeded from ../shared/fixtures
# (or $SYNCML_FIXTURES) and Fuzz/seeds, and kept between runs (--smoke starts
# from the seeds alone, in .build/fuzz/smoke-corpus). Inputs that crash,
# hang or leak are written to Fuzz/crashes/TARGET/; the script then exits 1.
# Runs at `nice -n 19` (builds at `nice -n 10`) so that other work keeps the CPU.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SCRATCH=$ROOT/.build/fuzz
FIXTURES=${SYNCML_FIXTURES:-$ROOT/../shared/fixtures/syncevolution}
ALL=(wbxml-scanner zframe decoder records server)

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

build_only=0 parallel=0 smoke=0 seconds=600
if [[ ${1:-} == --parallel ]]; then parallel=1; shift; fi
case "${1:-}" in
    --smoke) smoke=1; parallel=1; targets=("${ALL[@]}"); seconds=30 ;;
    --build-only) build_only=1; targets=("${ALL[@]}") ;;
    all) targets=("${ALL[@]}"); seconds=${2:-600} ;;
    wbxml-scanner|zframe|decoder|records|server) targets=("$1"); seconds=${2:-600} ;;
    *) usage ;;
esac
[[ -d $FIXTURES ]] || { echo "no fixtures at $FIXTURES (set SYNCML_FIXTURES)" >&2; exit 2; }
export SYNCML_FIXTURES=$FIXTURES
# A smoke run starts from the seeds alone each time, so that it takes the same time anywhere.
CORPORA=$SCRATCH/corpus
[[ $smoke == 1 ]] && CORPORA=$SCRATCH/smoke-corpus

binary() {
    case $1 in
        wbxml-scanner) echo "$SCRATCH/wbxml-scanner-fuzzer" ;;
        zframe) echo "$SCRATCH/zframe-fuzzer" ;;
        *) echo "$SCRATCH/release/fuzz-$1" ;;
    esac
}

build() {
    local target=$1
    if [[ $target == wbxml-scanner ]]; then
        # The scanner alone, with UBSan too: its contract is "never read outside the buffer".
        mkdir -p "$SCRATCH"
        nice -n 10 "$(dirname "$(readlink -f "$(command -v swift)")")/clang" \
            -fuse-ld=lld -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
            -ICSupport/include Fuzz/wbxml_scanner_fuzzer.c CSupport/src/wbxml_scanner.c \
            -o "$(binary "$target")"
    elif [[ $target == zframe ]]; then
        # The frame codec and its fixed- and dynamic-Huffman encoders, against the system zlib.
        mkdir -p "$SCRATCH"
        nice -n 10 "$(dirname "$(readlink -f "$(command -v swift)")")/clang" \
            -fuse-ld=lld -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
            -ICSupport/include -ICSupport/src Fuzz/zframe_fuzzer.c CSupport/src/zlib_frame.c CSupport/src/fixed_deflate.c CSupport/src/base64_lift.c \
            -lz -o "$(binary "$target")"
    else
        # lld: gold fails to link Swift with libFuzzer here (an internal error in its DWARF reader).
        SYNCML_FUZZ=1 nice -n 10 swift build -c release --scratch-path "$SCRATCH" --product "fuzz-$target" \
            -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
            -Xcc -fsanitize=fuzzer-no-link,address
    fi
}

# Copies `file` into the corpus as PREFIX-BYTE + file, named after its path.
seed() {
    local corpus=$1 prefix=$2 file=$3
    local name
    name=$(echo "${file#"$FIXTURES"/}" | tr '/' '_')
    if [[ -n $prefix ]]; then
        { printf "$prefix"; cat "$file"; } > "$corpus/seed-$name"
    else
        cp "$file" "$corpus/seed-$name"
    fi
}

seed_corpus() {
    local target=$1 corpus=$CORPORA/$1 file
    [[ $smoke == 1 ]] && rm -rf "$corpus"
    mkdir -p "$corpus"
    case $target in
        wbxml-scanner)
            for file in "$FIXTURES"/*/*.wbxml Examples/*.wbxml; do seed "$corpus" "" "$file"; done ;;
        zframe)
            # Even first byte: a record after a dictionary of 16 x the second byte (here none); odd: a frame.
            while IFS= read -r -d '' file; do seed "$corpus" '\000\000' "$file"; done \
                < <(find "$FIXTURES" -path '*client-data-before/*' -type f -print0)
            # 0x03: records with long base64 values; 0x05: a lifted frame.
            cp Fuzz/seeds/zframe/* "$corpus/" ;;
        decoder)
            for file in "$FIXTURES"/*/*-c2s.* "$FIXTURES"/*/*-s2c.* Examples/*.wbxml; do seed "$corpus" "" "$file"; done ;;
        records)
            # First byte 0: vCard/vCalendar; SIF seeds carry their own selector byte.
            while IFS= read -r -d '' file; do seed "$corpus" '\000' "$file"; done \
                < <(find "$FIXTURES" -path '*client-data-before/*' -type f -print0)
            cp Fuzz/seeds/records/* "$corpus/" ;;
        server)
            # First byte: 0 = a first message; 1/2/3 = the next messages of the session fuzz-server prepares.
            for file in "$FIXTURES"/*/002-c2s.wbxml "$FIXTURES"/*/002-c2s.xml; do seed "$corpus" '\000' "$file"; done
            for file in "$FIXTURES"/01-slow-first-wbxml/0{06,10,14}-c2s.wbxml; do seed "$corpus" '\001' "$file"; done
            for file in "$FIXTURES"/01-slow-first-wbxml/0{06,10,14}-c2s.pretty.xml; do seed "$corpus" '\002' "$file"; done
            for file in "$FIXTURES"/10-refresh-from-server-basic-auth-wbxml/0{06,10,14}-c2s.wbxml; do seed "$corpus" '\003' "$file"; done ;;
    esac
}

# libFuzzer options per target.
options() {
    case $1 in
        decoder) echo "-dict=Fuzz/dictionaries/syncml.dict" ;;
        # Long records (the dynamic-code encoder, up to 32,767 bytes) from the input itself too.
        zframe) echo "-max_len=40000" ;;
        records) echo "-dict=Fuzz/dictionaries/records.dict" ;;
        # A fresh store per input leaves SQLite's and the runtime's caches with more
        # mallocs than frees after every run, so with leak detection libFuzzer re-runs
        # each input under LeakSanitizer: 4x the cost. (Run with it, LSan found nothing
        # and the RSS is flat with a small quarantine.)
        server) echo "-dict=Fuzz/dictionaries/syncml.dict -detect_leaks=0" ;;
    esac
}

for target in "${targets[@]}"; do
    echo "== building $target"
    build "$target"
done
[[ $build_only == 1 ]] && exit 0

# Fuzzes one target; its one-line summary goes to $SCRATCH/TARGET.summary. Fails on findings.
fuzz() {
    local target=$1 crashes=$ROOT/Fuzz/crashes/$1
    local before after new log started elapsed runs last line status
    mkdir -p "$crashes"
    seed_corpus "$target"
    # slow-unit-* files are not findings: on a busy machine any input can take seconds of wall time.
    before=$(find "$crashes" -type f ! -name 'slow-unit-*' | wc -l)
    log=$SCRATCH/$target.log
    echo "== fuzzing $target for $seconds s (log: $log)"
    started=$(date +%s)
    # Swift's backtracer would wait on a crashing fuzz target; libFuzzer reports crashes itself.
    status=0
    # A 64 MB quarantine (ASan's default: 256) keeps four targets side by side in memory.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64} nice -n 19 "$(binary "$target")" \
        -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$crashes/" $(options "$target") \
        "$CORPORA/$target" > "$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - started ))
    runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' || true)
    [[ -n $runs ]] || runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -E 's/.*(cov: [0-9]+ ft: [0-9]+ corp: [^ ]+).*(exec\/s: [0-9]+).*/\1 \2/' || true)
    after=$(find "$crashes" -type f ! -name 'slow-unit-*' | wc -l)
    new=$(( after - before ))
    line="$target: $runs runs in $elapsed s, $last, corpus $(find "$CORPORA/$target" -type f | wc -l) files, new findings: $new"
    if (( status != 0 || new > 0 )); then
        line+=" (exit $status; see $log)"
        grep -E 'ERROR|SUMMARY|fuzz invariant|Fatal error|wbxml_scanner_fuzzer:' "$log" | head -5 || true
    fi
    echo "$line" | tee "$SCRATCH/$target.summary"
    (( status == 0 && new == 0 ))
}

# libFuzzer's -max_total_time is wall-clock time: at nice 19 on a busy machine,
# running the targets side by side gives each its full time in the same wall time.
found=0 pids=()
for target in "${targets[@]}"; do
    if [[ $parallel == 1 ]]; then
        fuzz "$target" & pids+=($!)
    else
        fuzz "$target" || found=1
    fi
done
for pid in "${pids[@]}"; do wait "$pid" || found=1; done

echo "== summary"
for target in "${targets[@]}"; do cat "$SCRATCH/$target.summary"; done
exit $found
