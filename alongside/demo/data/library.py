"""Crisis lines and the starter library: real public services, their public numbers and top-level web addresses.

Checked against the services' own pages where we could. A phone number we could not confirm is left out
rather than guessed: a wrong number in a crisis list is worse than none.
"""

from __future__ import annotations

from dataclasses import dataclass

from alongside.directory.models import Region
from alongside.library.models import Category


@dataclass(frozen=True)
class ResourceSeed:
    title: str
    description: str
    category: str
    url: str = ""
    phone: str = ""
    region: str = Region.NATIONAL
    is_crisis: bool = False
    is_referral: bool = False
    """Supporters can send it as a referral card in a conversation (docs/safety.md)."""
    position: int = 100


CRISIS_LINES: tuple[ResourceSeed, ...] = (
    ResourceSeed(
        title="Emergency",
        phone="000",
        url="https://www.triplezero.gov.au",
        description="Police, fire or ambulance when a life is in danger. From a mobile with no coverage, try 112.",
        category=Category.CRISIS,
        is_crisis=True,
        position=0,
    ),
    ResourceSeed(
        title="Lifeline",
        phone="13 11 14",
        url="https://www.lifeline.org.au",
        description="24-hour crisis support and suicide prevention, by phone, text and online chat.",
        category=Category.CRISIS,
        is_crisis=True,
        position=1,
    ),
    ResourceSeed(
        title="DRS4DRS",
        phone="1300 374 377",
        url="https://www.drs4drs.com.au",
        description=(
            "The national support line for doctors and medical students: 24 hours, free and confidential, "
            "independent of employers and regulators."
        ),
        category=Category.DOCTORS_HEALTH,
        is_crisis=True,
        is_referral=True,
        position=2,
    ),
    ResourceSeed(
        title="Suicide Call Back Service",
        phone="1300 659 467",
        url="https://www.suicidecallbackservice.org.au",
        description="24-hour phone and online counselling for anyone affected by suicide, including those worried about someone.",
        category=Category.CRISIS,
        is_crisis=True,
        position=3,
    ),
    ResourceSeed(
        title="Beyond Blue",
        phone="1300 22 4636",
        url="https://www.beyondblue.org.au",
        description="24-hour support for anxiety, depression and suicidal thoughts, by phone or online chat.",
        category=Category.CRISIS,
        is_crisis=True,
        position=4,
    ),
    ResourceSeed(
        title="13YARN",
        phone="13 92 76",
        url="https://www.13yarn.org.au",
        description="24-hour crisis support by and for Aboriginal and Torres Strait Islander people.",
        category=Category.CRISIS,
        is_crisis=True,
        position=5,
    ),
)

LIBRARY: tuple[ResourceSeed, ...] = (
    # Doctors' health
    ResourceSeed(
        title="Victorian Doctors Health Program (VDHP)",
        phone="03 9280 8712",
        url="https://www.vdhp.org.au",
        description=(
            "Free, confidential help for Victorian doctors and medical students with any health concern, including "
            "stress, mental health and substance use. Independent of the Medical Board and employers."
        ),
        category=Category.DOCTORS_HEALTH,
        region=Region.VIC,
        is_referral=True,
        position=10,
    ),
    ResourceSeed(
        title="Doctors' health services in other states and territories",
        url="https://www.drs4drs.com.au/resources/frequently-asked-questions",
        description=(
            "Every state and territory has its own doctors' health advisory service with a doctor-to-doctor helpline. "
            "DRS4DRS lists them all and can help you find a GP who treats doctors."
        ),
        category=Category.DOCTORS_HEALTH,
        is_referral=True,
        position=20,
    ),
    ResourceSeed(
        title="Doctors' Health Advisory Service (NSW and ACT)",
        url="https://www.dhas.org.au",
        description=(
            "Confidential doctor-to-doctor advice for doctors and medical students in New South Wales and the ACT, "
            "including help to find a GP of your own."
        ),
        category=Category.DOCTORS_HEALTH,
        region=Region.NSW,
        is_referral=True,
        position=21,
    ),
    ResourceSeed(
        title="Find a GP: healthdirect's service finder",
        url="https://www.healthdirect.gov.au",
        description=(
            "The Australian Government's free health information service: its service finder lists GPs near you, "
            "with opening hours and bulk billing."
        ),
        category=Category.DOCTORS_HEALTH,
        is_referral=True,
        position=22,
    ),
    ResourceSeed(
        title="Find a Psychologist (Australian Psychological Society)",
        url="https://psychology.org.au",
        description=(
            "The Australian Psychological Society's Find a Psychologist service: search for a psychologist by "
            "location, the issues they work with, and telehealth."
        ),
        category=Category.COUNSELLING,
        is_referral=True,
        position=5,
    ),
    ResourceSeed(
        title="Employee Assistance Program",
        url="https://example.org/",
        description=(
            "Placeholder for your coordinators to fill in: your organisation's employee assistance provider, with "
            "its phone number and link. Free, confidential short-term counselling through your employer."
        ),
        category=Category.WORKPLACE,
        is_referral=True,
        position=5,
    ),
    ResourceSeed(
        title="AMA Victoria: doctors' health and wellbeing",
        url="https://amavic.com.au",
        description="AMA Victoria's wellbeing resources, mentoring program and Doctor Support Service for members.",
        category=Category.DOCTORS_HEALTH,
        region=Region.VIC,
        position=30,
    ),
    ResourceSeed(
        title="Crazy Socks 4 Docs",
        url="https://www.crazysocks4docs.com.au",
        description=(
            "A movement started by a Melbourne cardiologist to break the stigma around doctors' mental health, "
            "marked on the first Friday in June."
        ),
        category=Category.READING,
        position=90,
    ),
    # Peer support
    ResourceSeed(
        title="AMA Victoria Peer Support Service",
        phone="1300 853 338",
        url="https://amavic.com.au/assistance-for-doctors/Support-Programs/peer-support-service",
        description=(
            "Anonymous telephone peer support from trained volunteer doctors, 8 am to 10 pm every day of the year, "
            "for doctors and medical students."
        ),
        category=Category.PEER_SUPPORT,
        region=Region.VIC,
        position=10,
    ),
    ResourceSeed(
        title="Hand-n-Hand Peer Support",
        url="https://www.handnhand.org.au",
        description="Free peer support groups and one-to-one peer support for health professionals, matched by experience.",
        category=Category.PEER_SUPPORT,
        position=20,
    ),
    # Counselling and psychology
    ResourceSeed(
        title="Beyond Blue: support for health professionals",
        url="https://www.beyondblue.org.au",
        description=(
            "Beyond Blue's information on looking after your mental health at work, including resources written for "
            "doctors, nurses and other health professionals."
        ),
        category=Category.COUNSELLING,
        position=10,
    ),
    ResourceSeed(
        title="Black Dog Institute",
        url="https://www.blackdoginstitute.org.au",
        description=(
            "Research-based information and online tools for depression, anxiety and burnout, including programs "
            "for health workers."
        ),
        category=Category.COUNSELLING,
        position=20,
    ),
    ResourceSeed(
        title="1800RESPECT",
        phone="1800 737 732",
        url="https://www.1800respect.org.au",
        description="24-hour counselling for anyone affected by sexual assault, domestic or family violence.",
        category=Category.COUNSELLING,
        position=30,
    ),
    ResourceSeed(
        title="QLife",
        phone="1800 184 527",
        url="https://qlife.org.au",
        description="Anonymous LGBTIQ+ peer support and referral, by phone and webchat, every afternoon and evening.",
        category=Category.COUNSELLING,
        position=40,
    ),
    ResourceSeed(
        title="MensLine Australia",
        phone="1300 78 99 78",
        url="https://mensline.org.au",
        description="24-hour phone and online counselling for men, about relationships, stress, family and wellbeing.",
        category=Category.COUNSELLING,
        position=50,
    ),
    # Training, colleges and exams
    ResourceSeed(
        title="RACGP GP Support Program",
        url="https://www.racgp.org.au",
        description="Free, confidential psychological support for RACGP members, including GPs in training.",
        category=Category.TRAINING,
        position=10,
    ),
    ResourceSeed(
        title="RACP Support Program",
        phone="1300 687 327",
        url="https://www.racp.edu.au/wellbeing/resources",
        description="Free, confidential 24-hour support for physicians and trainees of the RACP, with wellbeing resources.",
        category=Category.TRAINING,
        position=20,
    ),
    ResourceSeed(
        title="ANZCA and FPM: doctors' health and wellbeing",
        url="https://www.anzca.edu.au",
        description="Wellbeing resources and support for anaesthesia and pain medicine trainees and fellows.",
        category=Category.TRAINING,
        position=30,
    ),
    ResourceSeed(
        title="RACS: wellbeing support for surgeons and trainees",
        url="https://www.surgeons.org",
        description="The Royal Australasian College of Surgeons' confidential support program and wellbeing resources.",
        category=Category.TRAINING,
        position=40,
    ),
    ResourceSeed(
        title="ACEM: trainee and member wellbeing",
        url="https://acem.org.au",
        description="The Australasian College for Emergency Medicine's wellbeing resources and support for trainees.",
        category=Category.TRAINING,
        position=50,
    ),
    # Regulators, complaints and legal help
    ResourceSeed(
        title="Ahpra: support if a concern has been raised about you",
        phone="1300 419 495",
        url="https://www.ahpra.gov.au/Notifications/Further-information/Practitioner-support-services.aspx",
        description=(
            "What happens after a notification, and the support services Ahpra and the Medical Board point "
            "practitioners to. Call your medical defence organisation first."
        ),
        category=Category.LEGAL,
        position=10,
    ),
    ResourceSeed(
        title="Your medical defence organisation's 24-hour advice line",
        url="https://www.avant.org.au",
        description=(
            "For a complaint, notification, coronial inquest or any legal question, ring your MDO's medico-legal "
            "advice line first; the number is on your membership documents. Avant, MDA National, MIGA and MIPS all "
            "run one."
        ),
        category=Category.LEGAL,
        position=20,
    ),
    ResourceSeed(
        title="MDA National",
        url="https://www.mdanational.com.au",
        description="Medical defence organisation: medico-legal advice and support for members.",
        category=Category.LEGAL,
        position=30,
    ),
    ResourceSeed(
        title="MIGA",
        url="https://www.miga.com.au",
        description="Medical defence organisation: medico-legal advice and support for members.",
        category=Category.LEGAL,
        position=40,
    ),
    ResourceSeed(
        title="MIPS",
        url="https://www.mips.com.au",
        description="Medical defence organisation: medico-legal advice and support for members.",
        category=Category.LEGAL,
        position=50,
    ),
    # Workplace safety and rights
    ResourceSeed(
        title="WorkSafe Victoria: violence and aggression in health services",
        url="https://www.worksafe.vic.gov.au/resources/prevention-and-management-violence-and-aggression-health-services",
        description=(
            "What your employer must do to prevent and respond to occupational violence and aggression, and how to "
            "report it."
        ),
        category=Category.WORKPLACE,
        region=Region.VIC,
        position=10,
    ),
    ResourceSeed(
        title="Victorian Department of Health: occupational violence and aggression",
        url="https://www.health.vic.gov.au/worker-health-wellbeing/occupational-violence-and-aggression",
        description="Guidance and post-incident support for people working in Victorian health services.",
        category=Category.WORKPLACE,
        region=Region.VIC,
        position=20,
    ),
    ResourceSeed(
        title="Safe Work Australia: workplace violence and aggression",
        url="https://www.safeworkaustralia.gov.au",
        description="National guidance on workplace violence, bullying and psychosocial hazards, and your rights at work.",
        category=Category.WORKPLACE,
        position=30,
    ),
)

RESOURCES: tuple[ResourceSeed, ...] = CRISIS_LINES + LIBRARY
