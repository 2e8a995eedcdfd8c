package import SyncMLCodec
import Foundation

/// Reassembles a large object that arrives in chunks (OMA DS 1.2 §6.2.4),
/// with the checks both roles make, so that a peer cannot make either hold
/// more than it allows:
/// - a declared Size above `maxObjectSize` is refused at the first chunk (413);
/// - data beyond the declared Size is refused at the chunk that crosses it
///   (424), or, without a Size, data beyond `maxObjectSize` (413);
/// - a total that is not the declared Size is refused at the last chunk (424).
/// A refusal drops what was collected, and the object's further chunks from
/// the same source are refused with the same status up to its last: a peer
/// that goes on sending would otherwise have the rest of it taken for an
/// object of its own, and a tail stored as a record.
package struct LargeObjectAssembler: Sendable {
    /// The object being collected, and what its first chunk said about it.
    private struct Collecting: Sendable {
        var source: String
        var type: String?
        var format: String?
        var declaredSize: Int?
        var bytes: [UInt8]
    }

    /// What became of a chunk.
    package enum Step: Hashable, Sendable {
        /// Taken; more are to come (213 Chunked item accepted).
        case accepted
        /// The last chunk: the whole object, with the type and format its
        /// first chunk named (else the last chunk's).
        case complete(bytes: [UInt8], type: String?, format: String?)
        /// Refused with this status; nothing of the object is kept.
        case refused(StatusCode)
    }

    private var collecting: Collecting?
    /// An object refused before its last chunk: its source, and the status its remaining chunks get.
    private var refusing: (source: String, code: StatusCode)?

    package init() {}

    /// An object is under way, being collected or refused: the next item continues it (or, from another
    /// source, ends it and starts another). Items are taken only while one is, or when they have MoreData.
    package var isUnderWay: Bool { collecting != nil || refusing != nil }

    /// Takes the data of an item that has MoreData or follows one. An item
    /// from another `source` than the object under way starts a new object.
    ///
    /// - Parameters:
    ///   - source: the item's Source (the sender's id for the object).
    ///   - declaredSize: the item's Meta Size (the first chunk's counts).
    ///   - maxObjectSize: the largest object this side accepts (its MaxObjSize).
    package mutating func take(_ data: [UInt8], source: String, moreData: Bool, declaredSize: Int?, type: String?, format: String?,
                               maxObjectSize: Int) -> Step {
        if let refusing {
            if refusing.source == source {
                if !moreData { self.refusing = nil }
                return .refused(refusing.code)
            }
            self.refusing = nil
        }
        if collecting?.source == source {
            collecting!.bytes += data
        } else {
            collecting = Collecting(source: source, type: type, format: format, declaredSize: declaredSize, bytes: data)
        }
        let declared = collecting!.declaredSize, count = collecting!.bytes.count
        if let declared, declared > maxObjectSize {
            return refuse(.requestEntityTooLarge, moreData: moreData)
        }
        if count > declared ?? maxObjectSize {
            return refuse(declared == nil ? .requestEntityTooLarge : .sizeMismatch, moreData: moreData)
        }
        if moreData { return .accepted }
        let object = collecting!
        collecting = nil
        if let declared, declared != count { return .refused(.sizeMismatch) }
        return .complete(bytes: object.bytes, type: object.type ?? type, format: object.format ?? format)
    }

    /// Drops the object under way; with more chunks announced, they are refused as they come.
    private mutating func refuse(_ code: StatusCode, moreData: Bool) -> Step {
        if moreData, let source = collecting?.source { refusing = (source, code) }
        collecting = nil
        return .refused(code)
    }
}

/// An object part-way through assembly, kept between messages (a session's
/// snapshot, so that its next chunk may reach another server node).
extension LargeObjectAssembler: Codable {
    private enum Keys: String, CodingKey {
        case source, type, format, declaredSize, bytes, refusingSource, refusingCode
    }

    package init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: Keys.self)
        if let source = try keys.decodeIfPresent(String.self, forKey: .source) {
            collecting = Collecting(source: source, type: try keys.decodeIfPresent(String.self, forKey: .type),
                                    format: try keys.decodeIfPresent(String.self, forKey: .format),
                                    declaredSize: try keys.decodeIfPresent(Int.self, forKey: .declaredSize),
                                    bytes: [UInt8](try keys.decode(Data.self, forKey: .bytes)))
        }
        if let source = try keys.decodeIfPresent(String.self, forKey: .refusingSource) {
            refusing = (source, StatusCode(rawValue: try keys.decode(Int.self, forKey: .refusingCode)))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var keys = encoder.container(keyedBy: Keys.self)
        if let collecting {
            try keys.encode(collecting.source, forKey: .source)
            try keys.encodeIfPresent(collecting.type, forKey: .type)
            try keys.encodeIfPresent(collecting.format, forKey: .format)
            try keys.encodeIfPresent(collecting.declaredSize, forKey: .declaredSize)
            try keys.encode(Data(collecting.bytes), forKey: .bytes) // base64 in JSON, not an array of numbers
        }
        if let refusing {
            try keys.encode(refusing.source, forKey: .refusingSource)
            try keys.encode(refusing.code.rawValue, forKey: .refusingCode)
        }
    }
}
