/// Writes markup as SyncML XML in the form SyncEvolution sends and accepts:
/// `<SyncML xmlns='SYNCML:SYNCML1.2'>`, MetInf children with
/// `xmlns='syncml:metinf'`, inline `<DevInf xmlns='syncml:devinf'>`, item data
/// in CDATA. Optionally indented for people (`syncml decode`).
package struct XMLWriter: MarkupWriter {
    /// The bytes written so far (take them with `takeOutput()` to stream).
    package private(set) var output: [UInt8] = []
    private let indent: Bool

    /// An element's namespace: one of ours (compared without string work) or a peer's URI.
    private enum ElementNamespace: Equatable {
        case known(Namespace)
        case custom(String)
    }

    private struct Open {
        var name: String
        var namespace: ElementNamespace
        var hasChildren = false
    }
    private var open: [Open] = []
    private let syncMLURI: String

    package init(version: SyncMLVersion, indent: Bool = false, prolog: Bool = true) {
        self.indent = indent
        self.syncMLURI = version.namespaceURI
        if prolog {
            output.append(contentsOf: #"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
            if indent { output.append(0x0A) }
        }
    }

    /// Returns and clears what has been written.
    package mutating func takeOutput() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    private func uri(of namespace: ElementNamespace) -> String {
        switch namespace {
        case .known(.syncML): syncMLURI
        case .known(.metInf): "syncml:metinf"
        case .known(.devInf): "syncml:devinf"
        case .custom(let uri): uri
        }
    }

    private mutating func newline() {
        guard indent else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(0x20, count: 2 * open.count))
    }

    private mutating func openTag(_ name: String, namespace: ElementNamespace, selfClosing: Bool) {
        if !open.isEmpty {
            open[open.count - 1].hasChildren = true
            newline()
        }
        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: name.utf8)
        if namespace != open.last?.namespace {
            output.append(contentsOf: " xmlns='".utf8)
            appendEscaped(uri(of: namespace), quote: true)
            output.append(UInt8(ascii: "'"))
        }
        if selfClosing {
            output.append(contentsOf: "/>".utf8)
        } else {
            output.append(UInt8(ascii: ">"))
            open.append(Open(name: name, namespace: namespace))
        }
    }

    package var isWBXML: Bool { false }

    package mutating func start(_ tag: Tag) {
        openTag(CodePages.name(of: tag) ?? tag.description, namespace: .known(tag.namespace), selfClosing: false)
    }

    package mutating func empty(_ tag: Tag) {
        openTag(CodePages.name(of: tag) ?? tag.description, namespace: .known(tag.namespace), selfClosing: true)
    }

    package mutating func end() {
        guard let element = open.popLast() else { return }
        if element.hasChildren { newline() }
        output.append(contentsOf: "</".utf8)
        output.append(contentsOf: element.name.utf8)
        output.append(UInt8(ascii: ">"))
    }

    package mutating func text(_ string: String) {
        appendEscaped(string, quote: false)
    }

    package mutating func start(_ name: ElementName, empty: Bool) {
        switch name {
        case .known(let tag):
            openTag(CodePages.name(of: tag) ?? tag.description, namespace: .known(tag.namespace), selfClosing: empty)
        case .unknown(let uri, let local):
            // No namespace (a WBXML LITERAL) is the enclosing element's.
            let namespace: ElementNamespace =
                if uri.isEmpty { open.last?.namespace ?? .known(.syncML) }
                else if let known = CodePages.namespace(forURI: uri) { .known(known) }
                else { .custom(uri) }
            openTag(local, namespace: namespace, selfClosing: empty)
        }
    }

    package mutating func text(bytes: ArraySlice<UInt8>) {
        appendEscaped(bytes, quote: false)
    }

    package mutating func data(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        output.append(contentsOf: "<![CDATA[".utf8)
        // CDATA cannot contain "]]>": close the section after "]]" and reopen it.
        var start = bytes.startIndex
        while let split = Self.cdataTerminator(in: bytes[start...]) {
            output.append(contentsOf: bytes[start..<(split + 2)])
            output.append(contentsOf: "]]><![CDATA[".utf8)
            start = split + 2
        }
        output.append(contentsOf: bytes[start...])
        output.append(contentsOf: "]]>".utf8)
    }

    /// The index of the first "]]>" in `bytes`, if any.
    private static func cdataTerminator(in bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard buffer.count >= 3 else { return nil }
            var i = 0
            let last = buffer.count - 3
            while i <= last {
                if buffer[i] == UInt8(ascii: "]"), buffer[i + 1] == UInt8(ascii: "]"), buffer[i + 2] == UInt8(ascii: ">") {
                    return bytes.startIndex + i
                }
                i += 1
            }
            return nil
        }
    }

    package mutating func devInf(_ info: DevInf) {
        info.encode(to: &self)
    }

    package mutating func unknown(_ element: MarkupElement) {
        let namespace: ElementNamespace = element.knownTag.map { .known($0.namespace) }
            ?? (element.namespace.isEmpty ? .known(.syncML) : .custom(element.namespace))
        let name = element.name
        if element.content.isEmpty {
            openTag(name, namespace: namespace, selfClosing: true)
            return
        }
        openTag(name, namespace: namespace, selfClosing: false)
        for node in element.content {
            switch node {
            case .element(let child): unknown(child)
            case .text(let string): text(string)
            case .bytes(let bytes): data(bytes[...])
            }
        }
        end()
    }

    private mutating func appendEscaped(_ string: String, quote: Bool) {
        appendEscaped(string.utf8, quote: quote)
    }

    private mutating func appendEscaped(_ utf8: some Collection<UInt8>, quote: Bool) {
        // Most values need no escaping: copy them in one go.
        if !utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || (quote && $0 == UInt8(ascii: "'")) }) {
            output.append(contentsOf: utf8)
            return
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "'") where quote: output.append(contentsOf: "&apos;".utf8)
            default: output.append(byte)
            }
        }
    }
}
