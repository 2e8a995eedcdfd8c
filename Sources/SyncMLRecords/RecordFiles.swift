import SyncMLCodec

/// The one rule for record files, whoever reads them: `syncml import`,
/// `fingerprint`, `match`, `convert`, and the folders `syncml sync` syncs
/// (`FolderDataSource`).
///
/// A file is a SIF document (XML, one record) or vCard/iCalendar text, parsed
/// strictly: a record without its `END:` line is refused, not completed. A
/// file cut short (by a program still writing it, by a full disk) looks
/// exactly like that, and completing it would sync the truncated record over
/// the whole one on every other device. The error names the file and the line,
/// so the user can fix it; nothing of the file is imported or sent.
public enum RecordFiles {
    /// The records of the file `name` holding `bytes`.
    public static func parse(_ bytes: some Collection<UInt8>, name: String) throws(RecordFileError) -> [VComponent] {
        do {
            // A SIF document (Outlook's plug-in format) is XML and holds one record.
            var rest = bytes[...]
            if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
            if rest.first(where: { !$0.isXMLWhitespace }) == UInt8(ascii: "<") {
                return [try SIF.toVComponent(bytes)]
            }
            return try VObjectParser.parse(bytes)
        } catch {
            throw RecordFileError(file: name, error: error)
        }
    }
}

/// A record file that does not parse: which file, and the record error (line and reason).
public struct RecordFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file's name as the caller gave it.
    public var file: String
    /// What is wrong, and on which line.
    public var error: RecordError

    package init(file: String, error: RecordError) {
        self.file = file
        self.error = error
    }

    /// One line: `contacts/alice.vcf: line 1: BEGIN:VCARD has no END:VCARD`.
    public var description: String { "\(file): \(error)" }
}
