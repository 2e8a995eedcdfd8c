import Foundation
import Testing
@testable import SyncMLStore

/// Frames as the first codec wrote them (zlib 1.2.13: raw deflate, level 6,
/// window 2^15, memLevel 8, the preset dictionary hashed into a fresh stream
/// per record), committed so that any later change of how frames are
/// *written* is checked against what stores on disk already hold. (Checked
/// when committed: the codec of that time re-encoded each payload to exactly
/// these bytes.)
@Suite("Store payload frames written by earlier versions")
struct LegacyFrameTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let name: String
        let payloadBase64: String
        let frameBase64: String
        var testDescription: String { name }
        var payload: [UInt8] { [UInt8](Data(base64Encoded: payloadBase64)!) }
        var frame: [UInt8] { [UInt8](Data(base64Encoded: frameBase64)!) }
    }

    static let fixtures: [Fixture] = [
        Fixture(name: "vCard 3.0, generated, dictionary 1",
                payloadBase64: "QkVHSU46VkNBUkQNClZFUlNJT046My4wDQpQUk9ESUQ6LS8vTm9raWEvL05va2lhIDYzMDAgU3luY01MIGNsaWVudC8vRU4NCk46TydDb25ub3I7RWxpemFiZXRoOzs7DQpGTjpFbGl6YWJldGggTydDb25ub3INClRFTDtUWVBFPUNFTEw6KzQ0IDIwIDc5NDYgNDU0MQ0KRU1BSUw7VFlQRT1JTlRFUk5FVCxIT01FOmVsaXphYmV0aF9vY29ubm9yOTEyNTlAZXhhbXBsZS5jb20NCkVNQUlMO1RZUEU9SU5URVJORVQ6ZWxpemFiZXRoX29jb25ub3I5MTI1OUBnbWFpbC5jb20NCkFEUjtUWVBFPUhPTUU6OzsyMjFCIEJha2VyIFN0cmVldDtTYW4gRnJhbmNpc2NvO0NBOzk0MTAzO1VTQQ0KQkRBWToxOTc2LTA5LTAyDQpVSUQ6NzA2MTZmMmYtNDhkYy00MDFjLTgwZDYtODI0ZTJlZjNmYzE3DQpSRVY6MjAyMzA3MjFUMTk0MDUxWg0KRU5EOlZDQVJEDQo=",
                frameBase64: "0QEBpgEAAPfCCm6NljEPwiAQhf/KbU4kQCkUO1mjYx3cXAxSGps2kNQu+uulrTRWbeJEQrgj+d7jHf/ERu7qSr0W4P7jB8e71T4bdOM92415kK8PK58Q1rXprqke6mK6a7hx2oBw5pszA4pBSMaBxWwB4cDJhGZnp4dektBYzgH9KF6qe0P56UxKSQaZqk07uVNZ2LfK6uqmXbrdpJIRHI3+DE+PIyxRP0h7/gJzwktaIpYUGvkJp1GCC44Sygw1ZVRqIiYNIyyoV1AyHJPTTKUn"),
        Fixture(name: "another generated vCard, dictionary 1",
                payloadBase64: "QkVHSU46VkNBUkQNClZFUlNJT046My4wDQpQUk9ESUQ6LS8vU3ludGhlc2lzIEFHLy9OT05TR01MIFN5bmNNTCBFbmdpbmUgVjMuNC8vRU4NCk46RmlzY2hlcjtNYXR0aGlhczs7Ow0KRk46TWF0dGhpYXMgRmlzY2hlcg0KTklDS05BTUU6TGlzYS1NYXJpZQ0KVEVMO1RZUEU9Q0VMTCxWT0lDRTorNDkgMjIxIDMwNjE5OA0KRU1BSUw7VFlQRT1JTlRFUk5FVCxIT01FOm1hdHRoaWFzLmZpc2NoZXI3NDkxNUBleGFtcGxlLmRlDQpFTUFJTDtUWVBFPUlOVEVSTkVUOmZpc2NoZXI3Mjc0OTE1QGdteC5kZQ0KQURSO1RZUEU9SE9NRTo7O0hhdXB0c3RyYcOfZSAxMjtLw7ZsbjtOUlc7NTA2Njc7RGV1dHNjaGxhbmQNCkFEUjtUWVBFPVdPUks6OztNw7xobGVud2VnIDExNDtCZXJsaW47QmVybGluOzEwMTE1O0RldXRzY2hsYW5kDQpVSUQ6ZGMzMzIwYmItOTdjYS00M2JlLThlNDUtYTM0MmMxMGZmYjU1DQpSRVY6MjAyMDA4MDdUMTA1MzQxWg0KRU5EOlZDQVJEDQo=",
                frameBase64: "0QEB5QEAANbp/o6NV0sKwjAQvUovEGl+rTUrQXSh7UJBwV2aph/QLkxFvZgrd72Yo2nVqoirkPAmA/M+If/ExuJUgkRMYZzh5BkMcKpu+VBmoGNnCSK3wRANxoVRud6JUFZVXkjTNm73TgN4Ue6sMBKFEjzwdcR3HgjBQKWHg/6PKW6bHr3U9vBZgPljeon+WjpowcTCs+3xDn2XalfgREzr86YU0XwluOt5vhjpfQUXbWSZfLojrC85/EYOOnMwZq07msV6pFN/oy9RlBI3jlHgK4kYjTXqa8aRpIwo7KZpzPlDApA1rg/vJ6cMrzskXwE="),
        Fixture(name: "iCalendar event, dictionary 1",
                payloadBase64: "QkVHSU46VkNBTEVOREFSDQpWRVJTSU9OOjIuMA0KUFJPRElEOi0vL1hpbWlhbi8vTk9OU0dNTCBFdm9sdXRpb24gQ2FsZW5kYXIvL0VODQpCRUdJTjpWRVZFTlQNClVJRDoyMDI2MTIwNlQwNzE1MDBaLTQyQGV4YW1wbGUuY29tDQpEVFNUQU1QOjIwMjYxMjA2VDA3MTUwMFoNCkRUU1RBUlQ7VFpJRD1FdXJvcGUvQmVybGluOjIwMjYxMjA3VDA5MDAwMA0KRFRFTkQ7VFpJRD1FdXJvcGUvQmVybGluOjIwMjYxMjA3VDEwMDAwMA0KU1VNTUFSWTpRdWFydGVybHkgcmV2aWV3DQpMT0NBVElPTjpDb25mZXJlbmNlIFJvb20NCkVORDpWRVZFTlQNCkVORDpWQ0FMRU5EQVINCg==",
                frameBase64: "0QEBQgEAANY9hwtzQm+PoxS1pLexUZtR0ErLDFhfmYUYmBuagiotEyNU3yDVligKCVVFIMXmRFVFEJWwqghWRQaWJhaVANVUKhSllmWmluNrTCBXRmj1DwA="),
        Fixture(name: "a tiny vCard, dictionary 1",
                payloadBase64: "QkVHSU46VkNBUkQNCkZOOk9sZA0KRU5EOlZDQVJEDQo=",
                frameBase64: "0QEBIAAAAKHrdKBDKTaAkv45KSjyAA=="),
        Fixture(name: "a vCard compressed without a dictionary",
                payloadBase64: "QkVHSU46VkNBUkQNClZFUlNJT046My4wDQpQUk9ESUQ6LS8vTWljcm9zb2Z0IENvcnBvcmF0aW9uLy9PdXRsb29rIDE2LjAgTUlNRURJUi8vRU4NCk46Sm9obnNvbjtNYXJ5Ozs7DQpGTjpNYXJ5IEpvaG5zb24NCk9SRzpTdGFyayBJbmR1c3RyaWVzO0VuZ2luZWVyaW5nDQpUSVRMRTpTb2Z0d2FyZSBFbmdpbmVlcg0KVEVMO1RZUEU9SE9NRSxQUkVGOisxIDIxMiA1NTUgNzU2NA0KVEVMO1RZUEU9Q0VMTCxWT0lDRTooNTU1KSA1NTUtNjA4OQ0KVEVMO1RZUEU9SE9NRSxWT0lDRTorMSA0MTUgNTU1IDY1MTENCkVNQUlMO1RZUEU9SU5URVJORVQsV09SSzptam9obnNvbjc0NTc4QG91dGxvb2suY29tDQpFTUFJTDtUWVBFPUlOVEVSTkVUOmpvaG5zb242OTc0NTc4QGV4YW1wbGUuY29tDQpDQVRFR09SSUVTOkJ1c2luZXNzDQpVSUQ6NTI4ZjllMDMtMTJjYS00ZmY4LWJkZjktZDljZTU5NzRlNmVkDQpSRVY6MjAyMzA4MDNUMTEwMjM5Wg0KRU5EOlZDQVJEDQo=",
                frameBase64: "0QEA5QEAAC8ZsABtkdFPgzAQxt+b9H/oo8YxKFsZlJg44ZzVAUuHM/qGW1HU0QVY1P/eKjMxxrdLvt99d9/dOcxEylfRVMYYrUAuRZby0dDBaCGzWMTcsu2kWje61WVHIt3sdFN0la5tO9t3r1q/EOoNHZKIBGIhbRtSjFJ+pZ/qVtdhUjQfYRhidJHyr5ocBIwyOePLrmheiKg3+7ZrKtWGUD9WtVJNVT9ilIt8Dnxp5r4VjSI/mhFgHuZ3Czi9zBIYLCRc8BNKXOoSxhiZMG/8i4lgPh+sMhEBPzLy8RdjeY4f/PXpGWM0puzbyGOUYgTJVBwwkeYgU8gHt5m85tvnPspkzCb+me6PMVzr7b89/EB7Qc+r92K7e1U9H01zmGVSwJKf71uTsm0xujHHZ65fBsoZWdRdF9a4LH3rYVMG1iZYK2aclKc2GElYcddxR47vjHJKTRXcmyXS+Oevnw=="),
        Fixture(name: "bytes deflate cannot shrink (stored)",
                payloadBase64: "BxQhLjtIVWJvfImWo7C9",
                frameBase64: "0QAADwAAAHIS4S8HFCEuO0hVYm98iZajsL0="),
    ]

    @Test("Each committed frame decodes to its payload", arguments: fixtures)
    func decodes(_ fixture: Fixture) throws {
        let codec = PayloadCodec()
        #expect(try codec.decode(fixture.frame) == fixture.payload)
        #expect(PayloadCodec.payloadLength(of: fixture.frame) == fixture.payload.count)
    }

    @Test("Old frames decode between new encodes on one codec (the streams are shared)")
    func interleaved() throws {
        let codec = PayloadCodec()
        for fixture in Self.fixtures {
            let fresh = try codec.encode(fixture.payload)
            #expect(try codec.decode(fixture.frame) == fixture.payload)
            #expect(try codec.decode(fresh) == fixture.payload)
        }
    }
}
