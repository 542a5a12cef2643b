"""Reference data: topics, specialties, languages, and real Victorian public health services and medical schools."""

from __future__ import annotations

# (slug, name, experience phrase). The phrase completes "has supported colleagues through …".
TOPICS: tuple[tuple[str, str, str], ...] = (
    ("workplace-aggression", "Workplace aggression or violence", "workplace aggression or violence"),
    ("workload", "Under-resourcing and workload", "under-resourcing and heavy workloads"),
    ("training-exams", "Training, assessment and exams", "training, assessment and exams"),
    ("adverse-event", "Adverse event or medical error", "an adverse event or medical error"),
    (
        "incident-debrief",
        "Debrief after an incident (e.g. a code)",
        "the aftermath of a critical incident, such as a code",
    ),
    ("moral-distress", "Moral distress or an ethical dilemma", "moral distress and ethical dilemmas"),
    ("bullying", "Bullying, harassment or discrimination", "bullying, harassment or discrimination"),
    ("burnout", "Burnout and stress", "burnout and stress"),
    (
        "regulator-legal",
        "A regulator notification, complaint or legal process",
        "a regulator notification, complaint or legal process",
    ),
    ("career", "Career decisions", "career decisions"),
    ("img", "International medical graduate experience", "settling in as an international medical graduate"),
    ("personal-family", "Personal or family matters", "personal and family matters"),
    ("isolation", "Isolation", "isolation"),
)

SPECIALTIES: tuple[str, ...] = (
    "Addiction medicine",
    "Anaesthesia",
    "Cardiology",
    "Dermatology",
    "Emergency medicine",
    "Gastroenterology",
    "General medicine",
    "General practice",
    "General surgery",
    "Geriatric medicine",
    "Haematology",
    "Infectious diseases",
    "Intensive care medicine",
    "Medical administration",
    "Medical oncology",
    "Neurology",
    "Obstetrics and gynaecology",
    "Ophthalmology",
    "Orthopaedic surgery",
    "Paediatrics and child health",
    "Palliative medicine",
    "Pathology",
    "Psychiatry",
    "Public health medicine",
    "Radiation oncology",
    "Radiology",
    "Rehabilitation medicine",
    "Renal medicine",
    "Rural generalism",
    "Urology",
)

# (code, name): ISO 639-1 where it exists, ISO 639-3 otherwise (Mandarin, Cantonese, Filipino, Auslan).
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("cmn", "Mandarin"),
    ("yue", "Cantonese"),
    ("vi", "Vietnamese"),
    ("ar", "Arabic"),
    ("el", "Greek"),
    ("it", "Italian"),
    ("hi", "Hindi"),
    ("pa", "Punjabi"),
    ("si", "Sinhalese"),
    ("ta", "Tamil"),
    ("ur", "Urdu"),
    ("es", "Spanish"),
    ("ko", "Korean"),
    ("fa", "Persian (Farsi)"),
    ("ms", "Malay"),
    ("fil", "Filipino (Tagalog)"),
    ("asf", "Auslan"),
)

# Victorian public health services by their public names (metropolitan, statewide, then regional and rural).
METRO_HEALTH_SERVICES: tuple[str, ...] = (
    "Alfred Health",
    "Austin Health",
    "Monash Health",
    "Melbourne Health (The Royal Melbourne Hospital)",
    "Eastern Health",
    "Northern Health",
    "Western Health",
    "Peninsula Health",
    "St Vincent's Hospital Melbourne",
    "The Royal Children's Hospital",
    "The Royal Women's Hospital",
    "Mercy Hospitals Victoria",
    "Peter MacCallum Cancer Centre",
    "Royal Victorian Eye and Ear Hospital",
    "Calvary Health Care Bethlehem",
)

STATEWIDE_SERVICES: tuple[str, ...] = (
    "Ambulance Victoria",
    "Forensicare",
    "Victorian Institute of Forensic Medicine",
)

REGIONAL_HEALTH_SERVICES: tuple[str, ...] = (
    "Barwon Health",
    "Grampians Health",
    "Bendigo Health",
    "Goulburn Valley Health",
    "Albury Wodonga Health",
    "Latrobe Regional Health",
    "West Gippsland Healthcare Group",
    "Gippsland Southern Health Service",
    "Central Gippsland Health",
    "Bairnsdale Regional Health Service",
    "Bass Coast Health",
    "South West Healthcare",
    "Western District Health Service",
    "Portland District Health",
    "Colac Area Health",
    "Mildura Base Public Hospital",
    "Echuca Regional Health",
    "Swan Hill District Health",
    "Northeast Health Wangaratta",
    "Djerriwarrh Health Services",
    "Kyneton District Health",
    "Castlemaine Health",
    "East Grampians Health Service",
    "Maryborough District Health Service",
    "Benalla Health",
    "Seymour Health",
    "Kilmore District Health",
    "Alpine Health",
    "Mansfield District Hospital",
    "Yarram and District Health Service",
    "Orbost Regional Health",
    "Kerang District Health",
    "Robinvale District Health Services",
    "Cobram District Health",
    "Kyabram District Health Service",
    "Rural Northwest Health",
    "West Wimmera Health Service",
    "Terang and Mortlake Health Service",
    "Moyne Health Services",
)

MEDICAL_SCHOOLS: tuple[str, ...] = (
    "The University of Melbourne",
    "Monash University",
    "Deakin University School of Medicine",
)

HEALTH_SERVICES: tuple[str, ...] = METRO_HEALTH_SERVICES + STATEWIDE_SERVICES + REGIONAL_HEALTH_SERVICES
WORKPLACES: tuple[str, ...] = HEALTH_SERVICES + MEDICAL_SCHOOLS
