extension SyncMLMessage {
    /// Decodes one whole message (WBXML or XML). Item data share `bytes`'
    /// storage when it is an array.
    public init(decoding bytes: some Collection<UInt8>) throws(SyncMLDecodingError) {
        var decoder = SyncMLDecoder()
        decoder.feed(bytes)
        decoder.finish()
        var header: SyncHeader?
        var body: [Command] = []
        // The open containers and the commands each has received so far, kept
        // apart from the container: appending to a command inside an indirect
        // enum would copy all its siblings each time (quadratic in the Sync).
        var open: [(container: Command, commands: [Command])] = []
        var isFinal = false
        func append(_ command: Command) {
            if open.isEmpty { body.append(command) } else { open[open.count - 1].commands.append(command) }
        }
        while let event = try decoder.next() {
            switch event {
            case .header(let h): header = h
            case .command(let command): append(command)
            case .begin(let container): open.append((container, []))
            case .end: if let (container, commands) = open.popLast() { append(container.holding(commands)) }
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

    /// This container holding `commands` (its `.begin` came without any).
    func holding(_ commands: [Command]) -> Command {
        switch self {
        case .sync(var sync): sync.commands = commands; return .sync(sync)
        case .atomic(var group): group.commands = commands; return .atomic(group)
        case .sequence(var group): group.commands = commands; return .sequence(group)
        default: return self
        }
    }
}
