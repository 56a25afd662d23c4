import CSQLite

/// SQLite's "copy this buffer now" destructor, which the C macro cannot bring into Swift.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
