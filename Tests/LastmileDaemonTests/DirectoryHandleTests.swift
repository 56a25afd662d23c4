import Foundation
import Glibc
import LastmileTestSupport
import Testing
@testable import LastmileDaemon

/// A folder used by its descriptor: swapping its name for a link once it is open changes nothing.
@Suite struct DirectoryHandleTests {
    @Test func aFolderHeldOpenIsMovedIntoEvenAfterItsNameIsSwappedForALink() throws {
        let directory = try TemporaryDirectory()
        let spool = directory.url.appendingPathComponent("spool"), elsewhere = directory.url.appendingPathComponent("elsewhere")
        for folder in [spool.appendingPathComponent("done"), elsewhere] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try Data("From: 1\n\nhello".utf8).write(to: spool.appendingPathComponent("GSM1.x"))
        let held = try DirectoryHandle(path: spool.path)
        let done = try DirectoryHandle("done", in: held, creating: false)
        // Between the open and the move, `done` becomes a link to somewhere else.
        try FileManager.default.moveItem(at: spool.appendingPathComponent("done"), to: spool.appendingPathComponent("done-real"))
        try FileManager.default.createSymbolicLink(at: spool.appendingPathComponent("done"), withDestinationURL: elsewhere)
        #expect(renameat(held.descriptor, "GSM1.x", done.descriptor, "GSM1.x") == 0)
        #expect(FileManager.default.fileExists(atPath: spool.appendingPathComponent("done-real/GSM1.x").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        #expect(done.names() == ["GSM1.x"])
        #expect(done.names() == ["GSM1.x"], "listing again starts from the beginning")
        // Opened again, the link is refused.
        #expect(throws: DirectoryHandle.Problem.self) { _ = try DirectoryHandle("done", in: held, creating: true) }
    }
}
