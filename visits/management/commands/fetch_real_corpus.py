"""Check and rebuild the local cache of the real-report corpus's texts.

    python manage.py fetch_real_corpus [--from DIR] [--live] [--stamp]

The labels (tests/extraction_real/labels) are committed; the texts are other people's words and live
only in the cache (settings.REAL_CORPUS_CACHE, ``var/extraction_real`` by default). Each label records
where its text came from (the search tool's stored page: URL, query, rank) and the text's SHA-256.

- ``--from DIR`` copies texts saved as ``DIR/<lang>/<id>.txt`` (e.g. excerpts saved from the search
  tool's ``pages`` corpus by re-running each label's query) into the cache.
- ``--live`` fetches each missing URL through the tracker's own fetch-and-clean path where the network
  allows; a live page is usually longer than the stored excerpt, so it is kept only when its cleaned
  text begins with the labelled text (same SHA-256 over the labelled length), else reported.
- ``--stamp`` writes the SHA-256 of cached texts into labels that have none (done once, when labelling).

It never fails for want of a text: it says what is there, what is missing and what differs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from visits.evaluation import real_label_paths, text_sha256


class Command(BaseCommand):
    help = "Check the cached texts of the real-report corpus and rebuild what is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", help="a folder of saved texts, DIR/<lang>/<id>.txt")
        parser.add_argument("--live", action="store_true", help="fetch missing texts from their URLs")
        parser.add_argument("--stamp", action="store_true", help="record the SHA-256 of cached texts in labels")

    def handle(self, *args, **options) -> None:
        cache = Path(settings.REAL_CORPUS_CACHE) / "reports"
        counts = {"verified": 0, "stamped": 0, "copied": 0, "fetched": 0, "missing": 0, "differs": 0}
        for label_path in real_label_paths(settings.REAL_CORPUS_LABELS):
            outcome = self._one(label_path, cache, options)
            counts[outcome] += 1
        total = sum(counts.values())
        self.stdout.write(
            f"real corpus: {total} labelled reports; "
            + ", ".join(f"{n} {k}" for k, n in counts.items() if n)
            + f" (cache: {cache})"
        )
        if counts["missing"]:
            self.stdout.write(
                "missing texts come from the search tool's stored pages: re-run each label's meta.query and save "
                "the excerpt of meta.url as <lang>/<id>.txt, then run this command with --from that folder"
            )

    def _one(self, label_path: Path, cache: Path, options: dict) -> str:
        label = json.loads(label_path.read_text(encoding="utf-8"))
        meta = label.setdefault("meta", {})
        target = cache / label_path.parent.name / f"{label_path.stem}.txt"
        if not target.is_file() and options["source"]:
            saved = Path(options["source"]) / label_path.parent.name / f"{label_path.stem}.txt"
            if saved.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(saved, target)
                if self._matches(target, meta):
                    return "copied"
                return "differs"
        if not target.is_file() and options["live"] and meta.get("url"):
            return self._fetch_live(meta, target)
        if not target.is_file():
            return "missing"
        if not meta.get("sha256"):
            if options["stamp"]:
                text = target.read_text(encoding="utf-8")
                meta["sha256"], meta["length"] = text_sha256(text), len(text)
                label_path.write_text(json.dumps(label, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
                return "stamped"
            return "verified"
        return "verified" if self._matches(target, meta) else "differs"

    @staticmethod
    def _matches(target: Path, meta: dict) -> bool:
        return not meta.get("sha256") or text_sha256(target.read_text(encoding="utf-8")) == meta["sha256"]

    def _fetch_live(self, meta: dict, target: Path) -> str:
        from visits.ingestion.documents import DocumentError, fetch_document

        try:
            document = fetch_document(meta["url"])
        except DocumentError as exc:
            self.stderr.write(f"{meta['url']}: {exc}")
            return "missing"
        length = meta.get("length")
        text = document.text[:length] if length else document.text
        if meta.get("sha256") and text_sha256(text) != meta["sha256"]:
            self.stderr.write(f"{meta['url']}: the live page is not the text that was labelled; not cached")
            return "differs"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return "fetched"
