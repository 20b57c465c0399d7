"""The Atom feed of a saved search: ``/alerts/<feed token>/feed.atom``, its entries most recently changed first."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from visits import alerts
from visits.models import SavedSearch, Trip


class SavedSearchFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, token):
        return get_object_or_404(SavedSearch, feed_token=token)

    def title(self, search: SavedSearch) -> str:
        return _("Diplomatic visits: %(name)s") % {"name": search.name}

    def subtitle(self, search: SavedSearch) -> str:
        return _("Trips and meetings matching %(query)s, most recently changed first.") % {
            "query": search.query or _("everything")
        }

    def link(self, search: SavedSearch) -> str:
        return "/?" + search.query if search.query else "/"

    def items(self, search: SavedSearch):
        return alerts.matching_entries(search)

    def item_title(self, entry) -> str:
        return alerts.entry_title(entry)

    def item_description(self, entry) -> str:
        data = alerts.entry_data(entry)
        when = data["start"] or _("date unknown")
        if data["end"] and data["end"] != data["start"]:
            when = _("%(start)s to %(end)s") % {"start": when, "end": data["end"]}
        return f"{when} · {entry.get_status_display()}"

    def item_link(self, entry) -> str:
        return alerts.entry_link(entry)

    def item_guid(self, entry) -> str:
        return f"tag:visit-tracker,2024:{'trip' if isinstance(entry, Trip) else 'meeting'}/{entry.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, entry):
        return entry.updated_at

    def item_pubdate(self, entry):
        return entry.created_at


saved_search_feed = SavedSearchFeed()
