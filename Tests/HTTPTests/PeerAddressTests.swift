import Glibc
import Testing
@testable import HTTP

/// Who counts as one peer for the per-peer cap.
@Suite struct PeerAddressTests {
    static func peer(_ text: String) -> PeerAddress? {
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { bytes in
            if text.contains(":") {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                _ = inet_pton(AF_INET6, text, &address.sin6_addr)
                bytes.storeBytes(of: address, as: sockaddr_in6.self)
            } else {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                _ = inet_pton(AF_INET, text, &address.sin_addr)
                bytes.storeBytes(of: address, as: sockaddr_in.self)
            }
        }
        return PeerAddress(storage)
    }

    @Test func anIPv4AddressIsItsOwnPeer() {
        #expect(Self.peer("203.0.113.7") == Self.peer("203.0.113.7"))
        #expect(Self.peer("203.0.113.7") != Self.peer("203.0.113.8"))
        #expect(Self.peer("203.0.113.7")?.description == "203.0.113.7")
    }

    @Test func anIPv6HostIsItsSlash64() {
        // One host is usually given a whole /64: its addresses in it are one peer.
        #expect(Self.peer("2001:db8:1:2::1") == Self.peer("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        #expect(Self.peer("2001:db8:1:2::1") != Self.peer("2001:db8:1:3::1"))
        #expect(Self.peer("2001:db8:1:2::1")?.description == "2001:db8:1:2::/64")
    }

    @Test func anIPv4MappedAddressIsItsIPv4Peer() {
        #expect(Self.peer("::ffff:203.0.113.7") == Self.peer("203.0.113.7"))
    }

    @Test func anotherFamilyHasNoPeer() {
        var storage = sockaddr_storage()
        storage.ss_family = sa_family_t(AF_UNIX)
        #expect(PeerAddress(storage) == nil)
    }
}
