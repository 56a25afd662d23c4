// The lastmile command: the daemon, its checks, and its reports.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let status = await LastmileCommand.run(arguments)
exit(status)
