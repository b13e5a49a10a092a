import ArgumentParser
import TradLyteApp
import TradLyteCore

// The vocabularies the commands take, each from its one list (`CaseIterable`): the help text,
// the validation message and shell completion name every value, and a new case appears in all
// three (and in the UI, which reads the same list).

extension BacktestRunner.Metric: ExpressibleByArgument {}

extension RunTrigger: ExpressibleByArgument {}

extension HeadlessScreen: ExpressibleByArgument {}
