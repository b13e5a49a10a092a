import Foundation
import TradLyteCore
import TradLyteUI

/// What the terminal UI remembers between runs — the theme, the strategy, the interval, the
/// parameters applied to each strategy and the layout — in `ui-state.json` beside the config,
/// with the config's permissions (0600 when it has none). A file that does not parse is set
/// aside (`ui-state.json.bad`) with a message, never a reason not to start.
package struct UIMemory: Equatable {
    package var theme: String?
    package var strategy: String?
    package var interval: Int?
    package var parameters: [String: [String: Double]] = [:]
    package var watchlistHidden = false
    package var account = AccountSettings()

    package init() {}

    /// What `state` would bring back.
    package init(_ state: AppState) {
        theme = state.themeName
        strategy = state.strategy
        interval = state.interval.sessions
        parameters = state.parameterOverrides
        watchlistHidden = state.watchlistHidden
        account = state.account
    }

    package static func path(_ env: AppEnvironment) -> String { env.configDirectory + "/ui-state.json" }

    /// The remembered state, nil when there is none; a file that cannot be read is moved aside
    /// and `problem` says so.
    package static func load(_ env: AppEnvironment, problem: (String) -> Void) -> UIMemory? {
        let path = path(env)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        // Not swallowed: the else branch sets the file aside as .bad and says so.
        guard case .object(let pairs)? = try? JSONValue.parse(data) else {
            rename(path, path + ".bad")
            problem("\(path) did not parse and was moved to ui-state.json.bad — the UI starts with its defaults")
            return nil
        }
        var memory = UIMemory()
        for (key, value) in pairs {
            switch (key, value) {
            case ("theme", .string(let s)): memory.theme = s
            case ("strategy", .string(let s)): memory.strategy = s
            case ("interval", .number(let n)) where n == n.rounded() && n >= 1 && n <= 89: memory.interval = Int(n)
            case ("watchlist_hidden", .bool(let b)): memory.watchlistHidden = b
            case ("account", .object(let fields)):
                // Checked again as `:account` checks them: a hand edit cannot smuggle in 1e400.
                for case (let name, .number(let v)) in fields where v.isFinite && AccountSettings.allows(name, v) {
                    switch name {
                    case "cash": memory.account.cash = v
                    case "commission": memory.account.commission = v
                    default: memory.account.slippage = v
                    }
                }
            case ("parameters", .object(let strategies)):
                for (strategy, values) in strategies {
                    guard case .object(let named) = values else { continue }
                    for case (let name, .number(let v)) in named where v.isFinite {
                        memory.parameters[strategy, default: [:]][name] = v
                    }
                }
            default: continue  // a key from another version: ignored, and dropped on the next save
            }
        }
        return memory
    }

    /// Writes the file atomically with the config's permissions.
    package func save(_ env: AppEnvironment) throws {
        var pairs: [(String, JSONValue)] = []
        if let theme { pairs.append(("theme", .string(theme))) }
        if let strategy { pairs.append(("strategy", .string(strategy))) }
        if let interval { pairs.append(("interval", .number(Double(interval)))) }
        pairs.append(("watchlist_hidden", .bool(watchlistHidden)))
        var account: [(String, JSONValue)] = []
        if let cash = self.account.cash { account.append(("cash", .number(cash))) }
        if let commission = self.account.commission { account.append(("commission", .number(commission))) }
        if let slippage = self.account.slippage { account.append(("slippage", .number(slippage))) }
        pairs.append(("account", .object(account)))
        let params: [(String, JSONValue)] = parameters.sorted { $0.key < $1.key }.map { strategy, values in
            (strategy, .object(values.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) }))
        }
        pairs.append(("parameters", .object(params)))
        var mode: mode_t = 0o600
        var info = stat()
        if stat(env.configPath, &info) == 0 { mode = info.st_mode & 0o777 }
        try FileManager.default.createDirectory(atPath: env.configDirectory, withIntermediateDirectories: true)
        try AtomicFile.replace(
            Self.path(env), with: Data((JSONValue.object(pairs).rendered() + "\n").utf8), mode: mode,
            what: "the UI's state file")
    }

    /// Brings the remembered choices back into a fresh state (those that still exist).
    package func apply(to state: inout AppState) {
        if let strategy, state.strategies.contains(strategy) { state.strategy = strategy }
        // A remembered interval this version does not offer leaves the default.
        if let interval, let i = try? FibInterval(interval) { state.interval = i }
        state.parameterOverrides = parameters
        state.watchlistHidden = watchlistHidden
        state.account = account
    }
}
