import LastmileBase

/// lastmile(1), made from the commands' specs so the manual and `--help` cannot drift apart.
enum ManPage {
    static func render(_ commands: [CommandSpec]) -> String {
        var lines = [
            #".TH LASTMILE 1 "" "lastmile \#(LastmileVersion.current)" "User Commands""#,
            ".SH NAME",
            #"lastmile \- synthetic delivery prober for SMS routes"#,
            ".SH SYNOPSIS",
            ".B lastmile",
            ".I command",
            "[options]",
            ".SH DESCRIPTION",
            text("Lastmile sends canary messages through each SMS route to phones you control, joins the API's answer, the "
                 + "provider's delivery receipts and the real arrival, and turns that into true delivery rates, latency, SLOs, "
                 + "alerts, Prometheus metrics and reports."),
            ".SH COMMANDS",
        ]
        for command in commands {
            lines.append(".SS " + quoted(command.usage.replacingOccurrences(of: "usage: ", with: "")))
            lines.append(text(command.summary))
            for option in command.options {
                lines.append(".TP")
                lines.append(#".B \-\-"# + escape(option.name) + (option.value.map { #" \fI"# + escape($0) + #"\fR"# } ?? ""))
                lines.append(text(option.help))
            }
            for paragraph in command.details {
                lines.append(".PP")
                lines.append(text(paragraph))
            }
        }
        lines += [
            ".SH OPTIONS",
            ".TP",
            #".B \-\-help"#,
            text("After any command, shows its usage and options."),
            ".SH EXIT STATUS",
            text(ExitStatus.summary.replacingOccurrences(of: "exit status: ", with: "")),
            ".SH FILES",
            ".TP",
            ".I /etc/lastmile/lastmile.toml",
            text("the configuration the packaged service runs with"),
            ".TP",
            ".I /var/lib/lastmile/lastmile.db",
            text("the store"),
            ".SH SEE ALSO",
            text("lastmile check --config FILE explains a configuration; /usr/share/doc/lastmile/README.md is the manual in full."),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Text for a roff paragraph: escapes, and no line starting with a control character.
    static func text(_ text: String) -> String {
        let escaped = escape(text)
        return escaped.hasPrefix(".") || escaped.hasPrefix("'") ? #"\&"# + escaped : escaped
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: #"\e"#).replacingOccurrences(of: "-", with: #"\-"#)
    }

    static func quoted(_ text: String) -> String {
        "\"" + escape(text).replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
