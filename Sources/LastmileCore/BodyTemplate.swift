import Foundation

/// A canary body with a `{token}` placeholder, e.g. `"Lastmile check {token}"`.
public struct BodyTemplate: Hashable, Sendable {
    /// The placeholder replaced by the canary's token.
    public static let placeholder = "{token}"

    /// The template as configured.
    public let text: String

    /// A problem with a template.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The template has no `{token}`, so arrivals could never be matched.
        case missingToken
        /// The rendered body does not fit in one GSM-7 message.
        case tooLong(septets: Int)

        public var description: String {
            switch self {
            case .missingToken:
                return "body template must contain {token}"
            case .tooLong(let septets):
                return "rendered body is \(septets) GSM-7 characters; at most \(GSM7.singleMessageSeptets) fit in one message"
            }
        }
    }

    /// A property of a template worth telling but not an error.
    public enum Warning: Hashable, Sendable, CustomStringConvertible {
        /// Characters outside GSM-7: the message goes as UCS-2 (70 characters) and may split.
        case outsideGSM7([Character])

        public var description: String {
            switch self {
            case .outsideGSM7(let characters):
                let list = characters.map { "\"\($0)\"" }.joined(separator: ", ")
                return "characters outside GSM-7 (\(list)): the message would be sent as UCS-2 and may be split"
            }
        }
    }

    /// Validates `text`: it must contain `{token}` and render within one GSM-7 message.
    public init(_ text: String) throws(Problem) {
        guard text.contains(Self.placeholder) else { throw .missingToken }
        self.text = text
        let sample = render(token: Token(payload: 0))
        let septets = GSM7.measure(sample).septets
        guard septets <= GSM7.singleMessageSeptets else { throw .tooLong(septets: septets) }
    }

    /// Warnings about the rendered body.
    public var warnings: [Warning] {
        let outside = GSM7.measure(render(token: Token(payload: 0))).outside
        return outside.isEmpty ? [] : [.outsideGSM7(outside)]
    }

    /// The body for one canary.
    public func render(token: Token) -> String {
        text.replacingOccurrences(of: Self.placeholder, with: token.description)
    }
}
