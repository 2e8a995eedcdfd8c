import ArgumentParser
import Foundation
import SyncMLRecords
import SyncMLStore

/// `syncml dedupe`: the duplicates a user already has, found, shown and merged
/// (docs/DEDUPE.md).
struct DedupeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedupe",
        abstract: "Find records that are one person, event or task written differently; review and merge them.",
        discussion: """
            Works on a folder of record files (.vcf, .ics, .vcs, SIF .xml; a file may hold many records) or on a user's \
            datastores in a store (--user, --db). Prints each group with the keys that agreed, the fields that differ and \
            the record it would become; --html FILE writes a page to review them (tick or untick each group, save the \
            decisions), --json the same for scripts. Nothing changes without --apply: then each accepted group becomes \
            one record. In a store that is one session of kind `dedupe` (`syncml undo SESSION` reverts it) and devices \
            get a Replace and Deletes at their next sync; in a folder the merged files are written after the originals \
            went into a backup folder beside it. `--apply DECISIONS.json` merges only the groups ticked there, and only \
            if their records did not change since.
            """
    )

    @Argument(help: ArgumentHelp("A folder of record files; with --apply, also a decisions file (.json).", valueName: "folder|decisions.json"))
    var inputs: [String] = []

    @Option(help: "The store file or postgres:// URL (with --user).")
    var db: String?

    @Option(help: "Dedupe this user's datastores in the store.")
    var user: String?

    @Option(help: "Only this datastore of the user (default: all of them).")
    var datastore: String?

    @Option(help: "Write a page to review the groups and save decisions.")
    var html: String?

    @Flag(help: "Print the groups as JSON (also a decisions file) instead of text.")
    var json = false

    @Flag(help: "Merge the groups (those accepted in the decisions file, if one is given).")
    var apply = false

    @Flag(name: .customLong("dry-run"), help: "Show what --apply would do without changing anything (the default without --apply).")
    var dryRun = false

    @Option(help: "Folder mode: where the originals go (default: FOLDER.dedupe-backup-TIME beside the folder).")
    var backup: String?

    func validate() throws {
        if user == nil, db != nil { throw ValidationError("--db needs --user: whose records?") }
        if user == nil, datastore != nil { throw ValidationError("--datastore needs --user") }
    }

    func run() throws {
        try Self.reportingFailures {
            var folder: String?
            var decisions: String?
            for input in inputs {
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory)
                if exists, isDirectory.boolValue {
                    guard folder == nil else { throw CommandFailure("one folder at a time (\(folder!) and \(input))") }
                    folder = input
                } else if input.lowercased().hasSuffix(".json") {
                    guard apply else { throw CommandFailure("\(input): a decisions file is read by --apply") }
                    guard exists else { throw CommandFailure("no decisions file \(input)") }
                    guard decisions == nil else { throw CommandFailure("one decisions file at a time (\(decisions!) and \(input))") }
                    decisions = input
                } else {
                    throw CommandFailure(exists ? "\(input) is neither a folder nor a decisions file (.json)" : "no folder \(input)")
                }
            }
            if folder != nil, user != nil { throw CommandFailure("a folder or --user, not both") }
            guard folder != nil || user != nil else { throw CommandFailure("give a folder of record files, or --user (and --db) for a store") }
            let options = DedupeRun(html: html, json: json, apply: apply && !dryRun, dryRunOfApply: apply && dryRun,
                                    decisions: try decisions.map(DedupeDecisions.read), backup: backup)
            if let folder {
                try options.run(folder: folder)
            } else {
                let (db, user, datastore) = (self.db ?? "./syncml.sqlite", self.user!, self.datastore)
                try Self.runningStore { try await options.run(store: db, user: user, datastore: datastore) }
            }
        }
    }
}

/// One run of `syncml dedupe`, after its arguments were checked.
struct DedupeRun: Sendable {
    var html: String?
    var json: Bool
    var apply: Bool
    var dryRunOfApply: Bool
    var decisions: DedupeDecisions?
    var backup: String?

    /// Records of one datastore (a store) or of the folder, grouped among themselves.
    struct Section {
        var datastore: String?
        var records: [DuplicateRecord]
        var byID: [String: DuplicateRecord]
        var candidates: [String: DuplicateCandidate]
        var found: DuplicateFinder.Result

        init(datastore: String?, records: [DuplicateRecord]) {
            self.datastore = datastore
            self.records = records
            byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let candidates = records.map(\.candidate)
            self.candidates = Dictionary(candidates.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            found = DuplicateFinder.find(candidates)
        }
    }

    /// A group to merge: its proposal and the fingerprints it was reviewed with.
    struct Plan {
        var section: Int
        var proposal: DuplicateProposal
        var reviewed: [String: Fingerprint]
    }

    // MARK: Folder

    func run(folder: String) throws {
        let contents = try DedupeFolder.read(folder)
        let sections = [Section(datastore: nil, records: contents.records)]
        var report = DedupeReport(source: .init(folder: contents.directory.path), records: contents.records.count)
        report.unreadable = contents.unreadable
        let proposals = describe(sections, into: &report)
        try output(report: report, proposals: proposals, sections: sections, commandLine: "syncml dedupe \(shellQuoted(folder))")
        guard apply || dryRunOfApply else { return }
        var (plans, skipped) = plan(sections, proposals: proposals)
        var claimed = Set<String>()
        plans.removeAll { plan in
            let members = plan.proposal.group.members
            if members.contains(where: claimed.contains) {
                skipped.append(.init(id: plan.proposal.survivor, reason: "a record of this group is in another accepted group"))
                return true
            }
            claimed.formUnion(members)
            return false
        }
        var applied = DedupeReport.Applied(merged: plans.count, removed: plans.reduce(0) { $0 + $1.proposal.group.members.count - 1 }, skipped: skipped)
        if apply, !plans.isEmpty {
            applied.backup = try DedupeFolder.apply(plans.map(\.proposal), contents: contents, backup: backup).path
        }
        finish(applied, dryRun: dryRunOfApply, report: report)
    }

    // MARK: Store

    func run(store path: String, user: String, datastore only: String?) async throws {
        let store = try StoreOptions.open(path, creating: false)
        guard let userID = try await store.existingUser(named: user) else { throw CommandFailure("no user \(user) in \(path)") }
        var names = [String]()
        if let only { names = [only] } else { names = try await store.datastores().filter { $0.user == user }.map(\.name) }
        var sections: [Section] = []
        var ids: [DatastoreID] = []
        var types: [String: String] = [:] // "datastore/GUID" → stored type
        var unreadable: [DedupeReport.Problem] = []
        for name in names {
            guard let datastore = try await store.existingDatastore(named: name, user: userID) else {
                throw CommandFailure("user \(user) has no datastore \(name)")
            }
            let stored = try await store.duplicateRecords(datastore: datastore)
            for (guid, type) in stored.types { types[name + "/" + guid] = type }
            for (guid, reason) in stored.unreadable.sorted(by: { $0.key < $1.key }) { unreadable.append(.init(id: guid, datastore: name, reason: reason)) }
            let records = stored.records
            sections.append(Section(datastore: name, records: records))
            ids.append(datastore)
        }
        var report = DedupeReport(source: .init(store: path, user: user), records: sections.reduce(0) { $0 + $1.records.count })
        report.unreadable = unreadable
        let proposals = describe(sections, into: &report)
        var command = "syncml dedupe --db \(shellQuoted(path)) --user \(shellQuoted(user))"
        if let only { command += " --datastore \(shellQuoted(only))" }
        try output(report: report, proposals: proposals, sections: sections, commandLine: command)
        guard apply || dryRunOfApply else { return }
        let (plans, skipped) = plan(sections, proposals: proposals)
        var applied = DedupeReport.Applied(merged: 0, removed: 0, skipped: skipped)
        var merges: [DedupeMerge] = []
        for plan in plans {
            let name = sections[plan.section].datastore ?? ""
            let type = types[name + "/" + plan.proposal.survivor] ?? plan.proposal.encoding.mimeType
            do {
                merges.append(try DedupeMerge(plan.proposal, datastore: ids[plan.section], storedType: type, reviewed: plan.reviewed))
            } catch {
                applied.skipped.append(.init(id: plan.proposal.survivor, datastore: name, reason: "\(error)"))
            }
        }
        if apply, !merges.isEmpty {
            let result = try await store.applyDedupe(merges)
            applied.merged = result.merged.count
            applied.removed = result.deleted
            applied.session = result.session?.rawValue
            for (survivor, reason) in result.skipped.sorted(by: { $0.key < $1.key }) { applied.skipped.append(.init(id: survivor, reason: reason)) }
        } else {
            applied.merged = merges.count
            applied.removed = merges.reduce(0) { $0 + $1.others.count }
        }
        finish(applied, dryRun: dryRunOfApply, report: report)
    }

    // MARK: Shared

    /// Proposes every group found and adds it to the report; groups whose merge cannot be built are reported unreadable.
    func describe(_ sections: [Section], into report: inout DedupeReport) -> [(section: Int, proposal: DuplicateProposal)] {
        var proposals: [(section: Int, proposal: DuplicateProposal)] = []
        for (index, section) in sections.enumerated() {
            report.ambiguous += section.found.ambiguous.map { .init(id: $0.id, datastore: section.datastore, reason: $0.reason) }
            for group in section.found.groups {
                do {
                    let proposal = try DuplicateMerger.propose(group, records: section.byID)
                    proposals.append((index, proposal))
                    report.groups.append(DedupeReport.group(proposal, number: report.groups.count + 1, datastore: section.datastore, records: section.byID))
                } catch {
                    report.unreadable.append(.init(id: group.members.joined(separator: ", "), datastore: section.datastore,
                                                   reason: "found to be one, but their merge failed: \(error)"))
                }
            }
        }
        return proposals
    }

    func output(report: DedupeReport, proposals: [(section: Int, proposal: DuplicateProposal)], sections: [Section], commandLine: String) throws {
        if let html {
            do {
                try Data(DedupeHTML.page(report, command: commandLine).utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(html): \((error as NSError).localizedDescription)")
            }
        }
        if json {
            // With --apply, printed once what was applied is known (`finish`).
            if !(apply || dryRunOfApply) { printJSON(report) }
        } else {
            print(report.text(applying: apply || dryRunOfApply, reviewPage: html))
        }
    }

    /// The groups to merge: all proposals, or those the decisions file accepts
    /// (built from its members and survivor, checked against the fingerprints it holds).
    func plan(_ sections: [Section], proposals: [(section: Int, proposal: DuplicateProposal)]) -> ([Plan], [DedupeReport.Problem]) {
        guard let decisions else {
            return (proposals.map { Plan(section: $0.section, proposal: $0.proposal, reviewed: $0.proposal.fingerprints) }, [])
        }
        var plans: [Plan] = []
        var skipped: [DedupeReport.Problem] = []
        for (number, decision) in decisions.groups.enumerated() {
            let label = "decision \(number + 1)"
            guard decision.accept != false else { continue }
            guard let sectionIndex = sections.firstIndex(where: { $0.datastore == decision.datastore }) else {
                skipped.append(.init(id: label, reason: "no datastore \(decision.datastore ?? "(none)") here"))
                continue
            }
            let section = sections[sectionIndex]
            let ids = decision.members.map(\.id)
            guard Set(ids).count >= 2, Set(ids).count == ids.count else {
                skipped.append(.init(id: label, datastore: section.datastore, reason: "a group needs two or more different records"))
                continue
            }
            var reviewed: [String: Fingerprint] = [:]
            var problem: String?
            for member in decision.members {
                guard let candidate = section.candidates[member.id] else { problem = "record \(member.id) is gone"; break }
                guard let text = member.fingerprint, let fingerprint = Fingerprint(hex: text) else { problem = "record \(member.id) has no fingerprint"; break }
                guard candidate.fingerprint == fingerprint else { problem = "record \(member.id) changed since the review"; break }
                reviewed[member.id] = fingerprint
            }
            if problem == nil, Set(ids.compactMap { section.candidates[$0]?.kind }).count != 1 { problem = "its records are of different kinds" }
            if let problem {
                skipped.append(.init(id: label, datastore: section.datastore, reason: problem))
                continue
            }
            let sorted = ids.sorted(by: DuplicateFinder.naturalOrder)
            let group = section.found.groups.first { $0.members == sorted }
                ?? DuplicateGroup(kind: section.candidates[ids[0]]!.kind, members: sorted, links: [])
            do {
                plans.append(Plan(section: sectionIndex, proposal: try DuplicateMerger.propose(group, records: section.byID, survivor: decision.survivor),
                                  reviewed: reviewed))
            } catch {
                skipped.append(.init(id: label, datastore: section.datastore, reason: "the merge failed: \(error)"))
            }
        }
        return (plans, skipped)
    }

    func finish(_ applied: DedupeReport.Applied, dryRun: Bool, report: DedupeReport) {
        if json {
            var report = report
            var applied = applied
            applied.dryRun = dryRun
            report.applied = applied
            printJSON(report)
            return
        }
        var lines: [String] = [""]
        let verb = dryRun ? "would merge" : "merged"
        lines.append("\(verb) \(applied.merged) group\(applied.merged == 1 ? "" : "s"): \(applied.merged + applied.removed) records \(dryRun ? "would become" : "became") \(applied.merged)")
        for problem in applied.skipped {
            lines.append("  skipped \(problem.datastore.map { $0 + "/" } ?? "")\(problem.id): \(problem.reason)")
        }
        if let session = applied.session {
            lines.append("store session \(session) (kind dedupe): devices get the merges at their next sync; `syncml undo \(session)` reverts it")
        }
        if let backup = applied.backup { lines.append("the originals are in \(backup)") }
        if dryRun { lines.append("dry run: nothing was changed") }
        print(lines.joined(separator: "\n"))
    }

    private func printJSON(_ report: DedupeReport) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        StandardOutput.write(Array(data) + [0x0A])
    }
}

/// `'it''s'`-style quoting for a command line shown to people (only when needed).
func shellQuoted(_ text: String) -> String {
    let safe = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-+:@".unicodeScalars.contains($0) }
    return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
