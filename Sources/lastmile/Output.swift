import Foundation
import LastmileBase

/// Writes to standard output and standard error without buffering surprises.
enum Output {
    static func write(_ text: String) {
        StandardStream.output.write(text.hasSuffix("\n") ? text : text + "\n")
    }

    static func error(_ text: String) {
        StandardStream.error.write(text.hasSuffix("\n") ? text : text + "\n")
    }
}
