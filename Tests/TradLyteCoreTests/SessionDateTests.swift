import Foundation
import Testing
import TradLyteTestSupport

@testable import TradLyteCore

@Suite struct SessionDateTests {
    @Test func parsesAndFormatsISODates() throws {
        let date = try SessionDate(iso: "2024-02-29")
        #expect(date.description == "2024-02-29")
        #expect(date.yyyymmdd == 20_240_229)
        #expect(date.weekdayName == "Thursday")
        #expect(SessionDate(yyyymmdd: 20_240_229) == date)
    }

    @Test(arguments: ["2024-2-29", "20240229", "2024/02/29", "", "2024-02-2x"])
    func rejectsMalformedText(text: String) {
        #expect(throws: SessionDateError.malformed(text)) { try SessionDate(iso: text) }
    }

    @Test func rejectsDaysThatDoNotExist() {
        #expect(throws: SessionDateError.notADay("2023-02-29")) { try SessionDate(iso: "2023-02-29") }
        #expect(SessionDate(year: 2023, month: 13, day: 1) == nil)
        #expect(SessionDate(year: 1900, month: 2, day: 29) == nil)
        #expect(SessionDate(year: 2000, month: 2, day: 29) != nil)
    }

    @Test func dayNumbersAgreeWithFoundationAcrossTheCalendarRange() throws {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        var day = SessionDate(year: 1970, month: 1, day: 1)!
        #expect(day.dayNumber == 0)
        day = SessionDate(year: 1989, month: 12, day: 25)!
        let end = SessionDate(year: 2041, month: 1, day: 10)!
        while day <= end {
            let parts = utc.dateComponents(
                [.year, .month, .day, .weekday],
                from: Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400))
            #expect(parts.year == day.parts.year && parts.month == day.parts.month && parts.day == day.parts.day)
            #expect(parts.weekday! - 1 == day.weekday)
            day = day.adding(days: 1)
        }
    }

    @Test func codableUsesISOText() throws {
        let data = try JSONEncoder().encode([SessionDate(year: 2024, month: 3, day: 15)!])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2024-03-15\"]")
        let back = try JSONDecoder().decode([SessionDate].self, from: data)
        #expect(back == [SessionDate(year: 2024, month: 3, day: 15)!])
    }
}
