import Foundation
import LastmileConfig

extension ArrivalSourceKind {
    public static let smstools = ArrivalSourceKind("smstools")
}

/// smstools3: a modem daemon that leaves each received message as a file in its incoming folder.
public struct Smstools: ArrivalSource, SpoolFormat {
    public init() {}

    public var sourceTraits: ArrivalSourceTraits { ArrivalSourceTraits(kind: .smstools, delivery: .spool) }

    public var intake: ArrivalIntake { .spool(self) }

    /// Every regular file in the incoming folder is a message.
    public func isMessage(named name: String) -> Bool { true }

    public func arrival(named name: String, data: Data) throws(SpoolFileProblem) -> ParsedArrival {
        try SmstoolsFile.read(data)
    }
}
