/// A table while the document is being read, with what redefinition rules need:
/// how the table came to be, and the tables and arrays of tables under it.
final class TableBuilder {
    /// How a table came to exist; decides what may later add to it.
    enum Origin {
        /// The document itself.
        case root
        /// Made on the way to a deeper header (`[a]` for `[a.b]`); a header may still define it once.
        case implicit
        /// Defined by its own `[header]` (or as an element of `[[array]]`).
        case header
        /// Made by a dotted key (`a.b = 1` makes `a`); only more dotted keys in the same table add to it.
        case dotted
        /// An inline table (`{ … }`): complete as written.
        case inline
    }

    enum Slot {
        case value(TOMLNode, keyPosition: TOMLPosition)
        case table(TableBuilder, keyPosition: TOMLPosition)
        case arrayOfTables([TableBuilder], keyPosition: TOMLPosition)
    }

    var origin: Origin
    let position: TOMLPosition
    /// Tables above this one (the root is at 0), bounded so that no document can nest deep
    /// enough to exhaust the stack while it is built.
    let depth: Int
    private(set) var slots: [String: Slot] = [:]
    private var order: [String] = []

    init(origin: Origin, position: TOMLPosition, depth: Int = 0) {
        self.origin = origin
        self.position = position
        self.depth = depth
    }

    subscript(key: String) -> Slot? {
        get { slots[key] }
        set {
            if slots[key] == nil { order.append(key) }
            slots[key] = newValue
        }
    }

    /// Marks this table and every table made inside it as inline, so nothing can extend them.
    func freeze() {
        origin = .inline
        for slot in slots.values {
            if case .table(let child, _) = slot { child.freeze() }
        }
    }

    /// The finished, immutable table.
    func build() -> TOMLTable {
        var table = TOMLTable(position: position)
        for key in order {
            switch slots[key]! {
            case .value(let node, let keyPosition):
                table.set(key, node, keyPosition: keyPosition)
            case .table(let child, let keyPosition):
                table.set(key, TOMLNode(.table(child.build()), at: child.position), keyPosition: keyPosition)
            case .arrayOfTables(let children, let keyPosition):
                let nodes = children.map { TOMLNode(.table($0.build()), at: $0.position) }
                table.set(key, TOMLNode(.array(nodes), at: keyPosition), keyPosition: keyPosition)
            }
        }
        return table
    }
}
