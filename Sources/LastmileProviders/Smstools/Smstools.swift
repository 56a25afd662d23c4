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

    /// Every regular file in the incoming folder is a message, but the store of waiting parts
    /// smstools keeps there (`<modem>-concatenated`, unless `saved` names another folder): moved
    /// away, the parts it holds would never join their message.
    public func isMessage(named name: String) -> Bool { !name.hasSuffix("-concatenated") }

    public func arrival(named name: String, data: Data) throws(SpoolFileProblem) -> ParsedArrival {
        try SmstoolsFile.read(data)
    }
}
