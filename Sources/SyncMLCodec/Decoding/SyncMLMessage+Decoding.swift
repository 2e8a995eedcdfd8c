extension SyncMLMessage {
    /// Decodes one whole message (WBXML or XML). Item data share `bytes`'
    /// storage when it is an array.
    public init(decoding bytes: some Collection<UInt8>) throws(SyncMLDecodingError) {
        var decoder = SyncMLDecoder()
        decoder.feed(bytes)
        decoder.finish()
        var header: SyncHeader?
        var body: [Command] = []
        var open: [Command] = []
        var isFinal = false
        func append(_ command: Command) {
            guard let parent = open.popLast() else { return body.append(command) }
            open.append(parent.appending(command))
        }
        while let event = try decoder.next() {
            switch event {
            case .header(let h): header = h
            case .command(let command): append(command)
            case .begin(let container): open.append(container)
            case .end: if let container = open.popLast() { append(container) }
            case .final: isFinal = true
            case .endOfMessage: break
            }
        }
        guard let header else { throw SyncMLDecodingError(.truncated, at: 0, "message has no <SyncHdr>") }
        self.init(header: header, commands: body, isFinal: isFinal)
    }
}

extension Command {
    /// The commands a container holds (empty for leaves).
    package var children: [Command] {
        switch self {
        case .sync(let sync): sync.commands
        case .atomic(let group), .sequence(let group): group.commands
        default: []
        }
    }

    /// This container with `command` appended to its commands.
    func appending(_ command: Command) -> Command {
        switch self {
        case .sync(var sync): sync.commands.append(command); return .sync(sync)
        case .atomic(var group): group.commands.append(command); return .atomic(group)
        case .sequence(var group): group.commands.append(command); return .sequence(group)
        default: return self
        }
    }
}
