// The components being built as content lines arrive: BEGIN/END nesting and
// the limits on depth and properties.

extension VObjectParser {
    /// The open components, innermost last.
    struct Builder: ContentLineSink {
        let limits: Limits
        var stack: [VComponent] = []
        var beginLines: [Int] = []
        var results: [VComponent] = []
        /// Scratch for each line's header, reused.
        var parts = HeaderParts()

        init(limits: Limits) { self.limits = limits }

        mutating func add(_ line: UnsafeBufferPointer<UInt8>, line number: Int) throws(RecordError) {
            let header: Header
            switch scanHeader(line, parts: &parts) {
            case .complete(let complete): header = complete
            case .incomplete:
                throw RecordError(.malformedLine, line: number, "no \":\" after the property name in \(preview(line))")
            case .malformed(let kind, let reason): throw RecordError(kind, line: number, reason)
            }
            let raw = UnsafeBufferPointer(rebasing: line[header.valueStart...])
            if header.name == "BEGIN" || header.name == "END" {
                guard let nameBytes = Self.componentName(raw) else {
                    throw RecordError(.malformedLine, line: number, "invalid component name in \(preview(line))")
                }
                let name = uppercased(nameBytes)
                if header.name == "BEGIN" {
                    guard stack.count < limits.maxDepth else {
                        throw RecordError(.limitExceeded, line: number, "components nested deeper than \(limits.maxDepth)")
                    }
                    var component = VComponent(name: name)
                    component.properties.reserveCapacity(16) // a contact's usual count: no regrowth from 1
                    stack.append(component)
                    beginLines.append(number)
                } else {
                    guard let open = stack.last else {
                        throw RecordError(.unexpectedEnd, line: number, "END:\(name) without BEGIN:\(name)")
                    }
                    guard open.name == name else {
                        throw RecordError(.unexpectedEnd, line: number,
                                          "END:\(name) closes BEGIN:\(open.name) from line \(beginLines[beginLines.count - 1])")
                    }
                    let done = stack.removeLast()
                    beginLines.removeLast()
                    if stack.isEmpty { results.append(done) } else { stack[stack.count - 1].components.append(done) }
                }
                return
            }
            guard !stack.isEmpty else {
                throw RecordError(.malformedLine, line: number, "property \(header.name) outside BEGIN/END")
            }
            guard stack[stack.count - 1].properties.count < limits.maxPropertiesPerComponent else {
                throw RecordError(.limitExceeded, line: number,
                                  "more than \(limits.maxPropertiesPerComponent) properties in \(stack[stack.count - 1].name)")
            }
            let value = try decodeValue(raw, header: header, line: number)
            stack[stack.count - 1].properties.append(
                VProperty(group: header.group, name: header.name, parameters: header.parameters, value: value))
        }

        /// The component a `BEGIN` or `END` value names (white space around it
        /// ignored), or nil when it is no name.
        static func componentName(_ raw: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
            var start = 0, end = raw.count
            while start < end, raw[start] == space || raw[start] == tab { start += 1 }
            while end > start, raw[end - 1] == space || raw[end - 1] == tab { end -= 1 }
            let nameBytes = UnsafeBufferPointer(rebasing: raw[start..<end])
            guard !nameBytes.isEmpty, nameBytes.allSatisfy(isNameByte) else { return nil }
            return nameBytes
        }

        func finish() throws(RecordError) -> [VComponent] {
            if let open = stack.last {
                throw RecordError(.missingEnd, line: beginLines[beginLines.count - 1], "BEGIN:\(open.name) has no END:\(open.name)")
            }
            return results
        }
    }
}
