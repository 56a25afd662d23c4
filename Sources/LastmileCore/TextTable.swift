/// Rows of text cells laid out in aligned columns, two spaces apart, for the command line.
public enum TextTable {
    /// One line per row. Columns are as wide as their widest cell; `rightAligned` columns are
    /// padded on the left, the others on the right, except a left-aligned last column, which is
    /// not padded (no trailing spaces). `rule` puts a line of dashes under the first row.
    public static func lines(_ rows: [[String]], rightAligned: (Int) -> Bool = { _ in false }, indent: String = "",
                             rule: Bool = false) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        var lines: [String] = []
        for (index, row) in rows.enumerated() {
            lines.append(indent + row.enumerated().map { column, cell in
                let fill = String(repeating: " ", count: widths[column] - cell.count)
                if rightAligned(column) { return fill + cell }
                return column == row.count - 1 ? cell : cell + fill
            }.joined(separator: "  "))
            if rule && index == 0 { lines.append(indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines
    }
}
