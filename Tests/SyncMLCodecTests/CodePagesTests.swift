import Testing
@testable import SyncMLCodec
@Suite("Code pages")
struct CodePagesTests {
    @Test("Names and tokens map both ways")
    func namesRoundTrip() {
        #expect(CodePages.name(of: .syncML) == "SyncML")
        #expect(CodePages.tag(named: "SyncML", in: .syncML) == .syncML)
        #expect(CodePages.tag(named: "MaxObjSize", in: .metInf) == .maxObjSize)
        #expect(CodePages.tag(named: "Size", in: .devInf) == DevInfTag.maxSize)
        #expect(CodePages.name(of: DevInfTag.supportHierarchicalSync) == "SupportHierarchicalSync")
        #expect(CodePages.name(of: Tag(.syncML, 0x30)) == nil)
        #expect(CodePages.namespace(forURI: "syncml:SYNCML1.1") == .syncML)
    }
}
