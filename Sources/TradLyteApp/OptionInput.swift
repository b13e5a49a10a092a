import Foundation
import TradLyteCore

/// The parsers for what a user types into an option — numbers and lists — each refusing with a
/// message that names the option, the value and what to write instead (exit code 2).
package enum OptionInput {
    /// `text` as a plain, finite decimal (`NumberText.decimal`) inside the option's range (nil when
    /// the option was not given): `inf`, `nan`, `1e400` and `0x10` never pass.
    package static func decimal(
        _ text: String?, option: String, in range: ClosedRange<Double>, example: String
    ) throws(AppError) -> Double? {
        guard let text else { return nil }
        guard let value = NumberText.decimal(text) else {
            throw AppError.badInput(
                "\(option) '\(text)' is not a plain decimal number — write e.g. \(option) \(example)")
        }
        guard range.contains(value) else {
            let lo = IndicatorSpec.format(range.lowerBound)
            let hi = IndicatorSpec.format(range.upperBound)
            throw AppError.badInput("\(option) \(text) is out of range — give a number from \(lo) to \(hi)")
        }
        return value
    }

    /// A comma-separated list of tickers as typed (trimmed): empty lists and empty items are refused.
    package static func tickers(_ text: String, option: String) throws(AppError) -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard items.allSatisfy({ !$0.isEmpty }) else {
            throw AppError.badInput(
                "\(option) '\(text)' has an empty entry — write tickers separated by commas, e.g. \(option) AAPL,MSFT")
        }
        return items
    }
}
