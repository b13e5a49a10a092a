import Foundation
import TermRender

/// Shipped themes (`themes/` at the repo root) and the user's (`<config>/themes/*.theme`),
/// the user's overriding a shipped one of the same name.
package struct ThemeCatalog {
    package let shippedDirectory: String?
    package let userDirectory: String

    package init(env: AppEnvironment, processEnv: [String: String] = ProcessInfo.processInfo.environment) {
        userDirectory = env.configDirectory + "/themes"
        shippedDirectory = ThemeCatalog.findShipped(processEnv)
    }

    /// TRADLYTE_THEMES_DIR, else `themes/` beside the build tree (.build/<config>/tradlyte), else
    /// the source checkout this binary was built from.
    package static func findShipped(_ env: [String: String]) -> String? {
        var candidates: [String] = []
        if let d = env["TRADLYTE_THEMES_DIR"], !d.isEmpty { candidates.append(d) }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(exe.appendingPathComponent("../../themes").standardized.path)
        candidates.append(exe.appendingPathComponent("../share/tradlyte/themes").standardized.path)
        candidates.append(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("themes").path)
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/default.theme") }
    }

    /// Theme names with where each comes from.
    package func list() -> [(name: String, origin: String)] {
        var found: [String: String] = ["default": "built in", "mono": "built in"]
        for (dir, origin) in [(shippedDirectory, "shipped"), (userDirectory, "user")] {
            // A themes folder that does not exist has no themes to list.
            guard let dir, let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for f in files where f.hasSuffix(".theme") {
                found[String(f.dropLast(6))] = origin == "user" ? "user (\(dir))" : origin
            }
        }
        return found.keys.sorted().map { ($0, found[$0]!) }
    }

    /// Loads a theme by name; a bad file is an error naming file, line and column.
    package func load(_ name: String) throws -> Theme {
        for dir in [userDirectory, shippedDirectory].compactMap({ $0 }) {
            let path = dir + "/" + name + ".theme"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            guard let text = String(data: data, encoding: .utf8) else {
                throw AppError.badInput("\(path) is not UTF-8 text")
            }
            do { return try Theme.parse(text, name: name, file: path) } catch {
                throw AppError.badInput("theme error: \(error) — fix the line or remove the file")
            }
        }
        if name == "default" { return .default }
        if name == "mono" { return .mono }
        throw AppError.badInput(
            "unknown theme '\(name)' — `tradlyte themes` lists them (\(list().map(\.name).joined(separator: ", ")))")
    }

    /// The theme to use: --theme, then the config file, then default — and NO_COLOR turns
    /// any of them into mono (a bad name or file is still reported).
    package func resolve(
        flag: String?, config: String?, processEnv: [String: String] = ProcessInfo.processInfo.environment
    )
        throws -> Theme
    {
        let chosen = try load(flag ?? config ?? "default")
        if let nc = processEnv["NO_COLOR"], !nc.isEmpty { return try load("mono") }
        return chosen
    }
}
