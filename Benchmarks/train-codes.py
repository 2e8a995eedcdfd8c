#!/usr/bin/env python3
"""Trains the implied Huffman codes of coded payload frames (method 3, CSupport/include/csupport_zlib.h).

  train-codes.py DIR...           prints the C table of 286 literal/length and 30 distance code lengths
  train-codes.py --evaluate DIR... prints bytes per record: fixed codes against the table in fixed_deflate.c

Every file under the DIRs is one record (a vCard, an iCalendar or vCalendar object). Each record of at
most 2,048 bytes is compressed as the journal compresses it (raw deflate primed with dictionary 1, here
zlib's matcher with fixed codes, close to ours), its symbols are read back from the fixed-code bit stream
and counted; the table is the length-limited (15 bits) minimum-redundancy code of those counts, every
symbol counted at least once so that any record can be written with it.
"""
import argparse
import collections
import os
import re
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]


def dictionary():
    """Dictionary 1's bytes, read from PayloadDictionary.swift (its CRC is pinned there: 0x49166C23)."""
    source = open(os.path.join(ROOT, "Sources/SyncMLStore/SQLite/PayloadDictionary.swift")).read()
    block = source[source.index("version1Lines: [String] = ["):]
    block = block[:block.index("\n    ]")]
    lines = re.findall(r'^\s*"((?:[^"\\]|\\.)*)",?\s*(?://.*)?$', block, re.M)
    data = ("\r\n".join(line.encode().decode("unicode_escape") for line in lines) + "\r\n").encode("latin-1")
    assert zlib.crc32(data) == 0x49166C23, "dictionary 1 not read as pinned"
    return data


class Bits:
    """An LSB-first reader of a deflate stream."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def bit(self):
        value = (self.data[self.at >> 3] >> (self.at & 7)) & 1
        self.at += 1
        return value

    def bits(self, count):
        return sum(self.bit() << i for i in range(count))

    def msb_first(self, count):
        value = 0
        for _ in range(count):
            value = value << 1 | self.bit()
        return value


def fixed_literal(reader):
    code = reader.msb_first(7)
    if code <= 0x17:
        return 256 + code
    code = code << 1 | reader.bit()
    if 0x30 <= code <= 0xBF:
        return code - 0x30
    if 0xC0 <= code <= 0xC7:
        return 280 + code - 0xC0
    return 144 + (code << 1 | reader.bit()) - 0x190


def symbols(record, preset):
    """The literal/length and distance symbols of `record`'s fixed-code deflate, and its extra bits."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15, 9, zlib.Z_FIXED, zdict=preset)
    reader = Bits(compressor.compress(record) + compressor.flush())
    reader.bits(1)
    assert reader.bits(2) == 1
    literals, distances, extra = [], [], 0
    while True:
        symbol = fixed_literal(reader)
        literals.append(symbol)
        if symbol == 256:
            return literals, distances, extra
        if symbol > 256:
            extra += LENGTH_EXTRA[symbol - 257]
            reader.bits(LENGTH_EXTRA[symbol - 257])
            distance = reader.msb_first(5)
            distances.append(distance)
            extra += DISTANCE_EXTRA[distance]
            reader.bits(DISTANCE_EXTRA[distance])


def limited_lengths(counts, limit):
    """Code lengths of at most `limit` bits minimizing sum(count * length) (package-merge)."""
    leaves = sorted((count, (symbol,)) for symbol, count in enumerate(counts))
    packages = list(leaves)
    for _ in range(limit - 1):
        paired = [(packages[i][0] + packages[i + 1][0], packages[i][1] + packages[i + 1][1]) for i in range(0, len(packages) - 1, 2)]
        packages = sorted(leaves + paired, key=lambda p: p[0])
    lengths = [0] * len(counts)
    for _, members in packages[:2 * len(counts) - 2]:
        for symbol in members:
            lengths[symbol] += 1
    assert sum(2.0 ** -length for length in lengths) == 1.0, "the code is complete"
    return lengths


def records(directories):
    for directory in directories:
        for folder, _, names in sorted(os.walk(directory)):
            for name in sorted(names):
                data = open(os.path.join(folder, name), "rb").read()
                if 1 < len(data) <= 2048:
                    yield data


def table_in_c():
    source = open(os.path.join(ROOT, "CSupport/src/fixed_deflate.c")).read()
    body = source[source.index("coded_lengths[286 + 30] = {"):]
    body = body[body.index("{") + 1:body.index("};")]
    return [int(n) for n in re.findall(r"\d+", re.sub(r"//.*", "", body))]


def fixed_bits(symbol):
    return 8 if symbol < 144 else 9 if symbol < 256 else 7 if symbol < 280 else 8


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--evaluate", action="store_true")
    parser.add_argument("directories", nargs="+")
    args = parser.parse_args()
    preset = dictionary()
    if args.evaluate:
        lengths = table_in_c()
        fixed = coded = count = 0
        for record in records(args.directories):
            literals, distances, extra = symbols(record, preset)
            fixed += (3 + extra + sum(fixed_bits(s) for s in literals) + 7) // 8
            coded += (extra + sum(lengths[s] for s in literals) + sum(lengths[286 + d] for d in distances) + 7) // 8
            count += 1
        print(f"{count} records: fixed codes {fixed / count:.1f} B, coded {coded / count:.1f} B a record (deflate body only)")
        return
    literal_counts, distance_counts = [1] * 286, [1] * 30
    for record in records(args.directories):
        literals, distances, _ = symbols(record, preset)
        for symbol in literals:
            literal_counts[symbol] += 1
        for symbol in distances:
            distance_counts[symbol] += 1
    lengths = limited_lengths(literal_counts, 15) + limited_lengths(distance_counts, 15)
    print(f"// {sum(literal_counts) - 286} literal/length and {sum(distance_counts) - 30} distance symbols counted", file=sys.stderr)
    rows = [", ".join(str(n) for n in lengths[i:i + 16]) for i in range(0, len(lengths), 16)]
    print("static const uint8_t coded_lengths[286 + 30] = {\n    " + ",\n    ".join(rows) + ",\n};")


if __name__ == "__main__":
    main()
