import Foundation
import TradLyteCore
import TradLyteStore

/// Where things live and how the user configured them: the one place the CLI reads the
/// process environment and the config file.
struct AppEnvironment {
    let dataDirectory: String
    let configDirectory: String
    let config: AppConfig

    var databasePath: String { dataDirectory + "/tradlyte.sqlite" }
    var configPath: String { configDirectory + "/config.json" }
    /// User strategy files (JSON).
    var strategiesDirectory: String { configDirectory + "/strategies" }

    /// Resolves directories from `TRADLYTE_HOME` (data and config together) or the XDG base
    /// directories, and loads the config file when present.
    static func load(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppEnvironment {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let data: String, config: String
        if let root = env["TRADLYTE_HOME"], !root.isEmpty {
            data = root
            config = root
        } else {
            data = (env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share") + "/tradlyte"
            config = (env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config") + "/tradlyte"
        }
        let path = config + "/config.json"
        let loaded = try FileManager.default.fileExists(atPath: path) ? AppConfig.load(path: path) : AppConfig()
        return AppEnvironment(dataDirectory: data, configDirectory: config, config: loaded)
    }

    /// Opens the store, creating the data directory on first use.
    func openStore() throws -> MarketStore {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw CLIError.failure("cannot create the data directory \(dataDirectory): \(error.localizedDescription) — set TRADLYTE_HOME to a writable directory")
        }
        return try MarketStore(path: databasePath)
    }

    /// Whether a database exists yet (status should not create one just to say it is empty).
    var databaseExists: Bool { FileManager.default.fileExists(atPath: databasePath) }
}

/// The user's settings (config.json). Unknown keys are errors so typos do not pass silently.
struct AppConfig: Equatable {
    /// Minutes after the close before a session counts as closed (data providers publish
    /// the day's bars a few minutes after 16:00).
    var closeGraceMinutes = 5

    static let knownKeys = ["close_grace_minutes"]

    static func load(path: String) throws -> AppConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.failure("cannot read the config file \(path) — check its permissions")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw CLIError.badInput("the config file \(path) is not valid JSON (\(error.localizedDescription)) — fix it or move it aside")
        }
        guard let dict = object as? [String: Any] else {
            throw CLIError.badInput("the config file \(path) must hold a JSON object, e.g. {\"close_grace_minutes\": 5}")
        }
        var config = AppConfig()
        for (key, value) in dict.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "close_grace_minutes":
                guard let n = value as? Int, (0...240).contains(n) else {
                    throw CLIError.badInput("\(path): close_grace_minutes must be a whole number of minutes from 0 to 240")
                }
                config.closeGraceMinutes = n
            default:
                throw CLIError.badInput("\(path): unknown key '\(key)' — known keys: \(knownKeys.joined(separator: ", "))")
            }
        }
        return config
    }
}
