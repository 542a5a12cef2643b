from django.apps import AppConfig


class TalkNowConfig(AppConfig):
    name = "alongside.talknow"
    label = "talknow"
    verbose_name = "Talk now"

    def ready(self) -> None:
        from alongside.conversations.access import register_kind_check  # models are ready only now
        from alongside.conversations.models import ThreadKind  # models are ready only now
        from alongside.conversations.referrals import register_referral_kind  # models are ready only now
        from alongside.talknow.access import thread_open_to, thread_supporter  # models are ready only now
        from alongside.talknow.services import referral_sent  # models are ready only now

        register_kind_check(ThreadKind.TALKNOW, thread_open_to)
        register_referral_kind(ThreadKind.TALKNOW, may_send=thread_supporter, sent=referral_sent)
