import Glibc

/// Who is on the other end of a connection, as far as the per-peer cap counts: an IPv4 address,
/// or an IPv6 address's /64 prefix (one host is usually given a whole /64, so counting its
/// full addresses would let it open a connection from each).
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    private let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The peer of an address `accept` filled in; nil for a family other than IPv4 and IPv6.
    init?(_ storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            self.init(bytes: withUnsafeBytes(of: address.sin_addr) { Array($0) })
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            let all = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
            // An IPv4-mapped address is its IPv4 peer.
            if all[0..<10].allSatisfy({ $0 == 0 }) && all[10] == 0xff && all[11] == 0xff {
                self.init(bytes: Array(all[12..<16]))
            } else {
                self.init(bytes: Array(all[0..<8]))
            }
        default:
            return nil
        }
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: bytes.count, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
