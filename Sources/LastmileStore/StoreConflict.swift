/// A write that would have contradicted what another writer already stored.
public struct StoreConflict: Error, CustomStringConvertible {
    public var message: String

    public var description: String { message }
}
