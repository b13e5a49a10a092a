import Foundation
import Testing
import TradLyteCore

/// The one spelling of an instant (issue 25): what the store, lock files, JSON and text print,
/// and what `TRADLYTE_NOW` and `--at` accept.
@Suite struct TimestampTests {
    @Test func formatsWithAndWithoutMilliseconds() {
        let instant = Date(timeIntervalSince1970: 1_710_536_700.1239)  // 2024-03-15T21:05:00.123Z
        #expect(Timestamp.format(instant) == "2024-03-15T21:05:00.123Z")
        #expect(Timestamp.format(instant, milliseconds: false) == "2024-03-15T21:05:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    }

    @Test func parsesZuluFractionsAndOffsets() throws {
        let base = try #require(Timestamp.parse("2024-03-15T21:00:00Z"))
        #expect(base.timeIntervalSince1970 == 1_710_536_400)
        #expect(Timestamp.parse("2024-03-15T21:00:00.250Z")?.timeIntervalSince1970 == 1_710_536_400.25)
        #expect(Timestamp.parse("2024-03-15T17:00:00-04:00") == base)
        #expect(Timestamp.parse("2024-03-16T02:30:00+05:30") == base)
        for text in Timestamp.format(base).split(separator: " ") { #expect(Timestamp.parse(String(text)) == base) }
    }

    @Test func refusesWhatIsNotAnInstant() {
        for text in [
            "", "2024-03-15", "2024-03-15T21:00:00", "2024-03-15T21:00:00+0400", "2024-03-15T25:00:00Z",
            "2024-02-30T21:00:00Z", "2024-03-15T21:00:00Zjunk", "2024-03-15T21:00:00.Z", "2024/03/15T21:00:00Z",
        ] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }
}
