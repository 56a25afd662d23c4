import Foundation
import LastmileCore

/// One canary as a send adapter needs it.
public struct OutboundMessage: Sendable, Hashable {
    public var canaryID: String
    public var token: Token
    public var to: String
    public var from: String
    public var body: String
    /// Where the provider should post this message's receipts, when Lastmile knows its public URL.
    public var receiptCallback: URL?

    public init(canaryID: String, token: Token, to: String, from: String, body: String, receiptCallback: URL?) {
        self.canaryID = canaryID
        self.token = token
        self.to = to
        self.from = from
        self.body = body
        self.receiptCallback = receiptCallback
    }
}
