from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from calls.models import Call


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests")


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call

    contact_email = factory.Sequence(lambda n: f"prospect{n}@example.com")
    source = Call.Source.CLI
    stage = Call.Stage.RECEIVED
