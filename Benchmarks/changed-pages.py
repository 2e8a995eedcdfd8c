#!/usr/bin/env python3
"""Which B-trees' pages differ between two copies of one SQLite store (issue #16).

  changed-pages.py BEFORE AFTER

BEFORE is a copy taken before some work ran on AFTER (e.g. `two-way-leg.py run --keep`
on a copy of its base). Both are checkpointed first (`wal_checkpoint(TRUNCATE)`), then
compared page by page; each differing page is charged to the table or index that owns
it in AFTER (`dbstat`). Prints pages and MB per B-tree, most first: what the work
wrote, by index, independent of timing.
"""
import collections, sqlite3, sys


def checkpoint(path):
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def main(before, after):
    for path in (before, after):
        checkpoint(path)
    connection = sqlite3.connect(after)
    owner = {page: name for name, page in connection.execute("SELECT name, pageno FROM dbstat")}
    size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    changed = collections.Counter()
    with open(before, "rb") as old, open(after, "rb") as new:
        page = 1
        while True:
            a, b = old.read(size), new.read(size)
            if not b:
                break
            if a != b:
                changed[owner.get(page, "(free list or other)")] += 1
            page += 1
    for name, count in changed.most_common():
        print(f"{count:7d} {count * size / 1e6:7.2f} MB  {name}")
    total = sum(changed.values())
    print(f"{total:7d} {total * size / 1e6:7.2f} MB  total")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
