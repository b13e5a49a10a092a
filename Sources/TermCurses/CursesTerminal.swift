import CNCurses
import Glibc
import TermRender

/// The ncurses backend: the only code that touches the terminal. Owned by one thread (the
/// app's main loop); background work reaches the UI through the app's inbox, never here.
///
/// The terminal is restored by `stop()`, at exit, and on fatal signals (a crash must not
/// leave the shell in raw mode).
public final class CursesTerminal: TerminalBackend {
    private let window: UnsafeMutablePointer<WINDOW>
    public private(set) var unicode: Bool
    /// Colours the terminal offers: 0 (none or NO_COLOR), 8, 256, or 2²⁴ (direct colour).
    public let colors: Int
    private var pairs: [Int64: Int32] = [:]
    private var nextPair: Int32 = 1
    private let maxPairs: Int32
    private var previous: Buffer?

    /// Starts curses mode.
    /// - Parameters:
    ///   - forceASCII: draw ASCII glyphs even in a UTF-8 locale.
    ///   - noColor: draw no colours (NO_COLOR); attributes still apply.
    public init(forceASCII: Bool = false, noColor: Bool = false, environment: [String: String]) throws(TerminalError) {
        unicode = CursesTerminal.setUpLocale(environment) && !forceASCII
        // A parent may have started us with signals blocked (the mask is inherited): resizes
        // (SIGWINCH) and the signals that restore the terminal must get through.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        for sig in [SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT] { sigaddset(&wanted, sig) }
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        // The terminal's modes before curses changes them: what a fatal signal restores.
        _ = withUnsafeMutablePointer(to: &CursesTerminal.saved) { tcgetattr(STDIN_FILENO, $0) }
        guard let w = initscr() else {
            throw TerminalError(message: "cannot start the terminal UI (initscr failed) — is TERM set?")
        }
        window = w
        CursesTerminal.active = true
        CursesTerminal.installSignalHandlers()
        raw()  // Ctrl-C arrives as a key: the app decides, and the terminal is always restored
        noecho()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        nonl()
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            colors = Int(tradlyte_colors())
            maxPairs = Int32(min(Int(tradlyte_color_pairs()), 65_535))
        } else {
            colors = 0
            maxPairs = 0
        }
        mousemask(tradlyte_mouse_mask_all(), nil)
        mouseinterval(0)
    }

    deinit { stop() }

    /// Leaves curses mode (idempotent).
    public func stop() {
        guard CursesTerminal.active else { return }
        CursesTerminal.active = false
        endwin()
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(window)), Int(getmaxy(window))) }

    // MARK: - Output

    public func flush(_ frame: Buffer) {
        let runs = frame.diff(from: previous)
        if previous == nil || previous!.width != frame.width || previous!.height != frame.height { wclear(window) }
        for run in runs {
            var x = run.x
            for cell in run.cells {
                defer { x += 1 }
                if cell.isContinuation { continue }
                var text: [wchar_t] = []
                for s in cell.symbol.unicodeScalars.prefix(6) {
                    text.append(wchar_t(bitPattern: unicode || s.isASCII ? s.value : UInt32(UInt8(ascii: "?"))))
                }
                if text.isEmpty { text = [wchar_t(32)] }
                text.append(0)
                _ = tradlyte_put_cell(window, Int32(run.y), Int32(x), text, attributes(cell.style), pair(cell.style))
            }
        }
        wrefresh(window)
        previous = frame
    }

    private func attributes(_ s: Style) -> attr_t {
        var a: attr_t = 0
        if s.attributes.contains(.bold) { a |= tradlyte_attr_bold() }
        if s.attributes.contains(.dim) { a |= tradlyte_attr_dim() }
        if s.attributes.contains(.underline) { a |= tradlyte_attr_underline() }
        if s.attributes.contains(.reverse) { a |= tradlyte_attr_reverse() }
        return a
    }

    /// The terminal's colour number for a theme colour (-1: the terminal default).
    func colorNumber(_ c: Color) -> Int32 {
        switch colors {
        case 0: return -1
        case 0x100_0000...:
            guard let (r, g, b) = c.rgbValue else { return -1 }
            if case .index(let i) = c, i < 16 { return Int32(i) }
            return Int32(r) << 16 | Int32(g) << 8 | Int32(b)
        case 256...: return c.paletteIndex.map { Int32($0) } ?? -1
        case 16...:
            if case .index(let i) = c, i < 16 { return Int32(i) }
            return c.basicIndex.map { Int32($0) } ?? -1
        default: return c.basicIndex.map { Int32($0) } ?? -1
        }
    }

    /// Colour pairs are allocated on first use; when the terminal runs out, pair 0.
    private func pair(_ s: Style) -> Int32 {
        guard colors > 0 else { return 0 }
        let fg = colorNumber(s.fg)
        let bg = colorNumber(s.bg)
        if fg == -1 && bg == -1 { return 0 }
        let key = Int64(fg) << 32 | Int64(UInt32(bitPattern: bg))
        if let p = pairs[key] { return p }
        guard nextPair < maxPairs else { return 0 }
        let p = nextPair
        nextPair += 1
        init_extended_pair(p, fg, bg)
        pairs[key] = p
        return p
    }

    // MARK: - Input

    public func poll(timeoutMilliseconds: Int) -> InputEvent? {
        wtimeout(window, Int32(timeoutMilliseconds))
        var ch: wint_t = 0
        let status = wget_wch(window, &ch)
        if status == ERR { return nil }
        if status == KEY_CODE_YES { return functionKey(Int32(ch)) }
        return character(UInt32(ch))
    }

    private func character(_ v: UInt32) -> InputEvent? {
        switch v {
        case 0x0D, 0x0A: return .key(KeyEvent(.enter))
        case 0x09: return .key(KeyEvent(.tab))
        case 0x7F, 0x08: return .key(KeyEvent(.backspace))
        case 0x00: return .key(KeyEvent(.char(" "), .ctrl))
        case 0x1B:
            // Esc alone, or Alt+key when another key follows within the escape delay.
            wtimeout(window, 0)
            var next: wint_t = 0
            let status = wget_wch(window, &next)
            if status == OK, next != 0x1B, let scalar = Unicode.Scalar(UInt32(next)), next >= 0x20 {
                return .key(KeyEvent(.char(Character(scalar)), .alt))
            }
            if status == KEY_CODE_YES, case .key(var k)? = functionKey(Int32(next)) {
                k.modifiers.insert(.alt)
                return .key(k)
            }
            return .key(KeyEvent(.escape))
        case 0x01...0x1A: return .key(KeyEvent(.char(Character(Unicode.Scalar(v + 0x60)!)), .ctrl))
        default:
            guard let scalar = Unicode.Scalar(v) else { return nil }
            return .key(KeyEvent(.char(Character(scalar))))
        }
    }

    private func functionKey(_ code: Int32) -> InputEvent? {
        switch code {
        case KEY_RESIZE: return .resize(width: size.width, height: size.height)
        case KEY_MOUSE:
            var e = MEVENT()
            guard getmouse(&e) == OK else { return nil }
            let kind: MouseEvent.Kind
            if e.bstate & tradlyte_button4_pressed() != 0 {
                kind = .wheelUp
            } else if tradlyte_button5_pressed() != 0 && e.bstate & tradlyte_button5_pressed() != 0 {
                kind = .wheelDown
            } else if e.bstate & tradlyte_button1_pressed() != 0 {
                kind = .press
            } else {
                return nil
            }
            return .mouse(MouseEvent(kind: kind, x: Int(e.x), y: Int(e.y)))
        case KEY_UP: return .key(KeyEvent(.up))
        case KEY_DOWN: return .key(KeyEvent(.down))
        case KEY_LEFT: return .key(KeyEvent(.left))
        case KEY_RIGHT: return .key(KeyEvent(.right))
        case KEY_HOME: return .key(KeyEvent(.home))
        case KEY_END: return .key(KeyEvent(.end))
        case KEY_PPAGE: return .key(KeyEvent(.pageUp))
        case KEY_NPAGE: return .key(KeyEvent(.pageDown))
        case KEY_ENTER: return .key(KeyEvent(.enter))
        case KEY_BACKSPACE: return .key(KeyEvent(.backspace))
        case KEY_DC: return .key(KeyEvent(.delete))
        case KEY_IC: return .key(KeyEvent(.insert))
        case KEY_BTAB: return .key(KeyEvent(.backTab))
        case KEY_SR: return .key(KeyEvent(.up, .shift))
        case KEY_SF: return .key(KeyEvent(.down, .shift))
        case KEY_SLEFT: return .key(KeyEvent(.left, .shift))
        case KEY_SRIGHT: return .key(KeyEvent(.right, .shift))
        case KEY_F0 + 1...KEY_F0 + 24: return .key(KeyEvent(.function(Int(code - KEY_F0))))
        default:
            // Modified arrows and friends have terminal-specific codes: decode their names
            // (kLFT5 = Ctrl-Left, kUP3 = Alt-Up, kRIT6 = Ctrl-Shift-Right …).
            guard let name = keyname(code).map({ String(cString: $0) }) else { return nil }
            let bases: [(String, KeyEvent.Key)] = [
                ("kLFT", .left), ("kRIT", .right), ("kUP", .up), ("kDN", .down),
                ("kHOM", .home), ("kEND", .end), ("kPRV", .pageUp), ("kNXT", .pageDown),
                ("kDC", .delete),
            ]
            for (prefix, key) in bases where name.hasPrefix(prefix) {
                guard let n = Int(name.dropFirst(prefix.count)), n >= 2 else { continue }
                var mods: KeyEvent.Modifiers = []
                let bits = n - 1
                if bits & 1 != 0 { mods.insert(.shift) }
                if bits & 2 != 0 { mods.insert(.alt) }
                if bits & 4 != 0 { mods.insert(.ctrl) }
                return .key(KeyEvent(key, mods))
            }
            return nil
        }
    }

    // MARK: - Locale and signals

    /// UTF-8 when the environment's locale is UTF-8, or when no locale is set at all (bare
    /// containers) and C.UTF-8 exists; an explicit non-UTF-8 locale (LANG=C) means ASCII.
    static func setUpLocale(_ env: [String: String]) -> Bool {
        setlocale(LC_ALL, "")
        if isUTF8 { return true }
        let explicit = ["LC_ALL", "LC_CTYPE", "LANG"].contains { !(env[$0] ?? "").isEmpty }
        guard !explicit else { return false }
        return setlocale(LC_CTYPE, "C.UTF-8") != nil && isUTF8
    }

    static var isUTF8: Bool {
        let codeset = String(cString: tradlyte_codeset()).uppercased()
        return codeset == "UTF-8" || codeset == "UTF8"
    }

    nonisolated(unsafe) static var active = false
    /// The terminal's modes before curses started (read by the fatal-signal handler).
    nonisolated(unsafe) static var saved = termios()

    /// A last resort for signals that end the process: the app handles SIGTERM, SIGHUP and
    /// SIGINT itself (dispatch sources, then the normal way out); these restore the terminal
    /// when nothing else will (a crash, SIGQUIT, a program that installed no handler).
    static func installSignalHandlers() {
        for sig in [SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT] {
            signal(sig, restoreAndReraise)
        }
        atexit { if CursesTerminal.active { endwin() } }
    }
}

/// Restores the terminal with async-signal-safe calls only (`endwin` is not one): the saved
/// modes through `tcsetattr`, then the escape sequences that leave the alternate screen, show
/// the cursor, reset attributes and stop mouse reports, written with `write`. Then the signal
/// does what it would have done.
private func restoreAndReraise(_ sig: Int32) {
    if CursesTerminal.active {
        CursesTerminal.active = false
        _ = withUnsafePointer(to: &CursesTerminal.saved) { tcsetattr(STDIN_FILENO, TCSANOW, $0) }
        let reset: StaticString = "\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1006l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"
        _ = write(STDOUT_FILENO, reset.utf8Start, reset.utf8CodeUnitCount)
    }
    signal(sig, SIG_DFL)
    raise(sig)
}

public struct TerminalError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
