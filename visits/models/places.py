"""Countries (ISO 3166-1 plus the codes of places and states the standard lacks) and cities."""

from django.db import models
from django.db.models.functions import Upper


class Country(models.Model):
    """A country or territory by its ISO 3166-1 alpha-2 code.

    Besides ISO codes: XK (Kosovo), PS (Palestinian territories) and the
    transitionally reserved codes of states that no longer exist (SU, CS, YU,
    DD, AN), marked ``historical``.
    """

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=120)
    names = models.JSONField(default=dict, blank=True, help_text="name per language code, from CLDR")
    historical = models.BooleanField(default=False)
    successor_codes = models.JSONField(default=list, blank=True)
    capital = models.ForeignKey("City", null=True, blank=True, on_delete=models.SET_NULL, related_name="capital_of")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z]{2}$"), name="country_code_alpha2")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.name


class City(models.Model):
    """A city with coordinates from GeoNames (offline data), for maps and for places in reports."""

    name = models.CharField(max_length=200)
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="cities")
    geonames_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.PositiveBigIntegerField(default=0)
    alternate_names = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["country_id", "-population", "name"]
        verbose_name_plural = "cities"
        indexes = [
            models.Index(fields=["country", "name"]),
            # an entry's coordinates: a city of that name, whatever its case (visits.timeline.entries)
            models.Index("country", Upper("name"), name="city_country_upper_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="city_coordinates_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.country_id}"
