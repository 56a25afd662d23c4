import Foundation
import HTTP
import LastmileCore

/// The canary's token, where a receipt carries it: our own `?canary=` on the callback URL,
/// or the provider's reference field.
func canaryToken(_ request: HTTPRequest, _ fields: ReportFields, reference: String...) -> Token? {
    if let text = request.queryValue("canary"), let token = Token(text) { return token }
    for path in reference { if let text = fields.string(path), let token = Token(text) { return token } }
    return nil
}
