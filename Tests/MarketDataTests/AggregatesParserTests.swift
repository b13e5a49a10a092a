import Foundation
import Testing
import TradLyteTestSupport

@testable import MarketData

/// The fast aggregate parser agrees with JSONDecoder and rejects what it must.
@Suite struct AggregatesParserTests {
    @Test func agreesWithJSONDecoder() throws {
        let text = #"""
            {"ticker":"X","queryCount":2,"resultsCount":2,"adjusted":true,"status":"OK","request_id":"a\"b",
             "results":[{"v":1.5e6,"vw":10.25,"o":10,"c":10.5,"h":11,"l":9.75,"t":1710475200000,"n":1234,"otc":false,"extra":{"a":[1,2,null]}},
                        {"T":"BRK.B","v":0,"o":1e-3,"c":0.0011,"h":0.0012,"l":0.0009,"t":1710475200000}],
             "next_url":"https://example.test/next?cursor=abc"}
            """#
        let fast = try AggregatesParser.parse(Data(text.utf8))
        let slow = try JSONDecoder().decode(PolygonClient.AggsResponse.self, from: Data(text.utf8))
        #expect(fast == slow)
        #expect(fast.results?.count == 2 && fast.next_url == "https://example.test/next?cursor=abc")
        #expect(try AggregatesParser.parse(Data(#"{"status":"OK","resultsCount":0}"#.utf8)).results == nil)
    }

    @Test(arguments: [
        (#"{"results":[{"o":"1","h":2,"l":1,"c":1,"v":1,"t":1}]}"#, "results[0].o is not a number"),
        (#"{"results":[{"h":2,"l":1,"c":1,"v":1,"t":1}]}"#, "missing field results[0].o"),
        (#"{"results":[{"o":1,"h":2,"l":1,"c":1,"v":1,"t":1}"#, "not valid JSON (truncated or malformed body)"),
        (#"{"results":[{"o":1,"h":2,"l":1,"c":1,"v":1,"t":1}]} trailing"#, "unexpected data after the JSON document"),
        (#"{"results":[{"o":1e999,"h":2,"l":1,"c":1,"v":1,"t":1}]}"#, "results[0].o is not a finite number"),
        ("", "not valid JSON (truncated or malformed body)"),
    ])
    func rejectsWithThePath(text: String, message: String) {
        do {
            _ = try AggregatesParser.parse(Data(text.utf8))
            Issue.record("expected failure for \(text)")
        } catch {
            #expect(error.message == message, "\(text)")
        }
    }
}
