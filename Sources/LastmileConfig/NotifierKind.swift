/// Where alert notifications go.
public enum NotifierKind: String, CaseIterable, Hashable, Sendable {
    case alertmanager, webhook, command
}
