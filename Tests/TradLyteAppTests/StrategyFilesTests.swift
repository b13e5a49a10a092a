import Foundation
import Testing
import TradLyteApp
import TradLyteCore
import TradLyteTestSupport

/// Strategy files in-process: a copy of a template, the composer's save, and the file checker.
@Suite struct StrategyFilesTests {
    @Test func newCopiesATemplateThatThenAppearsInTheCatalogAndIsNeverOverwritten() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        let catalog = StrategyCatalog(directory: env.strategiesDirectory)
        let path = try catalog.create("My Cross", from: "golden_cross")
        #expect(path == env.strategiesDirectory + "/my_cross.json")
        guard case .success(let (strategy, _)) = try StrategyCatalog.validate(file: path) else {
            Issue.record("the copy does not validate")
            return
        }
        #expect(strategy.name == "My Cross")
        let again = StrategyCatalog(directory: env.strategiesDirectory)
        #expect(again.items.contains { $0.id == "my_cross" && $0.source == .user })
        #expect(throws: AppError.badInput("\(path) already exists — pick another name or edit that file")) {
            try again.create("My Cross", from: "golden_cross")
        }
        #expect(throws: AppError.badInput("'!!' is not a usable strategy name")) {
            try again.create("!!", from: "golden_cross")
        }
    }

    @Test func anInvalidStrategyNeverReplacesAFile() throws {
        let dir = TemporaryDirectory()
        let env = try pinnedEnvironment(dir)
        let catalog = StrategyCatalog(directory: env.strategiesDirectory)
        let text = try #require(StrategyLibrary.named("golden_cross")).strategy.fileText
        #expect(catalog.save(id: "mine", text: text) == nil)
        let path = env.strategiesDirectory + "/mine.json"
        #expect(catalog.save(id: "mine", text: "{\"schema\": \"tradlyte.strategy/1\"}")?.contains("invalid") == true)
        #expect(catalog.save(id: "../x", text: text) == "the file id must be letters, digits and _")
        #expect(String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self) == text)
        #expect(throws: AppError.badInput("no such file: \(dir.path)/none.json")) {
            try StrategyCatalog.validate(file: dir.path + "/none.json")
        }
    }
}

/// `doctor` in-process: the demo market without a key, the locale, and a bad theme that would
/// stop the UI.
@Suite struct DoctorTests {
    @Test func withoutAKeyItReportsTheDemoMarketAPlainLocaleAndABadTheme() throws {
        let dir = TemporaryDirectory()
        dir.write("config.json", #"{"theme": "broken"}"#)
        try FileManager.default.createDirectory(atPath: dir.path + "/themes", withIntermediateDirectories: true)
        dir.write("themes/broken.theme", "bull = notacolour\n")
        let env = try pinnedEnvironment(dir)
        let environment = ["LANG": "C", "TERM": "xterm-256color"]
        let checks = Doctor.checks(
            env: env, environment: environment, terminal: Doctor.Terminal(isTTY: true, size: (50, 20)))
        func check(_ name: String) -> Doctor.Check? { checks.first { $0.name == name } }
        #expect(check("API key")?.level == .warn && check("API key")?.detail.contains("DEMO market") == true)
        #expect(check("Locale")?.level == .warn && check("Locale")?.fix?.contains("export LANG=C.UTF-8") == true)
        #expect(check("Terminal")?.level == .warn && check("Terminal")?.fix == "the UI needs at least 60×16")
        #expect(check("Theme")?.level == .fail && check("Theme")?.detail.contains("broken.theme") == true)
        #expect(check("Database")?.level == .ok)
        #expect(Doctor.verdict(checks) == ("1 problem to fix.", true))

        try FileManager.default.removeItem(atPath: dir.path + "/themes/broken.theme")
        dir.write("config.json", "{}")
        let fixed = Doctor.checks(
            env: try pinnedEnvironment(dir), environment: ["LANG": "C.UTF-8", "TERM": "xterm"],
            terminal: Doctor.Terminal(isTTY: true, size: (120, 36)))
        #expect(fixed.allSatisfy { $0.level != .fail } && Doctor.verdict(fixed).failed == false)
    }
}
