// Test helper for SyncMLStoreTests' crash-safety test: opens the store at
// argv[1], prints "ready", applies one batch of argv[2] generated contacts in one
// transaction (tagged with argv[3] so runs are distinguishable), prints "done".
// The test SIGKILLs it at a random moment and checks the store afterwards.
import Foundation
import SyncMLRecords
import SyncMLStore

let arguments = CommandLine.arguments
guard arguments.count == 4, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: store-crash-helper DB COUNT TAG\n".utf8))
    exit(2)
}
let tag = arguments[3]
do {
    let store = try SyncStore(path: arguments[1])
    let user = try await store.user(named: "crash")
    let contacts = try await store.datastore(named: "contacts", user: user)
    let device = try await store.device(devID: "crash-device", user: user)
    let session = try await store.beginSession(device: device)
    var changes: [ItemChange] = []
    changes.reserveCapacity(count)
    for index in 0..<count {
        let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Run\(tag);Person\(index);;;\r\nFN:Person\(index) Run\(tag)\r\nTEL;TYPE=CELL:+49 170 \(1_000_000 + index)\r\nEMAIL;TYPE=INTERNET:p\(index).\(tag)@example.com\r\nNOTE:crash test record \(index) of run \(tag)\r\nEND:VCARD\r\n"
        let bytes = Array(card.utf8)
        changes.append(ItemChange(.add, luid: "\(tag)-\(index)", payload: bytes, fingerprint: Fingerprint(of: bytes),
                                  matchKeys: MatchKey(primary: "run\(tag)|person\(index)").indexKeys))
    }
    FileHandle.standardOutput.write(Data("ready\n".utf8))
    _ = try await store.apply(changes, datastore: contacts, device: device, session: session)
    FileHandle.standardOutput.write(Data("done\n".utf8))
} catch {
    FileHandle.standardError.write(Data("store-crash-helper: \(error)\n".utf8))
    exit(1)
}
