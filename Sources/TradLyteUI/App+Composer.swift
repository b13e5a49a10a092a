import Foundation
import TermRender
import TradLyteCore

/// The strategy composer's keys and its preview on the chart.
extension App {
    /// Keys while a strategy is being edited: field navigation, editing, save, completion,
    /// preview, and a y/n prompt before unsaved changes are dropped.
    static func composerKey(_ key: KeyEvent, _ s: inout AppState) -> [Effect] {
        guard var d = s.composer.draft else { return [] }
        defer { if s.composer.draft != nil { s.composer.draft = d } }
        if d.confirmingDiscard {
            switch key.key {
            case .char("y"), .char("Y"):
                s.composer.draft = nil
                s.message = ("changes dropped", .info)
                if d.quitAfterDiscard { s.quit = true }
                return []
            default:
                d.confirmingDiscard = false
                d.quitAfterDiscard = false
                return []
            }
        }
        let fields = StrategyDraft.Field.allCases
        let i = fields.firstIndex(of: d.focused) ?? 0
        switch (key.key, key.modifiers) {
        case (.tab, _), (.down, _): d.focused = fields[(i + 1) % fields.count]
        case (.backTab, _), (.up, _): d.focused = fields[(i + fields.count - 1) % fields.count]
        case (.escape, _):
            if d.isDirty { d.confirmingDiscard = true } else { s.composer.draft = nil }
        case (.char("c"), .ctrl):
            // Leaving the app asks too when the draft has unsaved changes.
            if d.isDirty {
                d.confirmingDiscard = true
                d.quitAfterDiscard = true
            } else {
                s.quit = true
            }
        case (.char("s"), .ctrl):
            switch d.compile() {
            case .valid(let strategy):
                return [.saveStrategy(id: d.text(.id), text: strategy.fileText)]
            case .invalid(let problems):
                s.message = (
                    "not saved: \(problems.count) problem\(problems.count == 1 ? "" : "s") — \(problems[0].field.label.trimmingCharacters(in: .whitespaces)): \(problems[0].message)",
                    .error
                )
            }
        case (.char(" "), .ctrl):
            if !d.complete() {
                let c = d.completions().candidates
                s.message = (c.isEmpty ? "no completion here" : c.prefix(12).joined(separator: " "), .info)
            }
        case (.function(5), _):
            switch d.compile() {
            case .valid(let strategy): return previewSignals(strategy, &s)
            case .invalid(let problems):
                s.message = ("fix \(problems.count) problem\(problems.count == 1 ? "" : "s") to preview", .error)
            }
        default:
            guard var field = d.fields[d.focused] else { return [] }
            if edit(&field, key) { d.fields[d.focused] = field }
        }
        return []
    }

    /// Shows a draft's entries and rule exits on the chart of the current symbol at the
    /// draft's interval (the chart draws them as markers).
    static func previewSignals(_ strategy: Strategy, _ s: inout AppState) -> [Effect] {
        guard let sym = s.currentSymbol, let daily = s.series[sym] else {
            s.message = ("select a symbol with data to preview", .warn)
            return []
        }
        let compiled: CompiledStrategy
        do { compiled = try CompiledStrategy(strategy) } catch {
            s.message = ("\(error)", .error)
            return []
        }
        let signals = compiled.signals(daily: daily, latestClosed: s.latestClosed)
        let entries = signals.entries
        let exits = signals.exits
        let sessions = signals.lastSessions
        let setupHolds =
            strategy.setup == nil ? [] : sessions.indices.filter { signals.setup[$0] == Truth.yes }.map { sessions[$0] }
        s.preview = SignalPreview(
            symbol: sym, interval: strategy.interval,
            entries: sessions.indices.filter { entries[$0] }.map { sessions[$0] },
            exits: sessions.indices.filter { exits[$0] }.map { sessions[$0] }, setup: setupHolds,
            buy: strategy.trigger.action == .buy)
        s.interval = strategy.interval
        s.pane = .chart
        s.crosshair = nil
        s.viewport.pan = 0
        s.message = (
            // Signals, not trades: an exit rule may hold on bars with no position open.
            "preview of \(strategy.name) on \(sym): the entry fires on \(s.preview!.entries.count) bars, the exit "
                + "rule holds on \(s.preview!.exits.count) (signals, not trades — b backtests) — S returns",
            .info
        )
        return []
    }
}
