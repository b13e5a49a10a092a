/// Multi-row INSERTs: one statement step per row costs about as much as the row itself, so
/// bulk paths bind `rowsPerStatement` rows into one `INSERT … VALUES (…), (…), …`.
extension MarketStore {
    static let rowsPerStatement = 64

    /// Inserts `count` rows of `columns` values each. `bind(statement, firstParameter, row)`
    /// binds one row's values starting at `firstParameter`.
    /// `valuesTuple` overrides the "(?, ?, …)" of each row (for constant columns).
    func insertRows(
        _ head: String, columns: Int, tail: String = "", count: Int, valuesTuple: String? = nil,
        bind: (SQLiteStatement, Int32, Int) -> Void
    ) throws {
        guard count > 0 else { return }
        let tuple = valuesTuple ?? "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        func sql(_ rows: Int) -> String {
            head + " VALUES " + Array(repeating: tuple, count: rows).joined(separator: ", ") + " " + tail
        }
        let many = Self.rowsPerStatement
        let multi = count >= many ? try statement(sql(many)) : nil
        let single = try statement(sql(1))
        var row = 0
        while row < count {
            let stmt = count - row >= many ? multi! : single
            let rows = stmt === single ? 1 : many
            var p: Int32 = 1
            for r in row..<(row + rows) {
                bind(stmt, p, r)
                p += Int32(columns)
            }
            _ = try stmt.step()
            stmt.resetKeepingBindings()
            row += rows
        }
    }
}
