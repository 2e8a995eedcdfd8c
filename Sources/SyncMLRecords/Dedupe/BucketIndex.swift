/// A multimap from 64-bit key hashes to units: the units sorted by (key, unit)
/// in one flat array, and an open-addressing table from each key to its run,
/// so a lookup costs a probe or two instead of a binary search's cache misses.
struct BucketIndex {
    private var entries: [(key: UInt64, unit: Int32)] = []
    private var units: [Int32] = []
    /// Slots of the table: a key (0 = empty; keys are never 0), where its run starts and ends in `units`.
    private var slotKeys: [UInt64] = []
    private var slotRuns: [(start: Int32, end: Int32)] = []
    private var mask = 0

    mutating func add(_ key: UInt64, _ unit: Int) {
        entries.append((key, Int32(unit)))
    }

    /// Builds the table; call once, after the last `add`.
    mutating func seal() {
        entries.sort { $0.key != $1.key ? $0.key < $1.key : $0.unit < $1.unit }
        units = entries.map(\.unit)
        var size = 16
        while size < entries.count * 2 { size <<= 1 }
        mask = size - 1
        slotKeys = [UInt64](repeating: 0, count: size)
        slotRuns = [(start: Int32, end: Int32)](repeating: (0, 0), count: size)
        var start = 0
        while start < entries.count {
            var end = start + 1
            while end < entries.count, entries[end].key == entries[start].key { end += 1 }
            var slot = Int(truncatingIfNeeded: entries[start].key) & mask
            while slotKeys[slot] != 0 { slot = (slot + 1) & mask }
            slotKeys[slot] = entries[start].key
            slotRuns[slot] = (Int32(start), Int32(end))
            start = end
        }
        entries = []
    }

    /// The units under `key`, ascending.
    func bucket(_ key: UInt64) -> ArraySlice<Int32> {
        guard !slotKeys.isEmpty else { return [] }
        var slot = Int(truncatingIfNeeded: key) & mask
        while slotKeys[slot] != 0 {
            if slotKeys[slot] == key { return units[Int(slotRuns[slot].start)..<Int(slotRuns[slot].end)] }
            slot = (slot + 1) & mask
        }
        return []
    }
}
