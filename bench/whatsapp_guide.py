"""The WhatsApp guide an editor builds in the admin: the browser test and `make bench-editor` type these words.

It is the size of the guide in issue 16's audit (6 causes, 11 symptoms, 11 fix steps with one hand-off,
2 FAQ entries, a 5-item checklist, 3 questions with 7 answers and 20 answer effects, 15 cause-fix links),
written as a content file holds it, so `load_guide` can load the same guide and `check_guide` can judge it
without a browser. Only facts about WhatsApp we are sure of; where a menu's name varies, the words say what
to look for.
"""

REVIEWED = "2026-12-01"

GUIDE = {
    "slug": "whatsapp-messages",
    "title": "Why won't WhatsApp send my messages?",
    "summary": "WhatsApp messages stuck on a clock or one tick? The cause is usually your connection, "
    "an old app, your phone's settings or a full phone. Find out which one and fix it.",
    "introduction": "When a WhatsApp message won't send, look at the small mark next to it. "
    "A clock means it has not left your phone. One grey tick means it was sent. "
    "Two grey ticks mean it reached the other phone, and two blue ticks mean it was read.\n\n"
    "A clock usually points to your phone: its connection, its settings or its storage. "
    "One tick that never turns into two usually points to the other person.",
    "conclusion": "Most stuck messages send once your phone is online, WhatsApp is up to date and your "
    "phone's date is right. If yours still don't, turn your phone off and on again and try once more.",
    "support": "You can write to WhatsApp from the app. Open **Settings**, tap **Help**, then look for "
    "**Contact us**. Say what you see next to the message and what you have tried.",
    "max_screens": 8,
    "causes": [
        {
            "slug": "no-internet",
            "title": "Your phone has no working internet",
            "summary": "Without a working connection, messages wait on your phone with a clock next to them.",
            "commonness": "very_common",
            "reviewed": REVIEWED,
            "explanation": "Every message goes from your phone to WhatsApp over the internet. "
            "If Wi-Fi or mobile data is off, weak or blocked, the message waits and shows a clock.",
            "fixes": {"check-internet": "often", "switch-network": "often", "restart-phone": "sometimes"},
        },
        {
            "slug": "old-app",
            "title": "Your WhatsApp is out of date",
            "summary": "WhatsApp stops working on versions that are too old.",
            "commonness": "common",
            "reviewed": REVIEWED,
            "explanation": "WhatsApp only works on recent versions of the app. "
            "An old version can stop sending, or ask you to update before it does anything.",
            "fixes": {"update-whatsapp": "almost_always", "reinstall-whatsapp": "sometimes", "restart-phone": "rarely"},
        },
        {
            "slug": "wrong-date",
            "title": "Your phone's date or time is wrong",
            "summary": "WhatsApp will not connect when your phone's clock is far off.",
            "commonness": "uncommon",
            "reviewed": REVIEWED,
            "explanation": "WhatsApp checks your phone's date to connect safely. "
            "If the date is wrong, it says so and waits until you fix the clock.",
            "fixes": {"set-date-automatically": "almost_always", "restart-phone": "rarely"},
        },
        {
            "slug": "data-blocked",
            "title": "Your phone stops WhatsApp using data",
            "summary": "A setting on your phone keeps WhatsApp off mobile data or stops it in the background.",
            "commonness": "common",
            "reviewed": REVIEWED,
            "explanation": "Phones can stop one app from using mobile data, or from working in the background. "
            "Then WhatsApp sends on Wi-Fi but not on mobile data, or only while it is open.",
            "fixes": {
                "allow-mobile-data": "often",
                "turn-off-data-saver": "often",
                "allow-background": "sometimes",
                "contact-support": "rarely",
            },
        },
        {
            "slug": "phone-full",
            "title": "Your phone is full",
            "summary": "With no free storage, WhatsApp cannot save messages or photos.",
            "commonness": "uncommon",
            "reviewed": REVIEWED,
            "explanation": "WhatsApp keeps every message and photo on your phone. "
            "When the storage is full, it cannot save new ones, so it stops sending and downloading.",
            "fixes": {"free-up-storage": "almost_always", "restart-phone": "rarely", "reinstall-whatsapp": "rarely"},
        },
        {
            "slug": "blocked-you",
            "title": "The other person blocked you",
            "summary": "When someone blocks you, your messages to them never get past one tick.",
            "commonness": "uncommon",
            "reviewed": REVIEWED,
            "explanation": "A block only stops messages to that one person. Everyone else still gets them.",
            "explains": True,
            "what_is_happening": "Your messages to this person stay on one grey tick. "
            "That is what you see when someone has blocked you. "
            "It can also mean their phone has been off or offline for a long time.",
            "what_you_can_do": "Nothing on your phone can undo a block. "
            "If you know them, ask them another way, in person or by a call.",
        },
    ],
    "symptoms": [
        {
            "slug": "stuck-on-a-clock",
            "title": "My message shows a clock and never sends",
            "causes": ["no-internet", "data-blocked", "wrong-date"],
        },
        {"slug": "only-on-wi-fi", "title": "Messages only send on Wi-Fi", "causes": ["data-blocked"]},
        {"slug": "date-is-wrong", "title": "WhatsApp says my phone's date is wrong", "causes": ["wrong-date"]},
        {"slug": "asks-to-update", "title": "WhatsApp asks me to update it", "causes": ["old-app"]},
        {"slug": "not-enough-storage", "title": "WhatsApp says there is not enough storage", "causes": ["phone-full"]},
        {
            "slug": "photos-wont-download",
            "title": "Photos and videos won't download",
            "causes": ["phone-full", "no-internet"],
        },
        {"slug": "only-when-open", "title": "Messages only go when WhatsApp is open", "causes": ["data-blocked"]},
        {"slug": "one-grey-tick", "title": "One person's messages stay on one grey tick", "causes": ["blocked-you"]},
        {"slug": "no-profile-photo", "title": "I can't see their profile photo any more", "causes": ["blocked-you"]},
        {"slug": "calls-fail-too", "title": "Calls don't connect either", "causes": ["no-internet"]},
        {"slug": "app-freezes", "title": "WhatsApp freezes or closes", "causes": ["old-app", "phone-full"]},
    ],
    "fix_steps": [
        {
            "slug": "check-internet",
            "title": "Check that your phone is online",
            "minutes": 2,
            "reviewed": REVIEWED,
            "instructions": "Open a web page in your browser. If it does not load, your phone is offline. "
            "Turn off aeroplane mode, and turn Wi-Fi or mobile data on.",
        },
        {
            "slug": "switch-network",
            "title": "Switch between Wi-Fi and mobile data",
            "minutes": 3,
            "reviewed": REVIEWED,
            "instructions": "If you are on Wi-Fi, turn Wi-Fi off and try mobile data. "
            "If you are on mobile data, join a Wi-Fi network you trust. Then send the message again.",
        },
        {
            "slug": "restart-phone",
            "title": "Turn your phone off and on again",
            "minutes": 5,
            "reviewed": REVIEWED,
            "instructions": "Turn your phone off, wait ten seconds and turn it on again. "
            "Open WhatsApp and send the message again.",
        },
        {
            "slug": "update-whatsapp",
            "title": "Update WhatsApp",
            "minutes": 5,
            "reviewed": REVIEWED,
            "instructions": "Open your phone's app store and search for WhatsApp. "
            "If you see **Update**, tap it and wait until it finishes.",
            "android": "The app store is **Google Play**.",
            "iphone": "The app store is the **App Store**.",
        },
        {
            "slug": "set-date-automatically",
            "title": "Set your date and time automatically",
            "minutes": 3,
            "reviewed": REVIEWED,
            "instructions": "Open your phone's **Settings** and look for **Date and time**. "
            "Turn on the option that sets the time automatically.",
        },
        {
            "slug": "allow-mobile-data",
            "title": "Let WhatsApp use mobile data",
            "minutes": 3,
            "reviewed": REVIEWED,
            "instructions": "Open your phone's **Settings** and find the list of apps that may use mobile data. "
            "Make sure WhatsApp is allowed.",
        },
        {
            "slug": "turn-off-data-saver",
            "title": "Turn off data saving",
            "minutes": 3,
            "reviewed": REVIEWED,
            "instructions": "Open your phone's **Settings** and search for **data saver** or **low data**. "
            "Turn it off, then send the message again.",
        },
        {
            "slug": "allow-background",
            "title": "Let WhatsApp work in the background",
            "minutes": 4,
            "reviewed": REVIEWED,
            "instructions": "Open your phone's **Settings**, then the settings for WhatsApp. "
            "Look for battery or background options and allow WhatsApp to run in the background.",
        },
        {
            "slug": "free-up-storage",
            "title": "Free up storage on your phone",
            "minutes": 15,
            "reviewed": REVIEWED,
            "instructions": "Delete videos, photos or apps you no longer need. "
            "In WhatsApp, **Settings > Storage and data > Manage storage** shows the biggest chats.",
        },
        {
            "slug": "reinstall-whatsapp",
            "title": "Reinstall WhatsApp",
            "risky": True,
            "minutes": 20,
            "reviewed": REVIEWED,
            "instructions": "Back up your chats first, or you lose them. Then delete WhatsApp, "
            "install it again from your app store and restore the backup when it asks.",
        },
        {
            "slug": "contact-support",
            "title": "Ask WhatsApp's support",
            "kind": "hand_off",
            "minutes": 120,
            "reviewed": REVIEWED,
            "instructions": "In WhatsApp, open **Settings**, tap **Help** and look for **Contact us**. "
            "Say what you see next to the message and what you have tried.",
        },
    ],
    "faq": [
        {
            "slug": "what-do-the-ticks-mean",
            "question": "What do the ticks next to a message mean?",
            "answer": "One grey tick: sent. Two grey ticks: it reached their phone. Two blue ticks: they read it.",
        },
        {
            "slug": "do-blocked-messages-arrive",
            "question": "If someone blocked me, do they get my messages later?",
            "answer": "No. Messages sent while you are blocked are never delivered, even after they unblock you.",
        },
    ],
    "checklist": ["check-internet", "update-whatsapp", "set-date-automatically", "free-up-storage", "restart-phone"],
    "questions": [
        {
            "slug": "mark",
            "text": "What do you see next to the message?",
            "help": "Look at the small mark at the bottom right of the message you sent.",
            "effort": "quick_look",
            "answers": [
                {
                    "slug": "clock",
                    "text": "A clock",
                    "effects": {
                        "no-internet": "more",
                        "data-blocked": "more",
                        "wrong-date": "more",
                        "phone-full": "less",
                        "blocked-you": "rules_out",
                    },
                },
                {
                    "slug": "one-tick",
                    "text": "One grey tick that stays",
                    "effects": {
                        "blocked-you": "strong",
                        "no-internet": "rules_out",
                        "data-blocked": "rules_out",
                        "wrong-date": "rules_out",
                    },
                },
                {
                    "slug": "notice",
                    "text": "WhatsApp shows a notice instead",
                    "effects": {
                        "old-app": "strong",
                        "wrong-date": "strong",
                        "phone-full": "strong",
                        "no-internet": "rules_out",
                    },
                },
            ],
        },
        {
            "slug": "who-fails",
            "text": "Who can't you send messages to?",
            "help": "Try sending a message to two or three different people.",
            "effort": "quick_look",
            "answers": [
                {"slug": "everyone", "text": "Everyone", "effects": {"blocked-you": "rules_out"}},
                {
                    "slug": "one-person",
                    "text": "Only one person",
                    "effects": {"blocked-you": "strong", "no-internet": "rules_out"},
                },
            ],
        },
        {
            "slug": "other-apps",
            "text": "Do web pages load in your browser right now?",
            "help": "Open any web page you know on the same phone.",
            "answers": [
                {
                    "slug": "pages-load",
                    "text": "Yes, they load",
                    "effects": {"no-internet": "rules_out", "data-blocked": "more"},
                },
                {
                    "slug": "pages-dont-load",
                    "text": "No, nothing loads",
                    "effects": {"no-internet": "strong", "data-blocked": "less"},
                },
            ],
        },
    ],
}


def counts(guide: dict = GUIDE) -> dict[str, int]:
    """How big the guide is, in the issue's terms: the browser test asserts it built exactly this."""
    answers = [answer for question in guide["questions"] for answer in question["answers"]]
    return {
        "causes": len(guide["causes"]),
        "symptoms": len(guide["symptoms"]),
        "fix_steps": len(guide["fix_steps"]),
        "faq": len(guide["faq"]),
        "checklist": len(guide["checklist"]),
        "questions": len(guide["questions"]),
        "answers": len(answers),
        "effects": sum(len(answer["effects"]) for answer in answers),
        "cause_fixes": sum(len(cause.get("fixes", {})) for cause in guide["causes"]),
    }
