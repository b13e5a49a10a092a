import Foundation
import TradLyteCore

/// Built-in strategies plus the user's strategy files (`<config>/strategies/*.json`).
/// A user file with the same id as a built-in takes precedence.
package struct StrategyCatalog {
    package struct Item {
        package enum Source: String {
            case builtIn = "built-in"
            case user
        }
        package let id: String
        package let source: Source
        package let path: String?
        /// The strategy, or the problems that keep the file from loading.
        package let result: Result<Strategy, StrategyError>
        package let documentation: String?
    }

    package let directory: String
    package let items: [Item]

    package init(directory: String) {
        self.directory = directory
        var items = StrategyLibrary.all.map {
            Item(id: $0.id, source: .builtIn, path: nil, result: .success($0.strategy), documentation: $0.documentation)
        }
        // No strategies folder (yet) means no user strategies: the built-ins still load.
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasSuffix(".json")
        }.sorted()
        for file in files {
            let path = directory + "/" + file
            let id = String(file.dropLast(5))
            let result: Result<Strategy, StrategyError>
            if let data = FileManager.default.contents(atPath: path) {
                do { result = .success(try Strategy.parse(data)) } catch { result = .failure(error) }
            } else {
                result = .failure(
                    StrategyError(diagnostics: [StrategyDiagnostic(path: "$", message: "cannot read \(path)")]))
            }
            items.removeAll { $0.id == id }
            items.append(Item(id: id, source: .user, path: path, result: result, documentation: nil))
        }
        self.items = items
    }

    /// Finds a strategy by id or display name (case-insensitive), or a path to a file.
    package func find(_ name: String) throws -> Item {
        if name.hasSuffix(".json") || name.contains("/") {
            guard let data = FileManager.default.contents(atPath: name) else {
                throw AppError.badInput("no such strategy file: \(name)")
            }
            let id = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
            let result: Result<Strategy, StrategyError>
            do { result = .success(try Strategy.parse(data)) } catch { result = .failure(error) }
            return Item(id: id, source: .user, path: name, result: result, documentation: nil)
        }
        let key = Self.id(for: name)
        if let item = items.first(where: {
            // Matching by display name skips files that do not load; asking for one by id reports its problem.
            $0.id == key || (try? $0.result.get().name.lowercased()) == name.lowercased()
        }) {
            return item
        }
        let hint =
            items.map(\.id).min { Self.distance($0, key) < Self.distance($1, key) }.map { " — did you mean '\($0)'?" }
            ?? ""
        throw AppError.notFound("unknown strategy '\(name)'\(hint) (tradlyte strategy list shows them all)")
    }

    /// Loads a strategy or fails with its diagnostics.
    package func strategy(_ name: String) throws -> Strategy {
        let item = try find(name)
        switch item.result {
        case .success(let s): return s
        case .failure(let e):
            throw AppError.badInput("strategy '\(item.id)' (\(item.path ?? "built-in")) is invalid:\n\(e)")
        }
    }

    /// "My Strategy" → "my_strategy".
    package static func id(for name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    package static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}

// MARK: - Writing strategy files

extension StrategyCatalog {
    /// Creates a user strategy named `name` as a copy of `template`; returns its path. Never
    /// replaces an existing file.
    package func create(_ name: String, from template: String) throws -> String {
        var strategy = try self.strategy(template)
        let id = StrategyCatalog.id(for: name)
        guard !id.isEmpty, id.contains(where: { $0.isLetter }) else {
            throw AppError.badInput("'\(name)' is not a usable strategy name")
        }
        let path = directory + "/" + id + ".json"
        if FileManager.default.fileExists(atPath: path) {
            throw AppError.badInput("\(path) already exists — pick another name or edit that file")
        }
        strategy.name = name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.replace(path, with: Data(strategy.fileText.utf8), mode: 0o644, what: "the strategies directory")
        return path
    }

    /// Writes `<directory>/<id>.json` atomically after validating the text again with the file
    /// parser: an invalid strategy never replaces a file. Returns the problem, if any.
    package func save(id: String, text: String) -> String? {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            return "the file id must be letters, digits and _"
        }
        do { _ = try Strategy.parse(Data(text.utf8)) } catch { return "the strategy is invalid: \(error)" }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            return "cannot create \(directory): \(error.localizedDescription)"
        }
        do {
            try AtomicFile.replace(
                directory + "/" + id + ".json", with: Data(text.utf8), mode: 0o644, what: "the strategy file")
        } catch {
            return "\(error)"
        }
        return nil
    }

    /// A strategy file read and compiled: the strategy, or every problem found.
    package static func validate(file: String) throws(AppError) -> Result<(Strategy, CompiledStrategy), StrategyError> {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw AppError.badInput(
                FileManager.default.fileExists(atPath: file) ? "cannot read \(file)" : "no such file: \(file)")
        }
        do throws(StrategyError) {
            let strategy = try Strategy.parse(data)
            return .success((strategy, try CompiledStrategy(strategy)))
        } catch {
            return .failure(error)
        }
    }
}
