/// Writes markup as SyncML XML in the form SyncEvolution sends and accepts:
/// `<SyncML xmlns='SYNCML:SYNCML1.2'>`, MetInf children with
/// `xmlns='syncml:metinf'`, inline `<DevInf xmlns='syncml:devinf'>`, item data
/// in CDATA. Optionally indented for people (`syncml decode`).
package struct XMLWriter: MarkupWriter {
    /// The bytes written so far (take them with `takeOutput()` to stream).
    package private(set) var output: [UInt8] = []
    private let version: SyncMLVersion
    private let indent: Bool

    private struct Open {
        var name: String
        var namespace: String
        var hasChildren = false
    }
    private var open: [Open] = []

    package init(version: SyncMLVersion, indent: Bool = false, prolog: Bool = true) {
        self.version = version
        self.indent = indent
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

    private func uri(of namespace: Namespace) -> String {
        switch namespace {
        case .syncML: version.namespaceURI
        case .metInf: "syncml:metinf"
        case .devInf: "syncml:devinf"
        }
    }

    private mutating func newline() {
        guard indent else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(0x20, count: 2 * open.count))
    }

    private mutating func openTag(_ name: String, namespace: String, selfClosing: Bool) {
        if !open.isEmpty {
            open[open.count - 1].hasChildren = true
            newline()
        }
        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: name.utf8)
        if namespace != (open.last?.namespace ?? "") {
            output.append(contentsOf: " xmlns='".utf8)
            appendEscaped(namespace, quote: true)
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
        openTag(CodePages.name(of: tag) ?? tag.description, namespace: uri(of: tag.namespace), selfClosing: false)
    }

    package mutating func empty(_ tag: Tag) {
        openTag(CodePages.name(of: tag) ?? tag.description, namespace: uri(of: tag.namespace), selfClosing: true)
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

    package mutating func data(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        // CDATA cannot contain "]]>": close the section after "]]" and reopen it.
        output.append(contentsOf: "<![CDATA[".utf8)
        var start = bytes.startIndex
        var i = start
        let end = bytes.endIndex
        while i + 2 < end {
            if bytes[i] == UInt8(ascii: "]"), bytes[i + 1] == UInt8(ascii: "]"), bytes[i + 2] == UInt8(ascii: ">") {
                output.append(contentsOf: bytes[start..<(i + 2)])
                output.append(contentsOf: "]]><![CDATA[".utf8)
                start = i + 2
                i += 2
            } else {
                i += 1
            }
        }
        output.append(contentsOf: bytes[start..<end])
        output.append(contentsOf: "]]>".utf8)
    }

    package mutating func devInf(_ info: DevInf) {
        info.encode(to: &self)
    }

    package mutating func unknown(_ element: MarkupElement) {
        let namespace = element.knownTag.map { uri(of: $0.namespace) }
            ?? (element.namespace.isEmpty ? uri(of: .syncML) : element.namespace)
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
        for byte in string.utf8 {
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
