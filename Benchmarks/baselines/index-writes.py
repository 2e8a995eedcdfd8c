#!/usr/bin/env python3
"""What one index costs a slow sync's commits: the store's item, journal and map
rows for N new contacts, 200 a transaction (a message), WAL and synchronous=FULL
as `SyncStore` opens them, with `items_fingerprint` indexed at once, deferred to
one catch-up at the end (`fingerprint_pending`, schema 10), or absent.

    python3 Benchmarks/baselines/index-writes.py [N]

Prints the CPU of the process and the bytes it wrote per item for each variant,
twice, alternating. The payloads are random bytes of the journal's average size.
"""
import os
import random
import sqlite3
import sys
import tempfile
import time

SCHEMA = """
CREATE TABLE items(id INTEGER PRIMARY KEY, datastore_id INTEGER NOT NULL, guid TEXT NOT NULL, type TEXT NOT NULL,
                   fingerprint BLOB, fingerprint_pending INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
                   version INTEGER NOT NULL DEFAULT 0, UNIQUE(datastore_id, guid));
CREATE TABLE journal(seq INTEGER PRIMARY KEY, datastore_id INTEGER NOT NULL, item_id INTEGER NOT NULL, op INTEGER NOT NULL,
                     prev_seq INTEGER NOT NULL DEFAULT 0, fingerprint BLOB, match_keys BLOB, payload BLOB, time INTEGER NOT NULL,
                     device_id INTEGER, session_id INTEGER);
CREATE INDEX journal_store_seq ON journal(datastore_id, seq);
CREATE INDEX journal_item_seq ON journal(item_id, seq);
CREATE INDEX journal_session ON journal(session_id) WHERE session_id IS NOT NULL;
CREATE TABLE maps(device_id INTEGER NOT NULL, datastore_id INTEGER NOT NULL, luid TEXT NOT NULL, item_id INTEGER NOT NULL,
                  PRIMARY KEY(device_id, datastore_id, luid)) WITHOUT ROWID;
CREATE UNIQUE INDEX maps_item ON maps(device_id, datastore_id, item_id);
"""


def written_bytes():
    with open("/proc/self/io") as io:
        return int(next(line for line in io if line.startswith("wchar:")).split()[1])


def run(variant, count, directory, per_message=200):
    path = os.path.join(directory, f"{variant}.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "cache_size=-32768"):
        db.execute("PRAGMA " + pragma)
    db.executescript(SCHEMA)
    if variant != "none":
        db.execute("CREATE INDEX items_fingerprint ON items(datastore_id, fingerprint) WHERE deleted = 0 AND fingerprint_pending IS NULL")
    pending = 1 if variant == "deferred" else None
    rng = random.Random(1)
    cpu, wrote = time.process_time(), written_bytes()
    for first in range(1, count + 1, per_message):
        db.execute("BEGIN IMMEDIATE")
        for i in range(first, min(first + per_message, count + 1)):
            fingerprint = rng.randbytes(16)
            db.execute("INSERT INTO items(datastore_id, guid, type, fingerprint, fingerprint_pending, version) VALUES (1, ?, 'text/vcard', ?, ?, ?)",
                       (str(i), fingerprint, pending, i))
            db.execute("INSERT INTO journal VALUES (?, 1, ?, 1, 0, ?, ?, ?, 0, 1, 1)", (i, i, fingerprint, rng.randbytes(56), rng.randbytes(415)))
            db.execute("INSERT INTO maps VALUES (1, 1, ?, ?)", (f"luid{i}", i))
        db.execute("COMMIT")
    if variant == "deferred":
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE items SET fingerprint_pending = NULL WHERE fingerprint_pending IS NOT NULL")
        db.execute("COMMIT")
    cpu, wrote = time.process_time() - cpu, written_bytes() - wrote
    db.close()
    return cpu, wrote / count


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(2):
            for variant in ("indexed", "deferred", "none"):
                cpu, per_item = run(variant, count, directory)
                print(f"{variant:9} {count} items: CPU {cpu:.2f} s, written {per_item / 1024:.2f} KB an item", flush=True)
                for suffix in ("", "-wal", "-shm"):
                    try:
                        os.remove(os.path.join(directory, f"{variant}.sqlite{suffix}"))
                    except FileNotFoundError:
                        pass


if __name__ == "__main__":
    main()
