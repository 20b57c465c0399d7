"""The web pages: timeline, people, places, topics, map, reports and the embeddable views."""
