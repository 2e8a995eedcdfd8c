import Foundation

/// `syncml dedupe --html FILE`: one self-contained page (inline CSS and script,
/// nothing loaded from anywhere) to review the groups: the records side by side
/// with differing fields highlighted, the merge, a checkbox per group (all ticked)
/// and a button that saves the decisions as JSON for `--apply`.
enum DedupeHTML {
    /// The file name the page saves its decisions under.
    static let decisionsFileName = "dedupe-decisions.json"

    static func page(_ report: DedupeReport, command: String) -> String {
        let total = report.groups.reduce(0) { $0 + $1.members.count }
        var body = """
            <header>
            <h1>Duplicates in \(escape(report.source.description))</h1>
            <p id="summary">\(report.records) records read. \(report.groups.isEmpty ? "No duplicates found."
                : "<strong>\(report.groups.count) group\(report.groups.count == 1 ? "" : "s") of duplicates</strong>: \(total) records would become \(report.groups.count).")</p>
            <p class="how">Each group below is records the engine takes for one person, event or task, with what agreed and
            what differs, and the record the group would become. Untick a group that is not one; then <em>Save decisions</em>
            and run <code>\(escape(command)) --apply \(decisionsFileName)</code>. Nothing changes before that.</p>
            </header>
            <div id="toolbar">
            <button type="button" id="tick-all">Tick all</button>
            <button type="button" id="untick-all">Untick all</button>
            <span id="counter">\(report.groups.count) of \(report.groups.count) groups will be merged</span>
            <button type="button" id="save" class="primary">Save decisions</button>
            </div>
            <p class="legend"><span class="v common">in every record</span> <span class="v equivalent">in every record, written differently</span>
            <span class="v partial">only in some records (the merge adds it)</span> <span class="v dropped">not kept by the merge</span></p>

            """
        for group in report.groups { body += section(group) }
        if !report.ambiguous.isEmpty {
            body += "<section id=\"ambiguous\"><h2>Left out: the evidence fits more than one group</h2><ul>"
            for problem in report.ambiguous { body += "<li><code>\(escape(problem.id))</code>: \(escape(problem.reason))</li>" }
            body += "</ul></section>\n"
        }
        if !report.unreadable.isEmpty {
            body += "<section id=\"unreadable\"><h2>Not read (left alone)</h2><ul>"
            for problem in report.unreadable { body += "<li><code>\(escape(problem.id))</code>: \(escape(problem.reason))</li>" }
            body += "</ul></section>\n"
        }
        body += """
            <footer>
            <p id="saved" hidden>Saved as <code>\(decisionsFileName)</code> (your browser's download folder). If nothing was downloaded, copy this into that file:</p>
            <textarea id="decisions" readonly hidden rows="12"></textarea>
            </footer>

            """
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Duplicates: \(escape(report.source.description))</title>
            <style>\(style)</style>
            </head>
            <body>
            \(body)<script type="application/json" id="dedupe-data">\(json(decisions(report)))</script>
            <script>\(script)</script>
            </body>
            </html>

            """
    }

    private static func section(_ group: DedupeReport.Group) -> String {
        let place = group.datastore.map { " in \(escape($0))" } ?? ""
        var html = """
            <section class="group" id="group-\(group.group)" data-group="\(group.group)">
            <h2><label><input type="checkbox" class="accept" data-group="\(group.group)" checked>
            Group \(group.group): merge these \(group.members.count) records into one</label> <span class="kind">\(escape(group.kind))\(place)</span></h2>
            <p class="agreed">Agreed: \(group.agreed.isEmpty ? "(as decided)" : group.agreed.map { "<span class=\"key\">\(escape($0))</span>" }.joined(separator: " "))
            \(group.differing.isEmpty ? "" : "— differ: " + group.differing.map { "<span class=\"diff\">\(escape($0))</span>" }.joined(separator: " "))</p>
            <div class="scroll"><table>
            <thead><tr><th>Field</th>
            """
        for member in group.members {
            let stays = member.id == group.survivor
            html += "<th class=\"member\(stays ? " survivor" : "")\"><code>\(escape(member.id))</code><br>\(escape(member.title))"
                + (stays ? "<br><small>stays, receives the merge</small>" : "<br><small>goes</small>") + "</th>"
        }
        html += "<th class=\"merged\">Merged</th></tr></thead>\n<tbody>\n"
        for field in group.fields {
            html += "<tr class=\"\(field.differs ? "differs" : "same")\"><th>\(escape(field.name))</th>"
            for values in field.values {
                html += "<td>" + values.map { "<div class=\"v \($0.status)\">\(escape($0.text))</div>" }.joined() + "</td>"
            }
            html += "<td class=\"merged\">" + field.merged.map { "<div class=\"v\">\(escape($0))</div>" }.joined() + "</td></tr>\n"
        }
        html += """
            </tbody></table></div>
            <details><summary>The merged record (\(escape(group.merged.type)))</summary><pre>\(escape(group.merged.record))</pre></details>
            </section>

            """
        return html
    }

    /// What the page saves, with every group accepted; the script sets `accept` from the checkboxes.
    static func decisions(_ report: DedupeReport) -> [String: Any] {
        var source: [String: Any] = [:]
        if let folder = report.source.folder { source["folder"] = folder }
        if let store = report.source.store { source["store"] = store }
        if let user = report.source.user { source["user"] = user }
        return [
            "format": "syncml-dedupe-decisions", "version": 1, "source": source,
            "groups": report.groups.map { group -> [String: Any] in
                var entry: [String: Any] = [
                    "group": group.group, "accept": true, "survivor": group.survivor,
                    "members": group.members.map { ["id": $0.id, "fingerprint": $0.fingerprint] },
                ]
                if let datastore = group.datastore { entry["datastore"] = datastore }
                return entry
            },
        ]
    }

    /// JSON safe inside a `<script>` element: `<`, `>`, `&` and the line separators escaped.
    static func json(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var text = ""
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1400px;padding:0 1.5em 3em;color:#1d1d1f;background:#fafafa}
        h1{font-size:1.5em;margin:1em 0 .3em}h2{font-size:1.05em;margin:0 0 .4em}
        .how{color:#444;max-width:60em}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
        #toolbar{position:sticky;top:0;z-index:2;background:#fafafa;border-bottom:1px solid #ddd;padding:.6em 0;display:flex;gap:.6em;align-items:center}
        #counter{flex:1;color:#333}button{font:inherit;padding:.35em .9em;border:1px solid #aaa;border-radius:4px;background:#fff;cursor:pointer}
        button.primary{background:#0a5ad4;border-color:#0a5ad4;color:#fff;font-weight:600}
        .group{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.9em 1em;margin:1em 0}
        .group.rejected{opacity:.55;border-style:dashed}.group.rejected table{filter:grayscale(1)}
        .kind{font-weight:normal;color:#666;font-size:.9em}.agreed{margin:.2em 0 .6em;color:#333}
        .key{background:#e6f0ff;border-radius:3px;padding:0 .35em;margin-right:.2em}.diff{background:#fff3cd;border-radius:3px;padding:0 .35em}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}
        th,td{border:1px solid #e3e3e3;padding:.3em .5em;text-align:left;vertical-align:top}
        thead th{background:#f3f3f3}th.survivor{background:#e8f4ea}td.merged,th.merged{background:#f4f8ff}
        tr.differs>th{background:#fff3cd}tr.same{color:#555}
        .v{margin:.1em 0;padding:0 .25em;border-radius:3px;word-break:break-word}
        .v.equivalent{background:#fff8e1}.v.partial{background:#dff5e3}.v.dropped{background:#fde2e2;text-decoration:line-through}
        .legend .v{display:inline-block;margin-right:.6em}pre{white-space:pre-wrap;background:#f6f6f6;padding:.6em;font-size:.85em}
        textarea{width:100%;font-family:ui-monospace,monospace}
        """

    static let script = """
        (function(){
          "use strict";
          var data = JSON.parse(document.getElementById("dedupe-data").textContent);
          var boxes = Array.prototype.slice.call(document.querySelectorAll("input.accept"));
          function update(){
            var ticked = 0;
            boxes.forEach(function(box){
              var section = document.getElementById("group-" + box.dataset.group);
              if (section) section.classList.toggle("rejected", !box.checked);
              if (box.checked) ticked++;
            });
            document.getElementById("counter").textContent = ticked + " of " + boxes.length + " groups will be merged";
          }
          boxes.forEach(function(box){ box.addEventListener("change", update); });
          document.getElementById("tick-all").addEventListener("click", function(){ boxes.forEach(function(b){ b.checked = true; }); update(); });
          document.getElementById("untick-all").addEventListener("click", function(){ boxes.forEach(function(b){ b.checked = false; }); update(); });
          document.getElementById("save").addEventListener("click", function(){
            var accepted = {};
            boxes.forEach(function(box){ accepted[box.dataset.group] = box.checked; });
            data.groups.forEach(function(group){ group.accept = accepted[String(group.group)] !== false; });
            data.saved = new Date().toISOString();
            var text = JSON.stringify(data, null, 2) + "\\n";
            var output = document.getElementById("decisions");
            output.value = text;
            output.hidden = false;
            document.getElementById("saved").hidden = false;
            var link = document.createElement("a");
            link.href = window.URL.createObjectURL(new Blob([text], {type: "application/json"}));
            link.download = "\(decisionsFileName)";
            document.body.appendChild(link);
            link.click();
            setTimeout(function(){ window.URL.revokeObjectURL(link.href); link.remove(); }, 1000);
          });
          update();
        })();
        """
}
