// Namespace declarations in scope and the resolution of a qualified element name
// to a code-page tag (`SYNCML:SYNCML1.x`, `syncml:metinf`, `syncml:devinf`).

extension XMLTokenizer {
    /// Records a namespace declaration; checks the references in any other value.
    mutating func attribute(name: Range<Int>, value: Range<Int>) throws(SyncMLDecodingError) {
        let xmlns = Self.xmlnsPrefix
        var isDeclaration = name.count >= 5
        if isDeclaration {
            for k in 0 ..< 5 where buffer[name.lowerBound + k] != xmlns[k] {
                isDeclaration = false
                break
            }
        }
        if isDeclaration, name.count > 5 {
            isDeclaration = name.count > 6 && buffer[name.lowerBound + 5] == ASCII.colon
        }
        guard isDeclaration else {
            var ignored: [UInt8] = []
            try Self.decodeValue(buffer, value, base: base, keep: false, into: &ignored)
            return
        }
        let prefixStart = bindingBytes.count
        if name.count > 6 { bindingBytes.append(contentsOf: buffer[(name.lowerBound + 6) ..< name.upperBound]) }
        let uriStart = bindingBytes.count
        try Self.decodeValue(buffer, value, base: base, keep: true, into: &bindingBytes)
        let uri = uriStart ..< bindingBytes.count
        if name.count > 6, uri.isEmpty {
            throw malformed(value.lowerBound, "a namespace prefix cannot be bound to an empty name")
        }
        let namespace = uri.isEmpty ? nil : namespace(forURIAt: uri)
        bindings.append(Binding(prefix: prefixStart ..< uriStart, uri: uri, namespace: namespace))
    }

    private mutating func namespace(forURIAt uri: Range<Int>) -> Namespace? {
        let bytes = bindingBytes[uri]
        for entry in uriCache where entry.uri.elementsEqual(bytes) {
            return entry.namespace
        }
        let namespace = CodePages.namespace(forURI: String(decoding: bytes, as: UTF8.self))
        if uriCache.count < 16 { uriCache.append((Array(bytes), namespace)) }
        return namespace
    }

    /// Resolves a qualified element name through the declarations in scope.
    func resolve(_ qualified: Range<Int>) throws(SyncMLDecodingError) -> ElementName {
        var colon = -1
        for k in qualified where buffer[k] == ASCII.colon {
            colon = k
            break
        }
        let prefix = colon < 0 ? qualified.lowerBound ..< qualified.lowerBound : qualified.lowerBound ..< colon
        let localStart = colon < 0 ? qualified.lowerBound : colon + 1
        guard colon != qualified.lowerBound, localStart < qualified.upperBound,
              !buffer[localStart ..< qualified.upperBound].contains(ASCII.colon)
        else {
            throw malformed(qualified.lowerBound, "invalid qualified name")
        }
        var binding: Binding?
        var k = bindings.count
        while k > 0 {
            k -= 1
            if bindingBytes[bindings[k].prefix].elementsEqual(buffer[prefix]) {
                binding = bindings[k]
                break
            }
        }
        let local = String(decoding: buffer[localStart ..< qualified.upperBound], as: UTF8.self)
        guard let binding, !binding.uri.isEmpty else {
            guard prefix.isEmpty else {
                throw malformed(qualified.lowerBound, "undeclared namespace prefix \(String(decoding: buffer[prefix], as: UTF8.self))")
            }
            // No namespace anywhere (or undeclared with xmlns=""): read as SyncML.
            return CodePages.tag(named: local, in: .syncML).map(ElementName.known) ?? .unknown(namespace: "", name: local)
        }
        if let namespace = binding.namespace, let tag = CodePages.tag(named: local, in: namespace) {
            return .known(tag)
        }
        return .unknown(namespace: String(decoding: bindingBytes[binding.uri], as: UTF8.self), name: local)
    }
}
