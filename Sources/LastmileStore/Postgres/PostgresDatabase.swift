import Foundation

/// The store's queries on a PostgreSQL connection: `?` placeholders become `$1`, `$2`, …,
/// values go as text (bytes as binary `bytea`), and rows come back as the store's values.
final class PostgresDatabase: DatabaseConnection {
    let connection: PostgresConnection
    private var translated: [String: String] = [:]

    init(url: String) throws {
        connection = try PostgresConnection(url: url)
    }

    /// How long a migration (building an index over a large table) or the wait for another
    /// instance's may take: given up sooner, the server would undo it, and every start would
    /// begin it again.
    static let migrationAnswerTimeout = Duration.seconds(3_600)

    var dialect: SQLDialect { .postgres }

    func execute(_ sql: String) throws {
        try connection.executeScript(sql)
    }

    func query(_ sql: String, _ values: [StoreValue]) throws -> any RowCursor {
        try connection.executePrepared(postgresText(of: sql), values.map(Self.parameter))
    }

    @discardableResult
    func run(_ sql: String, _ values: [StoreValue]) throws -> Int {
        try connection.executePrepared(postgresText(of: sql), values.map(Self.parameter)).changedRows
    }

    func beginWrite() throws { try execute("BEGIN") }

    func reconnectIfBroken() {
        if !connection.isOpen { connection.reset() }
    }

    private func postgresText(of sql: String) -> String {
        if let known = translated[sql] { return known }
        let text = Self.numberingPlaceholders(in: sql)
        translated[sql] = text
        return text
    }

    /// `?` outside quotes and comments becomes `$1`, `$2`, … in order.
    static func numberingPlaceholders(in sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                output.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                output.append(character)
            } else if character == "?" {
                number += 1
                output += "$\(number)"
            } else {
                output.append(character)
            }
        }
        return output
    }

    private static func parameter(_ value: StoreValue) -> PostgresParameter {
        switch value {
        case .null: return .null
        case .integer(let number): return .text(String(number))
        case .real(let number): return .text(number.isFinite ? "\(number)" : (number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity"))
        case .text(let text): return .text(text)
        case .blob(let data): return .bytes(data)
        }
    }
}
