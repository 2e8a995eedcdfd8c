public import SyncMLRecords
extension SyncDataSource {
    /// The duplicates this source already holds — records that are one person,
    /// event or task written differently — as an async sequence of proposals:
    /// each group, why its records are one, and the merged record it would become
    /// (docs/DEDUPE.md). For a host app to run over its records before the first
    /// sync; `merge(_:)` applies one proposal.
    ///
    /// Reads the records twice through `records(batchSize:)`: first to sign them
    /// (kept: ids, fingerprints and match keys, not payloads), then to collect the
    /// members of the groups found; a group is handed out as soon as its last
    /// member was read again. A record that changed between the two reads leaves
    /// its group out; records that are not vCards, iCalendars or SIF are passed over.
    public func duplicates(batchSize: Int = 1_000) -> AsyncThrowingStream<DuplicateProposal, any Error> {
        let scan = DuplicateScan(source: self, batchSize: batchSize)
        return AsyncThrowingStream { try await scan.next() }
    }

    /// Applies a proposal: the survivor is updated with the merged record and the
    /// other members are deleted. The host should keep the originals (a backup,
    /// its own history) if it wants the merge to be reversible.
    public func merge(_ proposal: DuplicateProposal) async throws {
        try await update(id: proposal.survivor, payload: try proposal.payload(), type: proposal.encoding.mimeType)
        for id in proposal.group.members where id != proposal.survivor {
            try await delete(id: id)
        }
    }
}

/// The state of one `duplicates(batchSize:)` sequence, pulled one proposal at a time.
actor DuplicateScan {
    private let source: any SyncDataSource
    private let batchSize: Int
    private var started = false
    private var groups: [DuplicateGroup] = []
    /// Member id → its group and its fingerprint at the first read.
    private var membership: [String: (group: Int, fingerprint: Fingerprint)] = [:]
    private var collected: [Int: [String: DuplicateRecord]] = [:]
    private var stale = Set<Int>()
    private var batches: AsyncThrowingStream<[HostRecord], any Error>.AsyncIterator?
    private var ready: [DuplicateProposal] = []

    init(source: any SyncDataSource, batchSize: Int) {
        self.source = source
        self.batchSize = max(1, batchSize)
    }

    func next() async throws -> DuplicateProposal? {
        if !started {
            started = true
            try await findGroups()
            batches = groups.isEmpty ? nil : source.records(batchSize: batchSize).makeAsyncIterator()
        }
        while ready.isEmpty, var iterator = batches {
            let batch = try await iterator.next(isolation: self)
            batches = batch == nil ? nil : iterator
            let complete = (batch ?? []).compactMap { collect($0) }
            ready += await Self.propose(complete, fingerprints: membership)
        }
        return ready.isEmpty ? nil : ready.removeFirst()
    }

    /// The first read: every record signed (in parallel, a batch at a time), then grouped.
    private func findGroups() async throws {
        var candidates: [DuplicateCandidate] = []
        for try await batch in source.records(batchSize: batchSize) {
            candidates += await Self.sign(batch)
        }
        groups = DuplicateFinder.find(candidates).groups
        let fingerprints = Dictionary(candidates.map { ($0.id, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
        for (index, group) in groups.enumerated() {
            for id in group.members { membership[id] = (index, fingerprints[id]!) }
        }
    }

    /// The candidates of a batch, its records parsed on every core.
    static func sign(_ batch: [HostRecord]) async -> [DuplicateCandidate] {
        let pieces = max(1, min(batch.count / 64, 8))
        let size = (batch.count + pieces - 1) / max(pieces, 1)
        return await withTaskGroup(of: (Int, [DuplicateCandidate]).self) { group in
            for piece in 0..<pieces {
                let slice = Array(batch[min(piece * size, batch.count)..<min((piece + 1) * size, batch.count)])
                group.addTask { (piece, slice.compactMap { read($0)?.candidate }) }
            }
            var parts = [[DuplicateCandidate]](repeating: [], count: pieces)
            for await (piece, candidates) in group { parts[piece] = candidates }
            return parts.flatMap { $0 }
        }
    }

    /// A host record as a record the finder reads, or nil when it is none.
    static func read(_ host: HostRecord) -> DuplicateRecord? {
        guard let parsed = try? RecordPayload.parse(host.payload, type: host.type), let first = parsed.first else { return nil }
        return DuplicateRecord(id: host.id, record: first.record, encoding: first.encoding)
    }

    /// The second read: a member of a group is kept; a group whose last member this is comes back with its records.
    private func collect(_ host: HostRecord) -> (group: DuplicateGroup, records: [String: DuplicateRecord])? {
        guard let index = membership[host.id]?.group, !stale.contains(index) else { return nil }
        guard let record = Self.read(host) else {
            stale.insert(index)
            collected[index] = nil
            return nil
        }
        collected[index, default: [:]][host.id] = record
        let group = groups[index]
        guard collected[index]!.count == group.members.count else { return nil }
        defer { collected[index] = nil }
        return (group, collected[index]!)
    }

    /// The proposals of complete groups, made on every core. The proposal fingerprints its
    /// members: a group with one that changed since the first read is left out.
    static func propose(_ complete: [(group: DuplicateGroup, records: [String: DuplicateRecord])],
                        fingerprints: [String: (group: Int, fingerprint: Fingerprint)]) async -> [DuplicateProposal] {
        guard !complete.isEmpty else { return [] }
        let pieces = max(1, min(complete.count / 16, 8))
        let size = (complete.count + pieces - 1) / pieces
        let proposals = await withTaskGroup(of: (Int, [DuplicateProposal]).self) { tasks in
            for piece in 0..<pieces {
                let slice = Array(complete[min(piece * size, complete.count)..<min((piece + 1) * size, complete.count)])
                tasks.addTask {
                    (piece, slice.compactMap { group, records in
                        guard let proposal = try? DuplicateMerger.propose(group, records: records),
                              group.members.allSatisfy({ proposal.fingerprints[$0] == fingerprints[$0]?.fingerprint }) else { return nil }
                        return proposal
                    })
                }
            }
            var parts = [[DuplicateProposal]](repeating: [], count: pieces)
            for await (piece, made) in tasks { parts[piece] = made }
            return parts
        }
        return proposals.flatMap { $0 }
    }
}
