// A decoder for the public toml-test suite: TOML on standard input, tagged JSON
// on standard output and exit 0; on invalid input, the error on standard error
// and exit 1.
import Foundation
import TOML

let input = FileHandle.standardInput.readDataToEndOfFile()
do {
    let table = try TOMLDecoder.decode(bytes: Array(input))
    FileHandle.standardOutput.write(Data((table.taggedJSON + "\n").utf8))
    exit(0)
} catch {
    FileHandle.standardError.write(Data("toml-decode: \(error)\n".utf8))
    exit(1)
}
