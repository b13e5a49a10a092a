/// A key press, decoded by the backend; keymaps match on these.
public struct KeyEvent: Hashable, Sendable, CustomStringConvertible {
    public enum Key: Hashable, Sendable {
        case char(Character)
        case up, down, left, right, home, end, pageUp, pageDown
        case enter, escape, backspace, delete, insert, tab, backTab
        case function(Int)
    }
    public struct Modifiers: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let ctrl = Modifiers(rawValue: 1)
        public static let alt = Modifiers(rawValue: 2)
        public static let shift = Modifiers(rawValue: 4)
    }

    public var key: Key
    public var modifiers: Modifiers

    public init(_ key: Key, _ modifiers: Modifiers = []) {
        self.key = key
        self.modifiers = modifiers
    }

    public static func char(_ c: Character) -> KeyEvent { KeyEvent(.char(c)) }
    public static func ctrl(_ c: Character) -> KeyEvent { KeyEvent(.char(c), .ctrl) }

    /// Parses a key spec as written in keymaps: `q`, `?`, `ctrl-c`, `alt-x`, `f5`, `up`,
    /// `shift-tab`, `enter`, `esc`, `space`.
    public init?(spec: String) {
        var mods: Modifiers = []
        var rest = Substring(spec)
        while true {
            let lower = rest.lowercased()
            if lower.hasPrefix("ctrl-") && rest.count > 5 {
                mods.insert(.ctrl)
                rest = rest.dropFirst(5)
            } else if lower.hasPrefix("alt-") && rest.count > 4 {
                mods.insert(.alt)
                rest = rest.dropFirst(4)
            } else if lower.hasPrefix("shift-") && rest.count > 6 {
                mods.insert(.shift)
                rest = rest.dropFirst(6)
            } else {
                break
            }
        }
        let named: [String: Key] = [
            "up": .up, "down": .down, "left": .left, "right": .right, "home": .home, "end": .end,
            "pgup": .pageUp, "pgdn": .pageDown, "enter": .enter, "esc": .escape, "backspace": .backspace,
            "delete": .delete, "insert": .insert, "tab": .tab, "backtab": .backTab, "space": .char(" "),
        ]
        if rest.count == 1 {
            key = .char(rest.first!)
        } else if let k = named[rest.lowercased()] {
            key = k
        } else if rest.lowercased().hasPrefix("f"), let n = Int(rest.dropFirst()), (1...24).contains(n) {
            key = .function(n)
        } else {
            return nil
        }
        if mods.contains(.shift), case .tab = key {
            key = .backTab
            mods.remove(.shift)
        }
        modifiers = mods
    }

    /// How the help screen shows the key.
    public var description: String {
        var prefix = ""
        if modifiers.contains(.ctrl) { prefix += "Ctrl-" }
        if modifiers.contains(.alt) { prefix += "Alt-" }
        if modifiers.contains(.shift) { prefix += "Shift-" }
        let name: String
        switch key {
        case .char(" "): name = "Space"
        case .char(let c): name = modifiers.isEmpty ? String(c) : String(c).uppercased()
        case .up: name = "↑"
        case .down: name = "↓"
        case .left: name = "←"
        case .right: name = "→"
        case .home: name = "Home"
        case .end: name = "End"
        case .pageUp: name = "PgUp"
        case .pageDown: name = "PgDn"
        case .enter: name = "Enter"
        case .escape: name = "Esc"
        case .backspace: name = "Backspace"
        case .delete: name = "Del"
        case .insert: name = "Ins"
        case .tab: name = "Tab"
        case .backTab: name = "Shift-Tab"
        case .function(let n): name = "F\(n)"
        }
        return prefix + name
    }
}

/// What a terminal backend reports.
public enum InputEvent: Hashable, Sendable {
    case key(KeyEvent)
    case resize(width: Int, height: Int)
    case mouse(MouseEvent)
}

public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case press, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int, y: Int
    public init(kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

/// A screen the app draws on: ncurses in the terminal, memory in tests and headless runs.
public protocol TerminalBackend: AnyObject {
    var size: (width: Int, height: Int) { get }
    /// Whether glyphs beyond ASCII can be shown (a UTF-8 locale).
    var unicode: Bool { get }
    /// Writes the cells that changed since the last frame and shows them.
    func flush(_ frame: Buffer)
    /// Waits up to `timeoutMilliseconds` for input; nil on timeout.
    func poll(timeoutMilliseconds: Int) -> InputEvent?
}

/// A backend in memory: queued input, the last frame kept for inspection. Used by tests and
/// by the benchmark (flush cost without a terminal).
public final class MemoryBackend: TerminalBackend {
    public var size: (width: Int, height: Int)
    public let unicode: Bool
    public private(set) var frame: Buffer?
    public private(set) var flushedRuns = 0
    public var input: [InputEvent] = []

    public init(width: Int, height: Int, unicode: Bool = true) {
        size = (width, height)
        self.unicode = unicode
    }

    public func flush(_ frame: Buffer) {
        flushedRuns += frame.diff(from: self.frame).count
        self.frame = frame
    }

    public func poll(timeoutMilliseconds: Int) -> InputEvent? { input.isEmpty ? nil : input.removeFirst() }
}
