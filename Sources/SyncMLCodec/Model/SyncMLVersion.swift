/// A version of the SyncML representation protocol (OMA-TS-SyncML_RepPro).
public enum SyncMLVersion: String, Hashable, Sendable, CaseIterable, Comparable {
    /// SyncML 1.0.
    case v1_0 = "1.0"
    /// SyncML 1.1.
    case v1_1 = "1.1"
    /// SyncML 1.2 (OMA DS 1.2).
    case v1_2 = "1.2"

    /// The XML namespace of the SyncML vocabulary, `SYNCML:SYNCML1.2`.
    package var namespaceURI: String { "SYNCML:SYNCML\(rawValue)" }
    /// The `VerProto` a DS client of this version sends, `SyncML/1.2`.
    package var verProto: String { "SyncML/\(rawValue)" }
    /// The `VerDTD` of this version, `1.2`.
    package var verDTD: String { rawValue }
    /// The DevInf URI of this version: `./devinf10`, `./devinf11`, `./devinf12`.
    public var devInfURI: String { "./devinf1\(rawValue.last!)" }

    /// WBXML public identifier of a SyncML document of this version.
    package var syncMLPublicID: UInt32 {
        switch self { case .v1_0: 0x0FD1; case .v1_1: 0x0FD3; case .v1_2: 0x1201 }
    }
    /// WBXML public identifier of a DevInf document of this version.
    package var devInfPublicID: UInt32 {
        switch self { case .v1_0: 0x0FD2; case .v1_1: 0x0FD4; case .v1_2: 0x1203 }
    }
    package var syncMLPublicIDString: String { "-//SYNCML//DTD SyncML \(rawValue)//EN" }
    package var devInfPublicIDString: String { "-//SYNCML//DTD DevInf \(rawValue)//EN" }

    /// The version whose VerDTD (or namespace suffix) is `text`, e.g. "1.1".
    package init?(verDTD text: some StringProtocol) {
        self.init(rawValue: String(text))
    }

    /// Versions in order: 1.0 < 1.1 < 1.2.
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// What a WBXML public identifier tells: the vocabulary of page 0 and the version.
    package static func vocabulary(of id: PublicID) -> (Namespace, SyncMLVersion)? {
        for version in allCases {
            switch id {
            case .number(version.syncMLPublicID), .string(version.syncMLPublicIDString):
                return (.syncML, version)
            case .number(version.devInfPublicID), .string(version.devInfPublicIDString):
                return (.devInf, version)
            default:
                continue
            }
        }
        switch id {
        case .number(0x1202), .string("-//SYNCML//DTD MetInf 1.2//EN"): return (.metInf, .v1_2)
        default: return nil
        }
    }
}
