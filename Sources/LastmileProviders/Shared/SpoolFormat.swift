import Foundation

/// How a modem daemon leaves received messages in a spool folder: which files are messages,
/// and how one is read.
public protocol SpoolFormat: Sendable {
    /// Whether the file `name` is a received message this format reads; other files are left alone.
    func isMessage(named name: String) -> Bool
    /// The message in the file `name` holding `data`.
    func arrival(named name: String, data: Data) throws(SpoolFileProblem) -> ParsedArrival
}

/// Why a spool file could not be read.
public struct SpoolFileProblem: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
