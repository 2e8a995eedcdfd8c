// The bare C cost of each part of storing a contact, measured on the same
// records our engine syncs: the floor that Benchmarks/side-by-side.py holds
// the engine's per-contact cost against.
//
//   cc -O2 -I CSupport/include Benchmarks/baselines/bare_costs.c CSupport/src/murmur3.c -lsqlite3 -lz -o /tmp/bare_costs
//   /tmp/bare_costs RECORDS_FILE DB_PATH [repeats]
//
// RECORDS_FILE holds the records separated by NUL bytes (`syncml-bench records`).
// Prints one JSON line; every figure is the median of `repeats` runs:
//   read_gbps / copy_gbps  memory bandwidth over the same bytes (sum of words, memcpy)
//   hash_ns                MurmurHash3 x64-128 of one record (the fingerprint's hash)
//   compress_ns            raw deflate of one record, default level, stream reset per record
//   insert_ns              one row (16-byte fingerprint + compressed record) through a
//                          prepared INSERT, 1,000 rows per transaction, WAL, synchronous=NORMAL
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "csupport_hash.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, int count) {
    qsort(values, (size_t)count, sizeof *values, compare_doubles);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

static void fail(const char *what) {
    fprintf(stderr, "bare_costs: %s\n", what);
    exit(1);
}

typedef struct {
    const uint8_t *bytes;
    size_t length;
} record;

int main(int argc, char **argv) {
    if (argc < 3) fail("usage: bare_costs RECORDS_FILE DB_PATH [repeats]");
    int repeats = argc > 3 ? atoi(argv[3]) : 5;
    if (repeats < 1 || repeats > 100) fail("repeats must be 1...100");

    FILE *file = fopen(argv[1], "rb");
    if (!file) fail("cannot open the records file");
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, file) != (size_t)size) fail("cannot read the records file");
    fclose(file);

    size_t count = 0, capacity = 1024;
    record *records = malloc(capacity * sizeof *records);
    for (size_t start = 0, i = 0; i <= (size_t)size; i++) {
        if (i == (size_t)size || data[i] == 0) {
            if (i > start) {
                if (count == capacity) records = realloc(records, (capacity *= 2) * sizeof *records);
                records[count++] = (record){data + start, i - start};
            }
            start = i + 1;
        }
    }
    if (count == 0) fail("no records");

    double *runs = malloc((size_t)repeats * sizeof *runs);
    uint8_t *copy = malloc((size_t)size);
    volatile uint64_t sink = 0;

    // Memory bandwidth over the same bytes.
    for (int r = 0; r < repeats; r++) {
        double started = now();
        uint64_t sum = 0;
        const uint64_t *words = (const uint64_t *)data;
        for (size_t i = 0; i < (size_t)size / 8; i++) sum += words[i];
        sink += sum;
        runs[r] = (double)size / (now() - started) / 1e9;
    }
    double read_gbps = median(runs, repeats);
    for (int r = 0; r < repeats; r++) {
        double started = now();
        memcpy(copy, data, (size_t)size);
        sink += copy[r % size];
        runs[r] = (double)size / (now() - started) / 1e9;
    }
    double copy_gbps = median(runs, repeats);

    // Hash: the 128-bit MurmurHash3 our fingerprints use.
    uint8_t (*fingerprints)[16] = malloc(count * 16);
    for (int r = 0; r < repeats; r++) {
        double started = now();
        for (size_t i = 0; i < count; i++) csupport_murmur3_x64_128(records[i].bytes, records[i].length, 0, fingerprints[i]);
        runs[r] = (now() - started) * 1e9 / (double)count;
    }
    double hash_ns = median(runs, repeats);

    // Compress: raw deflate per record, one stream reset between records.
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("deflateInit2");
    // Each record's output gets its own slot of deflateBound bytes, packed one after another.
    size_t *slot = malloc((count + 1) * sizeof *slot);
    slot[0] = 0;
    for (size_t i = 0; i < count; i++) slot[i + 1] = slot[i] + deflateBound(&stream, (uLong)records[i].length);
    uint8_t *compressed = malloc(slot[count]);
    size_t *compressed_length = malloc(count * sizeof *compressed_length);
    if (!compressed || !compressed_length) fail("out of memory");
    for (int r = 0; r < repeats; r++) {
        double started = now();
        for (size_t i = 0; i < count; i++) {
            deflateReset(&stream);
            stream.next_in = (Bytef *)records[i].bytes;
            stream.avail_in = (uInt)records[i].length;
            stream.next_out = compressed + slot[i];
            stream.avail_out = (uInt)(slot[i + 1] - slot[i]);
            if (deflate(&stream, Z_FINISH) != Z_STREAM_END) fail("deflate");
            compressed_length[i] = slot[i + 1] - slot[i] - stream.avail_out;
        }
        runs[r] = (now() - started) * 1e9 / (double)count;
    }
    double compress_ns = median(runs, repeats);
    deflateEnd(&stream);

    // Insert: a fresh database per run.
    for (int r = 0; r < repeats; r++) {
        remove(argv[2]);
        char wal[4096], shm[4096];
        snprintf(wal, sizeof wal, "%s-wal", argv[2]);
        snprintf(shm, sizeof shm, "%s-shm", argv[2]);
        remove(wal);
        remove(shm);
        sqlite3 *db;
        sqlite3_stmt *insert;
        if (sqlite3_open(argv[2], &db) != SQLITE_OK) fail("sqlite3_open");
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         "CREATE TABLE rows(id INTEGER PRIMARY KEY, fingerprint BLOB NOT NULL, payload BLOB NOT NULL)",
                     NULL, NULL, NULL);
        if (sqlite3_prepare_v2(db, "INSERT INTO rows(fingerprint, payload) VALUES (?, ?)", -1, &insert, NULL) != SQLITE_OK)
            fail("sqlite3_prepare_v2");
        double started = now();
        for (size_t i = 0; i < count; i++) {
            if (i % 1000 == 0) sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
            sqlite3_bind_blob(insert, 1, fingerprints[i], 16, SQLITE_STATIC);
            sqlite3_bind_blob(insert, 2, compressed + slot[i], (int)compressed_length[i], SQLITE_STATIC);
            if (sqlite3_step(insert) != SQLITE_DONE) fail("sqlite3_step");
            sqlite3_reset(insert);
            if (i % 1000 == 999 || i + 1 == count) sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        }
        runs[r] = (now() - started) * 1e9 / (double)count;
        sqlite3_finalize(insert);
        sqlite3_close(db);
        remove(argv[2]);
        remove(wal);
        remove(shm);
    }
    double insert_ns = median(runs, repeats);

    size_t compressed_total = 0;
    for (size_t i = 0; i < count; i++) compressed_total += compressed_length[i];
    printf("{\"records\":%zu,\"bytes\":%ld,\"compressed_bytes\":%zu,\"read_gbps\":%.3f,\"copy_gbps\":%.3f,"
           "\"hash_ns\":%.1f,\"compress_ns\":%.1f,\"insert_ns\":%.1f,\"sink\":%llu}\n",
           count, size, compressed_total, read_gbps, copy_gbps, hash_ns, compress_ns, insert_ns,
           (unsigned long long)(sink & 1));
    return 0;
}
