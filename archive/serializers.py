from rest_framework import serializers

from archive.models import Category, City, Document, Initiative, Mention


class CityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["slug", "name"]


class CitySerializer(serializers.ModelSerializer):
    document_count = serializers.IntegerField(read_only=True)
    first_year = serializers.IntegerField(read_only=True, allow_null=True, help_text="报告覆盖的最早年份")
    last_year = serializers.IntegerField(read_only=True, allow_null=True, help_text="报告覆盖的最晚年份")
    initiative_count = serializers.IntegerField(read_only=True, help_text="报告中已确认的改革举措数")
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = City
        fields = [
            "slug",
            "name",
            "short_name",
            "province",
            "level",
            "longitude",
            "latitude",
            "document_count",
            "first_year",
            "last_year",
            "initiative_count",
            "url",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="display_title", read_only=True)
    has_own_title = serializers.SerializerMethodField()
    city = CityRefSerializer(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "has_own_title",
            "city",
            "year_start",
            "year_end",
            "published_on",
            "source",
            "authors",
            "url",
        ]

    def get_has_own_title(self, document) -> bool:
        return bool(document.title)


class MentionSerializer(serializers.ModelSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    initiative_name = serializers.CharField(source="initiative.name", read_only=True)
    initiative_name_en = serializers.CharField(source="initiative.name_en", read_only=True)
    passage = serializers.CharField(read_only=True)
    paragraph = serializers.IntegerField(source="paragraph_number", read_only=True)

    class Meta:
        model = Mention
        fields = [
            "initiative",
            "initiative_name",
            "initiative_name_en",
            "start",
            "end",
            "paragraph",
            "passage",
            "year",
            "year_source",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    mentions = MentionSerializer(source="confirmed_mentions", many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "source_url", "fetched_at", "body", "mentions"]


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name"]


class InitiativeSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    city_count = serializers.IntegerField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "slug",
            "name",
            "name_en",
            "category",
            "aliases",
            "description",
            "description_en",
            "city_count",
            "url",
        ]
