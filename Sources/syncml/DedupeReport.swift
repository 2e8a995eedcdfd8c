import Foundation
import SyncMLCodec
import SyncMLRecords
/// What `syncml dedupe` found, as `--json` prints it. A report is also a
/// decisions file: `--apply` reads `groups[].accept`, `datastore`, `survivor`
/// and `members[].id`/`fingerprint` from it, and so does the `--html` page's save.
struct DedupeReport: Codable {
    var format = "syncml-dedupe"
    var version = 1
    var source: Source
    /// Records read (unreadable ones not counted).
    var records: Int
    var unreadable: [Problem] = []
    var ambiguous: [Problem] = []
    var groups: [Group] = []
    /// With --apply: what was merged (or, with --dry-run, would be).
    var applied: Applied?

    struct Applied: Codable {
        var merged: Int
        /// Records removed as duplicates of a survivor.
        var removed: Int
        var skipped: [Problem]
        /// The store session of kind `dedupe`.
        var session: Int64?
        /// Folder mode: where the originals went.
        var backup: String?
        var dryRun = false
    }

    struct Source: Codable, Hashable {
        var folder: String?
        var store: String?
        var user: String?

        var description: String {
            if let folder { return folder }
            return "\(store ?? "?") (user \(user ?? "?"))"
        }
    }

    struct Problem: Codable, Hashable {
        var id: String
        var datastore: String?
        var reason: String
    }

    struct Group: Codable {
        /// 1-based, in the report's order.
        var group: Int
        var accept = true
        /// The store datastore (`contacts`, `calendar`…); nil for a folder.
        var datastore: String?
        var kind: String
        var survivor: String
        var members: [Member]
        var links: [Link]
        var agreed: [String]
        var differing: [String]
        var fields: [Field]
        var merged: Merged
    }

    struct Member: Codable, Hashable {
        var id: String
        var fingerprint: String
        /// The name or summary, for people.
        var title: String
    }

    struct Link: Codable, Hashable {
        var first: String
        var second: String
        var agreed: [String]
    }

    struct Field: Codable, Hashable {
        var name: String
        var differs: Bool
        /// Per member, in `members` order.
        var values: [[Value]]
        var merged: [String]
    }

    struct Value: Codable, Hashable {
        var text: String
        /// `common`, `equivalent`, `partial` or `dropped` (`DuplicateField.Status`).
        var status: String
    }

    struct Merged: Codable, Hashable {
        var fingerprint: String
        var type: String
        /// The merged record as it would be written.
        var record: String
    }

    /// The report entry of `proposal`.
    static func group(_ proposal: DuplicateProposal, number: Int, datastore: String?, records: [String: DuplicateRecord]) -> Group {
        let written = (try? proposal.payload()).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let fields = proposal.fields
        return Group(
            group: number, datastore: datastore, kind: proposal.group.kind.rawValue, survivor: proposal.survivor,
            members: proposal.group.members.map { id in
                Member(id: id, fingerprint: proposal.fingerprints[id].map { "\($0)" } ?? "", title: records[id].map { title($0.record) } ?? id)
            },
            links: proposal.group.links.map { Link(first: $0.first, second: $0.second, agreed: $0.agreedKeys) },
            agreed: proposal.group.agreedKeys, differing: fields.filter(\.differs).map(\.name),
            fields: fields.map { field in
                Field(name: field.name, differs: field.differs,
                      values: field.values.map { $0.map { Value(text: $0.text, status: $0.status.rawValue) } }, merged: field.merged)
            },
            merged: Merged(fingerprint: "\(proposal.mergedSignature.fingerprint)", type: proposal.encoding.mimeType, record: written))
    }

    /// A record's name for people: FN (else N) of a contact, SUMMARY and start of an event or task.
    static func title(_ record: VComponent) -> String {
        if record.name == "VCARD" {
            if let fn = record.first("FN")?.text, !fn.isEmpty { return fn }
            let parts = record.first("N")?.components.map { $0.joined(separator: " ") } ?? []
            let name = ([parts.count > 1 ? parts[1] : ""] + [parts.first ?? ""]).filter { !$0.isEmpty }.joined(separator: " ")
            return name.isEmpty ? (record.first("ORG")?.components.first?.first ?? "(no name)") : name
        }
        let main = record.components.first { $0.name != "VTIMEZONE" } ?? record
        let summary = main.first("SUMMARY")?.text ?? "(no summary)"
        guard let start = main.first("DTSTART")?.value ?? main.first("DUE")?.value else { return summary }
        return summary + ", " + start
    }

    // MARK: Text

    /// The plain-text summary printed by default.
    func text(applying: Bool, reviewPage: String? = nil) -> String {
        var lines: [String] = []
        let total = groups.reduce(0) { $0 + $1.members.count }
        var head = "\(source.description): \(records) records read"
        if !unreadable.isEmpty { head += ", \(unreadable.count) unreadable (left alone)" }
        lines.append(head)
        for problem in unreadable { lines.append("  unreadable \(problem.datastore.map { $0 + "/" } ?? "")\(problem.id): \(problem.reason)") }
        if groups.isEmpty {
            lines.append("no duplicates found")
        } else {
            lines.append("\(groups.count) group\(groups.count == 1 ? "" : "s") of duplicates: \(total) records would become \(groups.count)")
        }
        for group in groups {
            lines.append("")
            let place = group.datastore.map { " in \($0)" } ?? ""
            lines.append("group \(group.group) (\(group.kind)\(place)): \(group.members.count) records -> 1, keeps \(group.survivor)")
            let width = group.members.map(\.id.count).max() ?? 0
            for member in group.members {
                let mark = member.id == group.survivor ? "  [stays, receives the merge]" : ""
                lines.append("  " + member.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + member.title + mark)
            }
            lines.append("  agreed: " + (group.agreed.isEmpty ? "(as decided)" : group.agreed.joined(separator: ", ")))
            if !group.differing.isEmpty { lines.append("  differ: " + group.differing.joined(separator: ", ")) }
            for field in group.fields {
                for (member, values) in zip(group.members, field.values) {
                    for value in values where value.status == "dropped" {
                        lines.append("  not kept: \(field.name) \"\(value.text)\" of \(member.id) (the survivor's value stays; the original is kept in the \(source.folder == nil ? "journal" : "backup"))")
                    }
                }
            }
        }
        if !ambiguous.isEmpty {
            lines.append("")
            lines.append("left out, the evidence fits more than one group:")
            for problem in ambiguous { lines.append("  \(problem.datastore.map { $0 + "/" } ?? "")\(problem.id): \(problem.reason)") }
        }
        if !applying, !groups.isEmpty {
            lines.append("")
            lines.append("dry run: nothing was changed. " + (reviewPage.map { "Review them in \($0); " } ?? "Review with --html FILE; ")
                + "merge with --apply [DECISIONS.json].")
        }
        return lines.joined(separator: "\n")
    }
}

/// A decisions file: the `--html` page's save, or a `--json` report (edited or not).
struct DedupeDecisions: Decodable {
    var groups: [Decision]

    struct Decision: Decodable {
        var accept: Bool?
        var datastore: String?
        var survivor: String?
        var members: [Member]
    }

    struct Member: Decodable {
        var id: String
        var fingerprint: String?
    }

    static func read(_ path: String) throws -> DedupeDecisions {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot read decisions \(path): \((error as NSError).localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(DedupeDecisions.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let place = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw CommandFailure("\(path) is not a decisions file: \(place.isEmpty ? "it" : place) has no \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw CommandFailure("\(path) is not a decisions file: wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw CommandFailure("\(path) is not a decisions file (JSON with a \"groups\" list): \(error)")
        }
    }
}
