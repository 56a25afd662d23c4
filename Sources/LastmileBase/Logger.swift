import Foundation
import Synchronization

/// One line per event, `key=value`, to standard error, each line prefixed with
/// its journald priority (`<3>` error … `<7>` debug) so journald files it right.
public struct Logger: Sendable {
    public enum Level: Int, Comparable, Sendable {
        case error = 3, warning = 4, notice = 5, info = 6, debug = 7

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue > rhs.rawValue }

        var name: String {
            switch self {
            case .error: return "error"
            case .warning: return "warning"
            case .notice: return "notice"
            case .info: return "info"
            case .debug: return "debug"
            }
        }
    }

    /// The least severe level written.
    public var minimum: Level
    private let sink: LogSink

    public init(minimum: Level = .info, sink: LogSink = .standardError) {
        self.minimum = minimum
        self.sink = sink
    }

    /// Writes one line, if `level` is at least `minimum`; `fields` are built only then (a line per
    /// report below the minimum costs nothing).
    public func log(_ level: Level, _ message: String, _ fields: @autoclosure () -> [(String, String)] = []) {
        guard level >= minimum else { return }
        var line = "<\(level.rawValue)>level=\(level.name) msg=\(Self.quote(message))"
        for (key, value) in fields() { line += " \(key)=\(Self.quote(value))" }
        sink.write(line + "\n")
    }

    public func error(_ message: String, _ fields: @autoclosure () -> [(String, String)] = []) { log(.error, message, fields()) }
    public func warning(_ message: String, _ fields: @autoclosure () -> [(String, String)] = []) { log(.warning, message, fields()) }
    public func notice(_ message: String, _ fields: @autoclosure () -> [(String, String)] = []) { log(.notice, message, fields()) }
    public func info(_ message: String, _ fields: @autoclosure () -> [(String, String)] = []) { log(.info, message, fields()) }
    public func debug(_ message: String, _ fields: @autoclosure () -> [(String, String)] = []) { log(.debug, message, fields()) }

    /// Values with spaces, quotes, `=` or unprintable characters (controls, Unicode line
    /// separators, bidirectional overrides) are quoted and escaped.
    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline || $0 == "\\" }
            || value.unicodeScalars.contains(where: \.isUnprintable)
        guard needsQuotes else { return value }
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            default:
                if scalar.isUnprintable { output += scalar.escaped } else { output.unicodeScalars.append(scalar) }
            }
        }
        return output + "\""
    }
}

/// Where log lines go.
public final class LogSink: Sendable {
    private let write: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    func write(_ line: String) { write(line) }

    /// Unbuffered writes to file descriptor 2: nothing is lost on a crash, and a stream that
    /// cannot be written (journald restarting, a full disk) costs the line, not the process.
    public static let standardError = LogSink { line in
        StandardStream.error.write(line)
    }

    /// Keeps lines in memory, for tests.
    public static func memory() -> (LogSink, @Sendable () -> [String]) {
        let lines = Mutex<[String]>([])
        return (LogSink { line in lines.withLock { $0.append(line) } }, { lines.withLock { $0 } })
    }
}
