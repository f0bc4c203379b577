"""Index updates are the one side effect wired to model signals (domain rules never are).

Each handler queues the affected documents inside the saving transaction; the queue is drained
after commit by the search engine (archive.search.enqueue). post_save fires for admin inlines too,
so the mentions an admin form saves after its document are covered."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from archive.models import City, Document, Initiative, InitiativeAlias, Mention, MentionStatus
from archive.search import dictionary_changed, enqueue


@receiver([post_save, post_delete], sender=Document, dispatch_uid="index-document")
def document_changed(sender, instance, **kwargs):
    enqueue([instance.pk])


@receiver(post_save, sender=Mention, dispatch_uid="index-mention")
def mention_changed(sender, instance, **kwargs):
    enqueue([instance.document_id])


@receiver(post_delete, sender=Mention, dispatch_uid="index-mention-delete")
def mention_deleted(sender, instance, **kwargs):
    # The index holds confirmed mentions only: a suggestion going (refreshed suggestions) changes nothing.
    if instance.status != MentionStatus.SUGGESTED:
        enqueue([instance.document_id])


@receiver(post_save, sender=Initiative, dispatch_uid="index-initiative")
def initiative_changed(sender, instance, created, **kwargs):
    # Its slug and category are facets of every document that mentions it; its name is a jieba word.
    if not created:
        enqueue(instance.mentions.values_list("document_id", flat=True))
    dictionary_changed()


@receiver(post_delete, sender=Initiative, dispatch_uid="index-initiative-delete")
def initiative_deleted(sender, instance, **kwargs):
    dictionary_changed()


@receiver([post_save, post_delete], sender=InitiativeAlias, dispatch_uid="index-alias")
def alias_changed(sender, instance, **kwargs):
    dictionary_changed()


@receiver(post_save, sender=City, dispatch_uid="index-city")
def city_changed(sender, instance, created, **kwargs):
    if not created:
        enqueue(instance.documents.values_list("pk", flat=True))
