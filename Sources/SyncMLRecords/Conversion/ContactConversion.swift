/// vCard 2.1 ↔ 3.0 ↔ 4.0 (vCard 2.1, RFC 2426, RFC 6350 §6 and Appendix A), through 3.0.
/// The rules are listed in docs/RECORDS.md, "Conversion".
enum ContactConversion {
    static func convert(_ card: VComponent, from source: VFormat, to target: VFormat) -> VComponent {
        var hub = card
        switch source {
        case .vCard21: hub = from21(card)
        case .vCard40: hub = from40(card)
        default: break
        }
        ensureNames(&hub)
        switch target {
        case .vCard21: hub = to21(hub)
        case .vCard40: hub = to40(hub)
        default: break
        }
        RecordConverter.setVersion(&hub, target)
        return hub
    }

    /// Plain text properties: a 2.1 value may hold bare `,` and `;`, 3.0 escapes them.
    static let textProperties: Set<String> = ["FN", "NOTE", "TITLE", "ROLE", "LABEL", "MAILER"]
    /// Properties whose value may be inline binary data or a URI.
    static let mediaProperties: Set<String> = ["PHOTO", "LOGO", "SOUND", "KEY"]

    // MARK: - 2.1 ↔ 3.0

    static func from21(_ card: VComponent) -> VComponent {
        var card = card
        card.properties = card.properties.map { property in
            var property = property
            property.parameters = mergedTypes(property.parameters).map { parameter in
                var parameter = parameter
                switch parameter.name {
                case "ENCODING" where VObjectWriter.isBase64(parameter): parameter.values = ["b"]
                case "VALUE" where parameter.values.map({ $0.uppercased() }) == ["URL"]: parameter.values = ["uri"]
                default: break
                }
                return parameter
            }
            if !ValueSyntax.isBinary(property) {
                property.value = ValueSyntax.modern(property.value, escapeCommas: textProperties.contains(property.name))
            }
            return property
        }
        return card
    }

    static func to21(_ card: VComponent) -> VComponent {
        var card = card
        card.properties = card.properties.map { property in
            var property = property
            property.parameters = property.parameters.map { parameter in
                var parameter = parameter
                switch parameter.name {
                case "ENCODING" where VObjectWriter.isBase64(parameter): parameter.values = ["BASE64"]
                case "VALUE" where parameter.values.map({ $0.uppercased() }) == ["URI"]: parameter.values = ["URL"]
                default: break
                }
                return parameter
            }
            if !ValueSyntax.isBinary(property) {
                property.value = ValueSyntax.legacy(property.value, unescapeCommas: textProperties.contains(property.name))
            }
            return property
        }
        return card
    }

    /// `TYPE=WORK;TYPE=VOICE` (2.1 bare words) as one `TYPE=WORK,VOICE`, where the first was.
    static func mergedTypes(_ parameters: [VParameter]) -> [VParameter] {
        guard parameters.filter({ $0.name == "TYPE" }).count > 1 else { return parameters }
        let types = parameters.filter { $0.name == "TYPE" }.flatMap(\.values)
        var out: [VParameter] = []
        for parameter in parameters {
            if parameter.name != "TYPE" {
                out.append(parameter)
            } else if !out.contains(where: { $0.name == "TYPE" }) {
                out.append(VParameter(name: "TYPE", values: types))
            }
        }
        return out
    }

    /// 3.0 and 4.0 require `FN` and `N`. `FN` is derived from `N` as the canonical form does
    /// ("given family"); a missing `N` is written empty (`N:;;;;`), because deriving it from
    /// `FN` would add a name the record did not have (and change its fingerprint).
    static func ensureNames(_ card: inout VComponent) {
        let insertAt = card.properties.firstIndex { $0.name != "VERSION" } ?? card.properties.count
        if card.first("FN") == nil {
            var fn = VProperty(name: "FN", value: "")
            if let n = card.first("N") {
                let parts = n.components.map { Canonical.text($0.joined(separator: " ")) }
                fn.text = Canonical.text((parts.count > 1 ? parts[1] : "") + " " + (parts.first ?? ""))
            }
            card.properties.insert(fn, at: insertAt)
        }
        if card.first("N") == nil {
            card.properties.insert(VProperty(name: "N", value: ";;;;"), at: insertAt)
        }
    }

    // MARK: - 3.0 ↔ 4.0

    static func to40(_ card: VComponent) -> VComponent {
        var card = attachingLabels(card)
        var properties: [VProperty] = []
        for property in card.properties {
            if property.name == "NAME" || property.name == "PROFILE" { continue } // 3.0 only, describe the copy
            var property = property
            var types = property.parameterValues("TYPE")
            var parameters = property.parameters.filter { $0.name != "TYPE" }
            if types.contains(where: { $0.uppercased() == "PREF" }), property.parameter("PREF") == nil {
                parameters.append(VParameter("PREF", "1"))
            }
            types.removeAll { $0.uppercased() == "PREF" || (property.name == "EMAIL" && $0.uppercased() == "INTERNET") }
            switch property.name {
            case "TEL":
                if let uri = telURI(property.value), !parameters.contains(where: { $0.name == "VALUE" }) {
                    property.value = uri
                    // A tel: URI is text: an ENCODING a sender put on the number (b, base64) would make
                    // a reader decode the URI as binary and fail (found by the records fuzzer).
                    parameters.removeAll { $0.name == "ENCODING" }
                    parameters.insert(VParameter("VALUE", "uri"), at: 0)
                }
            case "X-GENDER":
                property.name = "GENDER"
                property.value = Gender.vCard40(property.value)
            case _ where mediaProperties.contains(property.name) && ValueSyntax.isBinary(property):
                let subtype = types.first.map { $0.lowercased() }
                types.removeAll()
                parameters.removeAll { $0.name == "ENCODING" }
                let mediaType = subtype.map { Media.topLevel(property.name) + "/" + $0 } ?? ""
                property.value = "data:\(mediaType);base64,\(property.value)"
            default: break
            }
            if !types.isEmpty { parameters.insert(VParameter(name: "TYPE", values: types.map { $0.lowercased() }), at: 0) }
            property.parameters = parameters
            properties.append(property)
        }
        card.properties = properties
        return card
    }

    /// 3.0 `LABEL` becomes the `LABEL` parameter of the first address with the same types,
    /// or of an empty address with its types when there is none.
    static func attachingLabels(_ card: VComponent) -> VComponent {
        var card = card
        func types(_ property: VProperty) -> Set<String> { Set(property.parameterValues("TYPE").map { $0.uppercased() }) }
        for label in card.properties(named: "LABEL") {
            let text = Label.encode(VText.unescape(label.value))
            if let index = card.properties.firstIndex(where: {
                $0.name == "ADR" && $0.parameter("LABEL") == nil && types($0) == types(label)
            }) {
                card.properties[index].parameters.append(VParameter("LABEL", text))
            } else {
                var parameters = label.parameters.filter { $0.name == "TYPE" }
                parameters.append(VParameter("LABEL", text))
                card.properties.append(VProperty(group: label.group, name: "ADR", parameters: parameters, value: ";;;;;;"))
            }
        }
        card.properties.removeAll { $0.name == "LABEL" }
        return card
    }

    static func from40(_ card: VComponent) -> VComponent {
        var card = card
        var properties: [VProperty] = []
        for property in card.properties {
            var property = property
            var types = property.parameterValues("TYPE").map { $0.uppercased() }
            var parameters = property.parameters.filter { $0.name != "TYPE" && $0.name != "PREF" }
            if property.parameter("PREF") != nil, !types.contains("PREF") { types.append("PREF") }
            var label: VProperty? = nil
            switch property.name {
            case "TEL":
                if property.value.lowercased().hasPrefix("tel:") { property.value = String(property.value.dropFirst(4)) }
                parameters.removeAll { $0.name == "VALUE" && $0.values.map { $0.uppercased() } == ["URI"] }
            case "GENDER":
                property.name = "X-GENDER"
                property.value = Gender.vCard30(property.value)
            case "ADR":
                if let text = property.parameter("LABEL")?.values.joined(separator: ",") {
                    parameters.removeAll { $0.name == "LABEL" }
                    var labelParameters: [VParameter] = []
                    if !types.isEmpty { labelParameters.append(VParameter(name: "TYPE", values: types)) }
                    label = VProperty(group: property.group, name: "LABEL", parameters: labelParameters,
                                      value: VText.escape(Label.decode(text)))
                }
            case _ where mediaProperties.contains(property.name):
                if let data = Media.dataURI(property.value) {
                    parameters.removeAll { $0.name == "VALUE" || $0.name == "MEDIATYPE" }
                    parameters.insert(VParameter("ENCODING", "b"), at: 0)
                    if let subtype = data.subtype { types.insert(subtype.uppercased(), at: 0) }
                    property.value = data.base64
                } else if property.name != "KEY", property.parameter("VALUE") == nil {
                    parameters.insert(VParameter("VALUE", "uri"), at: 0)
                }
            default: break
            }
            if !types.isEmpty {
                let encoding = parameters.first?.name == "ENCODING" ? 1 : 0 // `ENCODING=b;TYPE=JPEG`
                parameters.insert(VParameter(name: "TYPE", values: types), at: encoding)
            }
            property.parameters = parameters
            // An address that only carried a label is the 3.0 LABEL alone.
            if !(property.name == "ADR" && label != nil && Canonical.structured(property).isEmpty) {
                properties.append(property)
            }
            if let label { properties.append(label) }
        }
        card.properties = properties
        return card
    }

    /// `+49 (30) 1234-567` → `tel:+49-30-1234-567`; nil for anything that is not plainly a number.
    static func telURI(_ value: String) -> String? {
        let text = VText.unescape(value).trimmingASCIIWhitespace()
        guard !text.isEmpty, !text.lowercased().hasPrefix("tel:") else { return nil }
        var out = ""
        for (index, character) in text.enumerated() {
            switch character {
            case "0"..."9": out.append(character)
            case "+" where index == 0: out.append(character)
            case " ", "-", ".": if let last = out.last, last != "-", last != "+" { out.append("-") }
            case "(", ")": continue
            default: return nil
            }
        }
        while out.last == "-" { out.removeLast() }
        guard out.contains(where: \.isNumber) else { return nil }
        return "tel:" + out
    }
}

/// vCard 4.0 `GENDER` (`M`, `F`, `O`, `N`, `U`; `;identity`) and Evolution's 3.0
/// `X-GENDER` (`Male`, `Female`, free text).
enum Gender {
    static let sexes: Set<String> = ["M", "F", "O", "N", "U"]

    /// `(sex, identity)`: `Male` → `(M, "")`, `O;queer` → `(O, queer)`, `nonbinary` → `("", nonbinary)`.
    static func parse(_ value: String) -> (sex: String, identity: String) {
        let parts = VText.split(value).map { $0.joined(separator: ",") }
        let first = Canonical.text(parts.first ?? "")
        let identity = Canonical.text(parts.dropFirst().joined(separator: ";"))
        switch first.lowercased() {
        case "male": return ("M", identity)
        case "female": return ("F", identity)
        case _ where sexes.contains(first.uppercased()): return (first.uppercased(), identity)
        case "": return ("", identity)
        default: return parts.count == 1 ? ("", first) : ("", first + ";" + identity)
        }
    }

    static func vCard40(_ value: String) -> String {
        let (sex, identity) = parse(value)
        return identity.isEmpty ? sex : sex + ";" + VText.escape(identity)
    }

    static func vCard30(_ value: String) -> String {
        let (sex, identity) = parse(value)
        switch (sex, identity) {
        case ("M", ""): return "Male"
        case ("F", ""): return "Female"
        case ("", _): return VText.escape(identity)
        default: return value
        }
    }

    /// The canonical value: `sex[;identity]`.
    static func canonical(_ value: String) -> String {
        let (sex, identity) = parse(value)
        return identity.isEmpty ? sex : sex + ";" + Canonical.escape(identity)
    }
}

/// The 4.0 `ADR;LABEL=` parameter, whose line breaks are written `^n` (RFC 6868).
enum Label {
    static func encode(_ text: String) -> String {
        var out = ""
        for character in Canonical.text(text) {
            switch character {
            case "\n": out += "^n"
            case "^": out += "^^"
            case "\"": out += "^'"
            default: out.append(character)
            }
        }
        return out
    }

    static func decode(_ value: String) -> String {
        var out = ""
        var caret = false
        for character in value {
            if caret {
                switch character {
                case "n": out.append("\n")
                case "'": out.append("\"")
                case "^": out.append("^")
                default: out.append("^"); out.append(character)
                }
                caret = false
            } else if character == "^" {
                caret = true
            } else {
                out.append(character)
            }
        }
        if caret { out.append("^") }
        return out
    }
}

/// Inline media: 3.0 `ENCODING=b;TYPE=JPEG` and 4.0 `data:image/jpeg;base64,` URIs (RFC 2397).
enum Media {
    static func topLevel(_ property: String) -> String {
        switch property {
        case "SOUND": "audio"
        case "KEY": "application"
        default: "image"
        }
    }

    /// `data:image/jpeg;base64,AAA` → (`JPEG`-ish subtype `jpeg`, `AAA`); nil unless base64.
    static func dataURI(_ value: String) -> (subtype: String?, base64: String)? {
        guard value.count > 5, value.prefix(5).lowercased() == "data:", let comma = value.firstIndex(of: ",") else { return nil }
        let header = value[value.index(value.startIndex, offsetBy: 5)..<comma].split(separator: ";", omittingEmptySubsequences: false)
        guard header.last.map({ $0.lowercased() == "base64" }) == true else { return nil }
        let mediaType = header.count > 1 ? String(header[0]) : ""
        let subtype = mediaType.split(separator: "/").dropFirst().first.map(String.init)
        return (subtype, Canonical.binary(String(value[value.index(after: comma)...])))
    }
}
