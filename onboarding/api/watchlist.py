"""GET /watchlist/search: screen one name against the organization's loaded lists."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from onboarding import watchlist
from onboarding.api.base import ApiView, validated


class SearchQuery(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    birth_date = serializers.DateField(required=False)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    schema = serializers.ChoiceField(choices=["Person", "LegalEntity"], required=False, default="Person")


Hit = inline_serializer(
    "WatchlistHit",
    many=True,
    fields={
        "entity_id": serializers.CharField(),
        "name": serializers.CharField(),
        "score": serializers.FloatField(),
        "lists": serializers.ListField(child=serializers.CharField()),
        "dataset": serializers.CharField(),
        "birth_dates": serializers.ListField(child=serializers.CharField()),
        "countries": serializers.ListField(child=serializers.CharField()),
    },
)


class WatchlistSearchView(ApiView):
    required_scopes = {"GET": "sessions:read"}

    @extend_schema(
        summary="Screen one name",
        parameters=[SearchQuery],
        responses={
            200: inline_serializer(
                "WatchlistSearch",
                {
                    "data": Hit,
                    "meta": inline_serializer("WatchlistSearchMeta", {"datasets": serializers.JSONField()}),
                },
            )
        },
        tags=["watchlist"],
    )
    def get(self, request):
        query = validated(SearchQuery, request.query_params)
        hits = watchlist.screen(
            self.actor.organization_id,
            query["name"],
            birth_date=query.get("birth_date"),
            country=(query.get("country") or "").upper() or None,
            schema=query["schema"],
        )
        return Response({"data": hits, "meta": {"datasets": watchlist.dataset_versions(self.actor.organization_id)}})
