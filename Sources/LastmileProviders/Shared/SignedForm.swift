import HTTP

/// The POST fields a form signature covers (Twilio's, Plivo's), read only when there are few
/// enough: a provider's callback carries a few dozen, and a hostile body of half a million
/// (`a&a&a…`) would cost seconds of decoding and sorting before its signature is even checked.
enum SignedForm {
    /// The most fields a signed form may have.
    static let fieldLimit = 1_000

    /// The request's form fields, none for a method other than POST; a refusal past `fieldLimit`.
    static func fields(of request: HTTPRequest) -> Result<[(String, String)], ReportError> {
        guard request.method == "POST" else { return .success([]) }
        var separators = 0
        for byte in request.body where byte == UInt8(ascii: "&") {
            separators += 1
            if separators >= fieldLimit {
                return .failure(ReportError(.contentTooLarge, "a signed form has at most \(fieldLimit) fields"))
            }
        }
        return .success(PercentEncoding.formFields(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) })
    }
}
