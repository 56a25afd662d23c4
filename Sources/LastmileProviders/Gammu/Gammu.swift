import Foundation
import LastmileConfig

extension ArrivalSourceKind {
    public static let gammu = ArrivalSourceKind("gammu")
}

/// gammu-smsd with its files backend: received messages are `IN…` files in the inbox folder.
public struct Gammu: ArrivalSource, SpoolFormat {
    public init() {}

    public var sourceTraits: ArrivalSourceTraits { ArrivalSourceTraits(kind: .gammu, delivery: .spool) }

    public var intake: ArrivalIntake { .spool(self) }

    /// Only inbox files are messages; gammu keeps its outbox and sent items beside them.
    public func isMessage(named name: String) -> Bool { name.hasPrefix("IN") }

    public func arrival(named name: String, data: Data) throws(SpoolFileProblem) -> ParsedArrival {
        try GammuFile.read(name: name, data: data)
    }
}
