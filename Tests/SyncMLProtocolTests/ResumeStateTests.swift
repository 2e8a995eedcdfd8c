import Foundation
import SyncMLCodec
import SyncMLProtocol
import Testing

@Suite("Resume state: the point both roles save, and the JSON they saved before")
struct ResumeStateTests {
    struct ServerFields: Codable, Equatable {
        var clientURI: String
        var acknowledged: Int64
    }

    struct ClientFields: Codable, Equatable {
        var touched: [String]
    }

    @Test("A datastore's point and the role's fields round-trip as one flat JSON object")
    func roundTrip() throws {
        let point = ResumePoint(name: "contacts", mode: .twoWay, anchors: SyncAnchors(client: Anchor(last: "1", next: "2"), server: Anchor(next: "3")))
        let state = ResumeState(datastores: [ResumedDatastore(point, ServerFields(clientURI: "./c", acknowledged: 7))])
        let bytes = state.encoded()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: [[String: Any]]])
        let flat = try #require(object["datastores"]?.first)
        #expect(Set(flat.keys) == ["name", "mode", "clientLast", "clientNext", "serverNext", "clientURI", "acknowledged"])
        let decoded = try #require(ResumeState<ServerFields>.decode(bytes))
        #expect(decoded.datastore("contacts")?.point == point)
        #expect(decoded.datastore("contacts")?.role == ServerFields(clientURI: "./c", acknowledged: 7))
        #expect(decoded.datastore("calendar") == nil)
    }

    @Test("A server's state written before the point was shared still reads")
    func serverFormerJSON() throws {
        let json = #"{"datastores":[{"name":"contacts","clientURI":"./c","serverURI":"card","mode":"slow","clientLast":"a","clientNext":"b","#
            + #""serverNext":"s","acknowledged":3,"clientHas":{},"claimed":[],"confirmed":{}}]}"#
        let state = try #require(ResumeState<ServerFields>.decode(Array(json.utf8)))
        let saved = try #require(state.datastore("contacts"))
        #expect(saved.point == ResumePoint(name: "contacts", mode: .slow,
                                           anchors: SyncAnchors(client: Anchor(last: "a", next: "b"), server: Anchor(next: "s"))))
        #expect(saved.role == ServerFields(clientURI: "./c", acknowledged: 3))
    }

    @Test("A client's state written before (its anchors as last/next, an empty mode for leftover maps) still reads")
    func clientFormerJSON() throws {
        let json = #"{"datastores":[{"name":"contacts","mode":"two-way","last":"a","next":"b","serverNext":"s","confirmed":{},"#
            + #""pendingMaps":{},"touched":["x"]},{"name":"notes","mode":"","last":"n","confirmed":{},"pendingMaps":{},"touched":[]}]}"#
        let state = try #require(ResumeState<ClientFields>.decode(Array(json.utf8)))
        #expect(state.datastore("contacts")?.point.anchors.client == Anchor(last: "a", next: "b"))
        #expect(state.datastore("contacts")?.point.mode == .twoWay)
        #expect(state.datastore("contacts")?.role.touched == ["x"])
        #expect(state.datastore("notes")?.point.mode == nil)
        #expect(state.datastore("notes")?.point.anchors.client == Anchor(last: "n"))
    }

    @Test("A point without a mode is written with an empty one, as before")
    func noMode() throws {
        let state = ResumeState(datastores: [ResumedDatastore(ResumePoint(name: "n", mode: nil, anchors: SyncAnchors()),
                                                              ClientFields(touched: []))])
        #expect(String(decoding: state.encoded(), as: UTF8.self).contains(#""mode":"""#))
    }

    @Test("Bytes that are not a resume state are no state")
    func garbage() {
        #expect(ResumeState<ClientFields>.decode(Array("{".utf8)) == nil)
        #expect(ResumeState<ClientFields>.decode([]) == nil)
    }
}
