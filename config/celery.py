import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Celery's Django fix-up runs the system checks in the worker's main process and ignores what
# they find; the URL checks alone import every view (API, portal, dashboard) there, and every
# pool child forked from it carries those pages. The worker checks what it needs in preload().
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("threshold")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def preload(sender, **kwargs):
    """Before the pool forks: a worker that checks documents loads the check modules and the
    text models once, so its children share those pages instead of each loading its own copy
    on its first document; a missing model stops the worker here, not on the first upload. Large
    buffers are given back as soon as they are freed, in the children too."""
    if "checks" not in sender.app.amqp.queues.consume_from:
        return
    import django

    django.setup()
    from onboarding.checks import get_check, textlines
    from onboarding.steps import STEP_TYPES

    for name in STEP_TYPES:
        get_check(name)
    textlines.unmap_large_buffers()
    textlines.models()


@signals.task_postrun.connect
def release_memory(**kwargs):
    """After each task, the pages, strips and OCR buffers it freed go back to the system: glibc
    would otherwise keep them, and the next document's peak would come on top of the last one's."""
    from onboarding.checks.textlines import release_memory

    release_memory()
