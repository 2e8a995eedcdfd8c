import Testing
@testable import SyncMLCodec
/// The codec's behaviour, case by case, on small hand-written messages.
@Suite("SyncML codec specification")
struct CodecSpecTests {
    static func message(_ body: String, version: String = "1.2") -> [UInt8] {
        Array("""
            <?xml version="1.0" encoding="UTF-8"?><SyncML xmlns='SYNCML:SYNCML\(version)'><SyncHdr>\
            <VerDTD>\(version)</VerDTD><VerProto>SyncML/\(version)</VerProto><SessionID>7</SessionID><MsgID>1</MsgID>\
            <Target><LocURI>http://server/sync</LocURI></Target><Source><LocURI>dev-1</LocURI><LocName>user</LocName></Source>\
            </SyncHdr><SyncBody>\(body)</SyncBody></SyncML>
            """.utf8)
    }

    @Test("The header is read field by field")
    func header() throws {
        let message = try SyncMLMessage(decoding: Self.message("<Final/>"))
        #expect(message.header.sessionID == "7")
        #expect(message.header.source == Location("dev-1", name: "user"))
        #expect(message.version == .v1_2)
        #expect(message.isFinal)
        #expect(message.commands.isEmpty)
    }

    @Test("A Sync's commands arrive one by one, before the message is complete")
    func streaming() throws {
        var adds = ""
        for i in 0..<200 {
            adds += "<Add><CmdID>\(i + 2)</CmdID><Meta><Type xmlns='syncml:metinf'>text/vcard</Type></Meta><Item><Source><LocURI>\(i)</LocURI></Source><Data><![CDATA[BEGIN:VCARD\r\nFN:Person \(i)\r\nEND:VCARD\r\n]]></Data></Item></Add>"
        }
        let bytes = Self.message("<Sync><CmdID>1</CmdID><Target><LocURI>contacts</LocURI></Target>\(adds)</Sync><Final/>")
        var decoder = SyncMLDecoder()
        decoder.feed(bytes[..<(bytes.count / 2)])
        var events: [SyncMLDecoder.Event] = []
        while let event = try decoder.next() { events.append(event) }
        // Half the bytes: the header, the Sync's opening and about half the Adds.
        guard case .header? = events.first, case .begin(.sync(let sync))? = events.dropFirst().first else {
            Issue.record("expected header and Sync opening first, got \(events.prefix(2))")
            return
        }
        #expect(sync.target?.locURI == "contacts")
        let adds1 = events.filter { if case .command(.add) = $0 { true } else { false } }.count
        #expect(adds1 > 80 && adds1 < 120)
        decoder.feed(bytes[(bytes.count / 2)...])
        decoder.finish()
        while let event = try decoder.next() { events.append(event) }
        #expect(events.suffix(3) == [.end, .final, .endOfMessage])
        guard case .command(.add(let last)) = events[events.count - 4] else { Issue.record("no Add"); return }
        #expect(last.items.first?.data?.text == "BEGIN:VCARD\r\nFN:Person 199\r\nEND:VCARD\r\n")
    }

    @Test("A whole message keeps every container's commands, nested ones too, in order, in WBXML and XML")
    func nestedContainers() throws {
        func add(_ id: Int) -> Command {
            .add(ItemCommand(cmdID: "\(id)", items: [Item(source: Location("\(id)"), data: .bytes(ArraySlice("BEGIN:VCARD\r\nFN:P \(id)\r\nEND:VCARD\r\n".utf8)))]))
        }
        let inner = Command.sequence(CommandGroup(cmdID: "20", commands: [add(21), .delete(ItemCommand(cmdID: "22", items: [Item(source: Location("9"))]))]))
        let atomic = Command.atomic(CommandGroup(cmdID: "10", commands: [add(11), inner, add(12)]))
        let sync = Command.sync(Sync(cmdID: "2", target: Location("contacts"), source: Location("./contacts"),
                                     commands: (100..<400).map(add) + [atomic] + [add(500)]))
        let message = SyncMLMessage(header: SyncHeader(sessionID: "1", msgID: "1", target: Location("server"), source: Location("phone")),
                                    commands: [sync, .sync(Sync(cmdID: "3", target: Location("calendar")))])
        for format in [SyncMLEncoding.wbxml, .xml] {
            let decoded = try SyncMLMessage(decoding: message.encoded(as: format))
            #expect(decoded == message, "\(format)")
            #expect(decoded.commands.first?.children.count == 302)
        }
    }

    @Test("Item data is a slice of the input, not a copy")
    func zeroCopy() throws {
        let bytes = Self.message("<Add><CmdID>1</CmdID><Item><Data><![CDATA[payload]]></Data></Item></Add>")
        let message = try SyncMLMessage(decoding: bytes)
        guard case .add(let add) = message.commands.first, case .bytes(let data)? = add.items.first?.data else {
            Issue.record("no data"); return
        }
        #expect(String(decoding: data, as: UTF8.self) == "payload")
        #expect(data.count == 7)
    }

    @Test("An Anchor inside a Status's item data is read as an Anchor")
    func statusAnchor() throws {
        let bytes = Self.message("""
            <Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Cmd>Alert</Cmd><TargetRef>./contacts</TargetRef>\
            <SourceRef>contacts</SourceRef><Data>200</Data><Item><Data><Anchor xmlns='syncml:metinf'><Next>42</Next></Anchor></Data></Item></Status>
            """)
        let message = try SyncMLMessage(decoding: bytes)
        guard case .status(let status) = message.commands.first else { Issue.record("no Status"); return }
        #expect(status.code == .ok)
        #expect(status.items.first?.data == .anchor(Anchor(next: "42")))
    }

    @Test("MetInf children without their namespace are still understood")
    func forgottenNamespace() throws {
        let bytes = Self.message("<Alert><CmdID>1</CmdID><Data>201</Data><Item><Target><LocURI>contacts</LocURI></Target><Meta><Anchor><Next>1</Next></Anchor><MaxObjSize>4000</MaxObjSize></Meta></Item></Alert>")
        let message = try SyncMLMessage(decoding: bytes)
        guard case .alert(let alert) = message.commands.first else { Issue.record("no Alert"); return }
        #expect(alert.code == .slow)
        #expect(alert.items.first?.meta?.anchor == Anchor(next: "1"))
        #expect(alert.items.first?.meta?.maxObjSize == 4000)
    }

    @Test("Unknown elements are kept and written back")
    func unknownKept() throws {
        let bytes = Self.message("<Alert><CmdID>1</CmdID><Data>200</Data><X-Vendor xmlns='urn:vendor'><Flag>on</Flag></X-Vendor></Alert><Frobnicate><CmdID>2</CmdID></Frobnicate>")
        let message = try SyncMLMessage(decoding: bytes)
        guard case .alert(let alert) = message.commands.first else { Issue.record("no Alert"); return }
        #expect(alert.unknown == [MarkupElement(namespace: "urn:vendor", name: "X-Vendor", content: [
            .element(MarkupElement(namespace: "urn:vendor", name: "Flag", content: [.text("on")])),
        ])])
        guard case .unknown(let frob) = message.commands.last else { Issue.record("no unknown command"); return }
        #expect(frob == MarkupElement(namespace: "", name: "Frobnicate", content: [
            .element(MarkupElement(namespace: "", name: "CmdID", content: [.text("2")])),
        ]))
        #expect(try SyncMLMessage(decoding: message.encoded(as: .xml)) == message)
        // WBXML keeps names (as LITERAL tags) but has no room for a foreign namespace.
        var withoutVendorNamespace = message
        withoutVendorNamespace.commands[0] = .alert(Alert(cmdID: "1", code: .twoWay, unknown: [
            MarkupElement(namespace: "", name: "X-Vendor", content: [.element(MarkupElement(namespace: "", name: "Flag", content: [.text("on")]))]),
        ]))
        #expect(try SyncMLMessage(decoding: message.encoded(as: .wbxml)) == withoutVendorNamespace)
    }

    @Test("DevInf 1.1 lists CTCap flat; it decodes to the same shape as 1.2 and is written back flat")
    func flatCTCap() throws {
        let devinf = """
            <DevInf xmlns='syncml:devinf'><VerDTD>1.1</VerDTD><DevID>phone</DevID><DevTyp>phone</DevTyp>\
            <DataStore><SourceRef>./contacts</SourceRef><Rx-Pref><CTType>text/x-vcard</CTType><VerCT>2.1</VerCT></Rx-Pref>\
            <Tx-Pref><CTType>text/x-vcard</CTType><VerCT>2.1</VerCT></Tx-Pref><SyncCap><SyncType>1</SyncType><SyncType>390001</SyncType></SyncCap></DataStore>\
            <CTCap><CTType>text/x-vcard</CTType><PropName>TEL</PropName><ParamName>TYPE</ParamName><ValEnum>HOME</ValEnum><ValEnum>WORK</ValEnum>\
            <PropName>N</PropName><Size>64</Size><CTType>text/x-vcalendar</CTType><PropName>DTSTART</PropName></CTCap></DevInf>
            """
        let bytes = Self.message("<Put><CmdID>1</CmdID><Meta><Type xmlns='syncml:metinf'>application/vnd.syncml-devinf+xml</Type></Meta><Item><Source><LocURI>./devinf11</LocURI></Source><Data>\(devinf)</Data></Item></Put>", version: "1.1")
        let message = try SyncMLMessage(decoding: bytes)
        guard case .put(let put) = message.commands.first, case .devInf(let info)? = put.items.first?.data else {
            Issue.record("no DevInf"); return
        }
        #expect(info.ctCaps == [
            CTCap(ctType: "text/x-vcard", properties: [
                CTProperty(name: "TEL", parameters: [CTParameter(name: "TYPE", values: ["HOME", "WORK"])]),
                CTProperty(name: "N", maxSize: 64),
            ]),
            CTCap(ctType: "text/x-vcalendar", properties: [CTProperty(name: "DTSTART")]),
        ])
        #expect(info.dataStores.first?.syncTypes == [1, 390001])
        let xml = String(decoding: message.encoded(as: .xml), as: UTF8.self)
        #expect(xml.contains("<PropName>N</PropName><Size>64</Size>"))
        #expect(xml.contains("xmlns='SYNCML:SYNCML1.1'"))
        for encoding in SyncMLEncoding.allCases {
            #expect(try SyncMLMessage(decoding: message.encoded(as: encoding)).normalizingDevInfType() == message.normalizingDevInfType())
        }
    }

    @Test("WBXML carries a DevInf as a nested WBXML document and says so in its type")
    func nestedDevInf() throws {
        let info = DevInf(devID: "server", devType: "server", dataStores: [DataStore(sourceRef: "contacts", syncTypes: [1, 2])])
        let message = SyncMLMessage(header: SyncHeader(sessionID: "1", msgID: "1", target: Location("a"), source: Location("b")),
                                    commands: [.put(Exchange(cmdID: "1", meta: Meta(type: "application/vnd.syncml-devinf+xml"),
                                                             items: [Item(source: Location("./devinf12"), data: .devInf(info))]))])
        let wbxml = message.encoded(as: .wbxml)
        // The DevInf public id 0x1203 appears right after an OPAQUE's WBXML version byte.
        #expect(wbxml.indices.contains { i in i + 3 < wbxml.count && wbxml[i] == 0x02 && wbxml[i + 1] == 0xA4 && wbxml[i + 2] == 0x03 })
        let decoded = try SyncMLMessage(decoding: wbxml)
        guard case .put(let put) = decoded.commands.first else { Issue.record("no Put"); return }
        #expect(put.meta?.type == "application/vnd.syncml-devinf+wbxml")
        #expect(put.items.first?.data == .devInf(info))
    }

    @Test("Errors name the byte offset and what was wrong")
    func errors() throws {
        let notSyncML = Array("<?xml version='1.0'?><Html/>".utf8)
        let error = try #require(throws: SyncMLDecodingError.self) { try SyncMLMessage(decoding: notSyncML) }
        #expect(error.kind == .unexpectedElement)
        #expect(error.description.contains("expected <SyncML>"))

        let badCode = Self.message("<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>OK</Data></Status>")
        let codeError = try #require(throws: SyncMLDecodingError.self) { try SyncMLMessage(decoding: badCode) }
        #expect(codeError.kind == .invalidValue)
        #expect(codeError.offset > 200)

        let empty = try #require(throws: SyncMLDecodingError.self) { try SyncMLMessage(decoding: [UInt8]()) }
        #expect(empty.kind == .truncated)
    }

    @Test("SyncML 1.0 and 1.1 messages carry their own public id and namespace", arguments: [
        (SyncMLVersion.v1_0, [UInt8]([0x02, 0x9F, 0x51, 0x6A])),
        (.v1_1, [0x02, 0x9F, 0x53, 0x6A]),
        (.v1_2, [0x02, 0xA4, 0x01, 0x6A]),
    ])
    func olderVersions(version: SyncMLVersion, header: [UInt8]) throws {
        let message = SyncMLMessage(
            header: SyncHeader(version: version, sessionID: "1", msgID: "1", target: Location("server"), source: Location("phone")),
            commands: [.alert(Alert(cmdID: "1", code: .slow, items: [Item(target: Location("contacts"), source: Location("./contacts"),
                                                                           meta: Meta(anchor: Anchor(next: "1")))]))])
        let wbxml = message.encoded(as: .wbxml)
        #expect(Array(wbxml.prefix(4)) == header)
        #expect(try SyncMLMessage(decoding: wbxml) == message)
        let xml = message.encoded(as: .xml)
        #expect(String(decoding: xml, as: UTF8.self).contains("<SyncML xmlns='\(version.namespaceURI)'>"))
        #expect(try SyncMLMessage(decoding: xml) == message)
        #expect(try SyncMLMessage(decoding: xml).version == version)
    }

    @Test("A WBXML public id given in the string table is understood")
    func stringTablePublicID() throws {
        let name = Array("-//SYNCML//DTD SyncML 1.1//EN".utf8) + [0]
        var wbxml: [UInt8] = [0x02, 0x00, 0x00, 0x6A, UInt8(name.count)] + name
        let body = SyncMLMessage(header: SyncHeader(version: .v1_1, sessionID: "9", msgID: "1", target: Location("s"), source: Location("c")))
            .encoded(as: .wbxml)
        wbxml += body.dropFirst(5) // our header is 02 9F 53 6A 00
        var decoder = SyncMLDecoder()
        decoder.feed(wbxml)
        decoder.finish()
        var events: [SyncMLDecoder.Event] = []
        while let event = try decoder.next() { events.append(event) }
        #expect(decoder.documentInfo?.publicID == .string("-//SYNCML//DTD SyncML 1.1//EN"))
        guard case .header(let header) = events.first else { Issue.record("no header"); return }
        #expect(header.sessionID == "9")
        #expect(header.version == .v1_1)
    }
}
