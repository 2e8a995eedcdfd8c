/// SIF-C (Outlook contacts) ↔ vCard 3.0. The mapping is tabled in docs/RECORDS.md, "SIF".
enum SIFContact {
    /// Telephone fields and the vCard `TYPE`s that stand for them, in the order a
    /// `TEL` is tried against them. `VOICE` is implied (and ignored when reading back).
    static let phones: [(field: String, types: Set<String>)] = [
        ("BusinessTelephoneNumber", ["WORK"]),
        ("Business2TelephoneNumber", ["WORK"]),
        ("HomeTelephoneNumber", ["HOME"]),
        ("Home2TelephoneNumber", ["HOME"]),
        ("MobileTelephoneNumber", ["CELL"]),
        ("CarTelephoneNumber", ["CAR"]),
        ("PagerNumber", ["PAGER"]),
        ("BusinessFaxNumber", ["WORK", "FAX"]),
        ("HomeFaxNumber", ["HOME", "FAX"]),
        ("OtherFaxNumber", ["FAX"]),
        ("CompanyMainTelephoneNumber", ["WORK", "PREF"]),
        ("PrimaryTelephoneNumber", ["PREF"]),
        ("ISDNNumber", ["ISDN"]),
        ("AssistantTelephoneNumber", ["X-ASSISTANT"]),
        ("CallbackTelephoneNumber", ["X-CALLBACK"]),
        ("RadioTelephoneNumber", ["X-RADIO"]),
        ("TelexNumber", ["X-TELEX"]),
        ("TTYTDDTelephoneNumber", ["X-TTYTDD"]),
        ("OtherTelephoneNumber", []),
    ]

    /// Address blocks: SIF field prefix and vCard `TYPE` (none for Other).
    static let addresses: [(prefix: String, type: String?)] = [("Home", "HOME"), ("Business", "WORK"), ("Other", nil)]
    /// `ADR` components after the post-office box and the (unused) extended address.
    static let addressParts = ["Street", "City", "State", "PostalCode", "Country"]

    static let webPages: [(field: String, type: String?)] = [("WebPage", nil), ("HomeWebPage", "HOME"), ("BusinessWebPage", "WORK")]

    /// Fields whose Outlook default says nothing; they are not kept (so a contact from
    /// Outlook equals the same contact from elsewhere) and written back as the default.
    static let defaults: [(field: String, value: String)] = [("Importance", "1"), ("Sensitivity", "0"), ("Gender", "0")]

    static let nameFields = ["LastName", "FirstName", "MiddleName", "Title", "Suffix"]

    // MARK: SIF → vCard

    static func vCard(_ item: SIFItem) -> VComponent {
        var values: [String: String] = [:]
        var order: [SIFField] = []
        // A repeated field: the first non-empty value counts.
        for field in item.fields where values[field.name]?.isEmpty ?? true {
            if let index = order.firstIndex(where: { $0.name == field.name }) { order[index] = field } else { order.append(field) }
            values[field.name] = field.value
        }
        var used: Set<String> = ["SIFVersion"]
        func take(_ name: String) -> String {
            used.insert(name)
            return values[name] ?? ""
        }
        var properties = [VProperty(name: "VERSION", value: "3.0")]

        // Names.
        let name = nameFields.map(take)
        let (last, first, middle) = (name[0], name[1], name[2])
        if name.contains(where: { !$0.isEmpty }) {
            properties.append(VProperty(name: "N", value: VText.join(name.map { [$0] })))
        }
        let fileAs = take("FileAs")
        let composed = composedName(first: first, middle: middle, last: last)
        let company = values["CompanyName"] ?? ""
        let fn: String
        if !fileAs.isEmpty, !defaultFileAs(first: first, middle: middle, last: last).contains(fileAs) {
            fn = fileAs
        } else if !composed.isEmpty {
            fn = composed
        } else {
            fn = fileAs.isEmpty ? company : fileAs
        }
        if !fn.isEmpty { properties.append(SIFFields.text("FN", fn)) }
        if case let nick = take("NickName"), !nick.isEmpty { properties.append(SIFFields.text("NICKNAME", nick)) }

        // Organization.
        let department = take("Department")
        if !take("CompanyName").isEmpty || !department.isEmpty {
            properties.append(VProperty(name: "ORG", value: VText.join(department.isEmpty ? [[company]] : [[company], [department]])))
        }
        if case let title = take("JobTitle"), !title.isEmpty { properties.append(SIFFields.text("TITLE", title)) }

        // Contact points.
        for index in 1...3 {
            let address = take("Email\(index)Address")
            let type = take("Email\(index)AddressType")
            guard !address.isEmpty else { continue }
            properties.append(SIFFields.text("EMAIL", address, [VParameter("TYPE", "INTERNET")]))
            if !type.isEmpty, type.uppercased() != "SMTP" {
                properties.append(SIFFields.text("X-SIF-EMAIL\(index)ADDRESSTYPE", type))
            }
        }
        for phone in phones {
            let number = take(phone.field)
            guard !number.isEmpty else { continue }
            let types = phone.types.contains("FAX") || phone.types.contains("PAGER") ? phone.types.sorted() : (phone.types.sorted() + ["VOICE"])
            properties.append(SIFFields.text("TEL", number, [VParameter(name: "TYPE", values: types)]))
        }
        for block in addresses {
            let box = take(block.prefix + "AddressPostOfficeBox")
            let parts = addressParts.map { take(block.prefix + "Address" + $0) }
            guard !box.isEmpty || parts.contains(where: { !$0.isEmpty }) else { continue }
            let parameters = block.type.map { [VParameter("TYPE", $0)] } ?? []
            properties.append(VProperty(name: "ADR", parameters: parameters, value: VText.join([[box], [""]] + parts.map { [$0] })))
        }
        for page in webPages {
            let url = take(page.field)
            guard !url.isEmpty else { continue }
            properties.append(SIFFields.text("URL", url, page.type.map { [VParameter("TYPE", $0)] } ?? []))
        }

        // Dates, note, categories, photo.
        if case let birthday = take("Birthday"), !birthday.isEmpty {
            properties.append(VProperty(name: "BDAY", value: SIFFields.compactDate(birthday).map(SIFFields.dashedDate) ?? birthday))
        }
        if case let anniversary = take("Anniversary"), !anniversary.isEmpty {
            properties.append(VProperty(name: "X-ANNIVERSARY", value: SIFFields.compactDate(anniversary).map(SIFFields.dashedDate) ?? anniversary))
        }
        if case let body = take("Body"), !body.isEmpty { properties.append(SIFFields.text("NOTE", body)) }
        let categories = SIFFields.categories(take("Categories"))
        if !categories.isEmpty { properties.append(VProperty(name: "CATEGORIES", value: VText.join([categories]))) }
        if case let photo = String(take("Photo").filter { !$0.isWhitespace }), !photo.isEmpty {
            var parameters = [VParameter("ENCODING", "b")]
            if let type = imageType(base64: photo) { parameters.append(VParameter("TYPE", type)) }
            properties.append(VProperty(name: "PHOTO", parameters: parameters, value: photo))
        }

        // Defaults say nothing; everything else is kept as X-SIF-….
        for (field, value) in defaults where values[field]?.trimmingASCIIWhitespace() == value { used.insert(field) }
        for field in order where !used.contains(field.name) {
            if let property = SIFFields.property(for: field) { properties.append(property) }
        }
        return VComponent(name: "VCARD", properties: properties)
    }

    /// "First Middle Last", skipping empty parts: what phones put in `FN`.
    static func composedName(first: String, middle: String, last: String) -> String {
        [first, middle, last].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The `FileAs` values Outlook makes up from the name itself ("Last, First" and
    /// variants); such a `FileAs` carries nothing the name does not.
    static func defaultFileAs(first: String, middle: String, last: String) -> Set<String> {
        var result: Set<String> = [composedName(first: first, middle: middle, last: last)]
        if !last.isEmpty, !first.isEmpty {
            result.insert("\(last), \(first)")
            result.insert("\(last), \(composedName(first: first, middle: middle, last: ""))")
        }
        if first.isEmpty, middle.isEmpty, !last.isEmpty { result.insert(last) }
        return result
    }

    /// `TYPE` of a base64 image from its first bytes.
    static func imageType(base64 text: String) -> String? {
        if text.hasPrefix("/9j/") { return "JPEG" }
        if text.hasPrefix("iVBORw0KGgo") { return "PNG" }
        if text.hasPrefix("R0lGOD") { return "GIF" }
        if text.hasPrefix("Qk") { return "BMP" }
        return nil
    }

    // MARK: vCard → SIF

    static func item(_ card: VComponent) -> SIFItem {
        var item = SIFItem(kind: .contact, fields: [SIFField("SIFVersion", SIF.version)])
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if !value.isEmpty, values[name] == nil { values[name] = value }
        }

        let n = card.first("N")?.components.map { $0.joined(separator: " ") } ?? []
        for (index, field) in nameFields.enumerated() where index < n.count { set(field, n[index]) }
        let (last, first, middle) = (values["LastName"] ?? "", values["FirstName"] ?? "", values["MiddleName"] ?? "")
        let composed = composedName(first: first, middle: middle, last: last)
        let fn = card.first("FN")?.text.trimmingASCIIWhitespace() ?? ""
        if !fn.isEmpty, fn != composed {
            set("FileAs", fn)
        } else if !last.isEmpty, !first.isEmpty {
            set("FileAs", "\(last), \(first)")
        } else {
            set("FileAs", composed)
        }
        if let nick = card.first("NICKNAME") { set("NickName", SIFFields.list(nick).joined(separator: ", ")) }
        if let org = card.first("ORG") {
            let units = org.components.map { $0.joined(separator: ",") }
            set("CompanyName", units.first ?? "")
            set("Department", units.dropFirst().filter { !$0.isEmpty }.joined(separator: "; "))
        }
        if let title = card.first("TITLE") { set("JobTitle", title.text) }

        var emailIndex = 1
        for email in card.properties(named: "EMAIL") where emailIndex <= 3 {
            let address = email.text.trimmingASCIIWhitespace()
            guard !address.isEmpty else { continue }
            set("Email\(emailIndex)Address", address)
            set("Email\(emailIndex)AddressType", card.first("X-SIF-EMAIL\(emailIndex)ADDRESSTYPE")?.text ?? "SMTP")
            emailIndex += 1
        }
        for tel in card.properties(named: "TEL") {
            let number = tel.text.trimmingASCIIWhitespace()
            guard !number.isEmpty else { continue }
            if let field = phoneField(SIFFields.types(tel), free: { values[$0] == nil }) { set(field, number) }
        }
        for adr in card.properties(named: "ADR") {
            let types = SIFFields.types(adr)
            let preferred = types.contains("WORK") ? "Business" : types.contains("HOME") ? "Home" : "Other"
            guard let prefix = [preferred, "Other"].first(where: { prefix in
                values[prefix + "AddressPostOfficeBox"] == nil && addressParts.allSatisfy { values[prefix + "Address" + $0] == nil }
            }) else { continue }
            let parts = adr.components.map { $0.joined(separator: ",") }
            func part(_ index: Int) -> String { index < parts.count ? parts[index] : "" }
            set(prefix + "AddressPostOfficeBox", part(0))
            // The extended address (component 1) has no field of its own: Outlook keeps it in the street.
            let street = [part(1), part(2)].filter { !$0.isEmpty }.joined(separator: "\r\n")
            set(prefix + "AddressStreet", SIFFields.windowsLineBreaks(street))
            for (offset, name) in addressParts.dropFirst().enumerated() { set(prefix + "Address" + name, part(3 + offset)) }
        }
        for url in card.properties(named: "URL") {
            let types = SIFFields.types(url)
            let preferred = types.contains("HOME") ? "HomeWebPage" : types.contains("WORK") ? "BusinessWebPage" : "WebPage"
            if let field = [preferred, "WebPage", "BusinessWebPage", "HomeWebPage"].first(where: { values[$0] == nil }) {
                set(field, url.text)
            }
        }
        if let bday = card.first("BDAY") { set("Birthday", SIFFields.compactDate(bday.text).map(SIFFields.dashedDate) ?? bday.text) }
        if let anniversary = card.first("ANNIVERSARY") ?? card.first("X-ANNIVERSARY") {
            set("Anniversary", SIFFields.compactDate(anniversary.text).map(SIFFields.dashedDate) ?? anniversary.text)
        }
        if let note = card.first("NOTE") { set("Body", SIFFields.windowsLineBreaks(note.text)) }
        let categories = card.properties(named: "CATEGORIES").flatMap(SIFFields.list)
        set("Categories", categories.joined(separator: ", "))
        if let photo = card.first("PHOTO"), photo.parameters.contains(where: VObjectWriter.isBase64) {
            set("Photo", photo.value)
        }
        for (field, value) in defaults { set(field, value) }

        // Known fields in a fixed order, then the kept ones.
        var written: Set<String> = []
        for name in fieldOrder {
            guard let value = values[name] else { continue }
            item.fields.append(SIFField(name, value))
            written.insert(name)
        }
        for property in card.properties {
            guard let field = SIFFields.field(for: property), !written.contains(field.name) else { continue }
            item.fields.append(field)
            written.insert(field.name)
        }
        return item
    }

    /// The telephone field a `TEL` with these types goes to: the first entry of
    /// ``phones`` whose types it has (ignoring `VOICE`, `MSG`, `PREF` unless the entry
    /// asks for it) and whose slot is still `free`; else `OtherTelephoneNumber` if free.
    static func phoneField(_ rawTypes: Set<String>, free: (String) -> Bool) -> String? {
        let types = rawTypes.subtracting(["VOICE", "MSG", "INTERNET"])
        // Most specific first: an entry must match all of its types, and use most of ours.
        let candidates = phones.enumerated().filter { $0.element.types.isSubset(of: types) && !$0.element.types.isEmpty }
            .sorted { ($0.element.types.count, $1.offset) > ($1.element.types.count, $0.offset) }
            .map(\.element)
        var fallback: [String] = []
        for candidate in candidates {
            // FAX must not land on a voice line, nor WORK,PREF on Primary.
            if types.contains("FAX") != candidate.types.contains("FAX") { continue }
            if candidate.types == ["PREF"], types.count > 1 { continue }
            fallback.append(candidate.field)
        }
        if types.contains("FAX") { fallback.append("OtherFaxNumber") }
        fallback.append("OtherTelephoneNumber")
        return fallback.first(where: free)
    }

    /// Where the writer puts known fields (the plug-in accepts any order).
    static let fieldOrder: [String] = {
        var order = ["FileAs", "FirstName", "MiddleName", "LastName", "Title", "Suffix", "NickName",
                     "CompanyName", "Department", "JobTitle"]
        for index in 1...3 { order += ["Email\(index)Address", "Email\(index)AddressType"] }
        order += phones.map(\.field)
        for block in addresses {
            order += ["\(block.prefix)AddressPostOfficeBox"] + addressParts.map { "\(block.prefix)Address\($0)" }
        }
        order += webPages.map(\.field)
        order += ["Birthday", "Anniversary", "Body", "Categories", "Photo"] + defaults.map(\.field)
        return order
    }()
}
