#!/usr/bin/env bash
# Vendors the timeline library the pages use (vis-timeline, standalone build) into our static
# files: pinned, with its licence, served by us (no CDN, works offline). Needs npm and node.
# The standalone build injects its CSS as <style> elements; our Content-Security-Policy allows
# exactly those by hash (visits/vendor.py, written here), nothing else inline.
#   bash deploy/vendor_vis_timeline.sh [version]
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-8.5.4}
dest=visits/static/visits/vendor/vis-timeline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "vis-timeline@$version" >/dev/null && tar xzf "vis-timeline-$version.tgz")
mkdir -p "$dest"
cp "$work/package/standalone/umd/vis-timeline-graph2d.min.js" "$work/package/styles/vis-timeline-graph2d.min.css" \
  "$work/package/LICENSE.md" "$work/package/LICENSE.Apache-2.0.txt" "$work/package/LICENSE.MIT.txt" "$dest/"
(cd "$dest" && sha256sum vis-timeline-graph2d.min.js vis-timeline-graph2d.min.css > SHA256SUMS)
echo "vis-timeline $version (npm), standalone UMD build" > "$dest/VERSION"
node - "$dest/vis-timeline-graph2d.min.js" "$version" > visits/vendor.py <<'JS'
// Loads the bundle with a stand-in document that records the <style> texts it injects.
const crypto = require("crypto");
const [file, version] = process.argv.slice(2);
const styles = [];
const element = () => ({ children: [], style: {}, setAttribute() {}, addEventListener() {},
  appendChild(child) { this.children.push(child); return child; },
  insertBefore(child) { this.children.push(child); return child; } });
const head = element();
global.window = global;
global.navigator = { userAgent: "node" };
global.document = { head, body: element(), documentElement: element(), addEventListener() {},
  getElementsByTagName: () => [head], createTextNode: (text) => ({ text }),
  createElement(tag) { const made = element(); if (tag === "style") styles.push(made); return made; } };
require(require("path").resolve(file));
// "" too: each <style> is put in the page empty, then filled, and the browser checks both.
const hashes = [...new Set(["", ...styles.map((s) => s.children.map((c) => c.text).join(""))])]
  .map((text) => "sha256-" + crypto.createHash("sha256").update(text, "utf8").digest("base64"));
console.log(`"""Vendored front-end libraries (written by deploy/vendor_vis_timeline.sh; do not edit)."""

#: vis-timeline ${version}: the CSS its standalone build injects as <style> elements, by CSP hash
VIS_TIMELINE_STYLE_HASHES = (
${hashes.map((h) => `    "'${h}'",`).join("\n")}
)`);
JS
.venv/bin/ruff format visits/vendor.py >/dev/null 2>&1 || true
echo "vendored vis-timeline $version into $dest; $(grep -c sha256- visits/vendor.py) style hashes in visits/vendor.py"
