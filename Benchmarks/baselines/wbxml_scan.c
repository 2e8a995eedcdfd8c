// The raw C baseline for WBXML decoding: how fast the CSupport scanner alone
// reads a message as tokens (csupport_wbxml_count_tokens), with no Swift and
// no SyncML model. The decoder's MB/s is judged against this figure.
//
//   cc -O2 -I CSupport/include Benchmarks/baselines/wbxml_scan.c CSupport/src/wbxml_scanner.c -o /tmp/wbxml_scan
//   /tmp/wbxml_scan FILE [repeats]
//
// The file is read into memory first; each repeat scans it whole. Prints one
// JSON line: {"bytes":..,"tokens":..,"seconds_median":..,"mb_per_s":..}
// (MB = 10^6 bytes, as in the package benchmarks).
#define _POSIX_C_SOURCE 199309L
#include "csupport_wbxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint8_t *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    size_t capacity = 1 << 20, used = 0;
    uint8_t *data = malloc(capacity);
    for (;;) {
        if (data == NULL) break;
        used += fread(data + used, 1, capacity - used, file);
        if (used < capacity) break;
        capacity *= 2;
        uint8_t *grown = realloc(data, capacity);
        if (grown == NULL) free(data);
        data = grown;
    }
    int failed = ferror(file);
    fclose(file);
    if (failed || data == NULL) {
        free(data);
        return NULL;
    }
    *length = used;
    return data;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s FILE [repeats]\n", argv[0]);
        return 2;
    }
    int repeats = argc == 3 ? atoi(argv[2]) : 20;
    if (repeats < 1) repeats = 1;
    size_t length = 0;
    uint8_t *bytes = read_file(argv[1], &length);
    if (bytes == NULL) {
        perror(argv[1]);
        return 1;
    }
    double *seconds = malloc(sizeof(double) * (size_t)repeats);
    if (seconds == NULL) return 1;
    csupport_wbxml_counts counts;
    for (int i = 0; i < repeats; i++) {
        double started = now();
        csupport_wbxml_status status = csupport_wbxml_count_tokens(bytes, length, NULL, &counts);
        seconds[i] = now() - started;
        if (status != CSUPPORT_WBXML_END) {
            fprintf(stderr, "%s: not a whole WBXML document (status %d)\n", argv[1], (int)status);
            return 1;
        }
    }
    qsort(seconds, (size_t)repeats, sizeof(double), compare_doubles);
    double median = repeats % 2 ? seconds[repeats / 2] : (seconds[repeats / 2 - 1] + seconds[repeats / 2]) / 2;
    printf("{\"bytes\":%zu,\"tokens\":%llu,\"seconds_median\":%.6f,\"mb_per_s\":%.1f}\n", length,
           (unsigned long long)counts.tokens, median, median > 0 ? (double)length / median / 1e6 : 0.0);
    free(seconds);
    free(bytes);
    return 0;
}
