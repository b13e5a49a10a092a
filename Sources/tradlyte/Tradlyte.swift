import ArgumentParser
import TradLyteApp
import TradLyteCore

@main
struct Tradlyte: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tradlyte",
        abstract: "TradLyte Terminal — a terminal research workstation for US equities.",
        discussion: """
            Keeps a local SQLite history of daily bars and Fibonacci-session bars (3, 5, 8, 13, 21, 34 and 55 sessions) on the NYSE calendar.

            Data lives in $TRADLYTE_HOME (or $XDG_DATA_HOME/tradlyte, default ~/.local/share/tradlyte); the config file is config.json in $TRADLYTE_HOME or $XDG_CONFIG_HOME/tradlyte.

            Exit codes: 0 success, 1 failure, 2 bad input (a malformed file or number, an unknown symbol), \
            3 a refresh already running, 64 a usage error (unknown option or subcommand), \
            130 interrupted by Ctrl-C or SIGTERM (what was fetched is kept; `serve` stops gracefully and exits 0).
            """,
        version: TradLyteVersion.current,
        subcommands: [
            StatusCommand.self, ImportCommand.self, ExportCommand.self, CalendarCommand.self, StrategyCommand.self,
            SignalsCommand.self, IndicatorCommand.self, QuoteCommand.self, DoctorCommand.self, RefreshCommand.self,
            RunsCommand.self,
            AlertsCommand.self, BacktestCommand.self, PortfolioCommand.self, SweepCommand.self, WalkForwardCommand.self,
            ScanCommand.self,
            UICommand.self, RenderCommand.self, ChartCommand.self, ThemesCommand.self, ServeCommand.self,
        ]
    )

    /// `tradlyte` alone shows the status. (Not a default subcommand: with one, an unknown or
    /// misspelt subcommand was parsed as the status command's argument and reported as such.)
    func run() throws {
        try StatusCommand.parse([]).run()
    }

    static func main() {
        HeapTuning.keepFreedHeap()
        main(nil)
    }
}
