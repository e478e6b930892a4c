"""The fictional firm of the demo data: Murtaler Maschinenbau GmbH, Styria (every name and address invented)."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.networks import Network

COMPANY = "Murtaler Maschinenbau GmbH"
CAREERS = "https://karriere.murtaler-maschinenbau.example"
WEBSITE = "https://www.murtaler-maschinenbau.example"
DEMO_MARK = "demo"  # account ids and external ids start with this, so demo rows are recognisable

USERS = (  # (e-mail, name, role)
    ("julia.steiner@murtaler-maschinenbau.example", "Julia Steiner", "recruiter"),
    ("lukas.pichler@murtaler-maschinenbau.example", "Lukas Pichler", "marketer"),
    ("andrea.hofer@murtaler-maschinenbau.example", "Andrea Hofer", "manager"),
)


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A demo channel and how its audience behaves."""

    network: Network
    name: str
    reach: int  # typical impressions of a post after four weeks
    click_rate: float  # human clicks per impression
    apply_rate: float  # applications per human click on a job ad
    lead_rate: float  # leads per human click on product news
    reports: tuple[str, ...]  # the metrics its API reports; XING is posted by hand and reports none


CHANNELS = (
    ChannelSpec(Network.LINKEDIN, "Murtaler Maschinenbau", 2400, 0.018, 0.070, 0.045,
                ("impressions", "reactions", "comments", "shares", "clicks")),
    ChannelSpec(Network.XING, "Murtaler Maschinenbau Karriere", 700, 0.0, 0.090, 0.040, ()),
    ChannelSpec(Network.FACEBOOK, "Murtaler Maschinenbau – Judenburg", 1800, 0.010, 0.055, 0.010,
                ("impressions", "reactions", "comments", "shares", "clicks")),
    ChannelSpec(Network.INSTAGRAM, "@murtaler.maschinenbau", 1500, 0.004, 0.080, 0.005,
                ("impressions", "reactions", "comments")),
    ChannelSpec(Network.X, "@MurtalerMB", 900, 0.006, 0.020, 0.015,
                ("impressions", "reactions", "comments", "shares")),
)
#: XING reports no numbers; its clicks come from our tracked links only (per post, not per impression).
XING_CLICKS_PER_POST = 14


@dataclass(frozen=True, slots=True)
class VacancySpec:
    """A demo vacancy."""

    title: str
    location: str
    salary_min: int  # euros per month, the collective-agreement minimum
    group: str  # KV Metallindustrie Beschäftigungsgruppe, or "Lehre"
    appeal: float  # multiplies the application rate: how well the ad and the form convert
    hires: int  # how many the firm wants to hire


VACANCIES = (
    VacancySpec("CNC-Fräser (m/w/d)", "Judenburg", 2980, "D", 1.0, 3),
    VacancySpec("Konstrukteur Maschinenbau (m/w/d)", "Graz", 3540, "F", 0.9, 1),
    VacancySpec("Elektrotechniker Instandhaltung (m/w/d)", "Leoben", 3210, "E", 1.1, 1),
    VacancySpec("Lehrling Metalltechnik – Maschinenbautechnik (m/w/d)", "Judenburg", 1010, "Lehre", 1.4, 5),
    VacancySpec("Vertriebsingenieur Export (m/w/d)", "Graz", 3980, "G", 0.7, 1),
    VacancySpec("Schweißer WIG/MAG (m/w/d)", "Leoben", 2890, "D", 1.2, 3),
    VacancySpec("Projektleiter Anlagenbau (m/w/d)", "Graz", 4420, "H", 0.8, 1),
    # Many clicks, hardly any applications: the long form scares people off (a finding points at it).
    VacancySpec("Servicetechniker Außendienst (m/w/d)", "Leoben", 3120, "E", 0.0, 1),
)


def salary_statement(spec: VacancySpec) -> str:
    """Return the pay statement an Austrian job ad must carry (GlBG §9(2)): the minimum and overpay."""
    amount = f"{spec.salary_min:,}".replace(",", ".")
    if spec.group == "Lehre":
        return (f"Lehrlingseinkommen im 1. Lehrjahr laut KV Metallindustrie: € {amount},– brutto pro Monat, "
                "dazu Prämien für gute Berufsschulerfolge.")
    return (f"Das kollektivvertragliche Mindestgrundgehalt beträgt € {amount},– brutto pro Monat "
            f"(KV Metallindustrie, Beschäftigungsgruppe {spec.group}). Bereitschaft zur Überzahlung "
            "je nach Qualifikation und Erfahrung.")


JOB_AD_TEXTS = (
    "Wir suchen Verstärkung in {location}: {title}. {salary} Jetzt bewerben: {link}",
    "Lust auf Maschinenbau made in Styria? Werde {title} in {location}! Alle Infos und Bewerbung: {link}",
    "Noch gesucht: {title} für unser Team in {location}. Bewerbung in 3 Minuten, ohne Anschreiben: {link}",
)
#: Campaigns of product news and events, and how many posts each gets in the quarter.
CAMPAIGNS = (
    ("Retrofit SmartLine", 6, "Alte Fräsanlage, neue Steuerung: Retrofit SmartLine spart bis zu 30 % Energie. "
                              "Termin für eine Anlagenanalyse: {link}"),
    ("Intertool 2026", 4, "Besuchen Sie uns auf der Intertool in Wien, Halle B, Stand 0412 – "
                          "jetzt Gesprächstermin sichern: {link}"),
    ("Lehrlingsoffensive", 5, "Lehre mit Zukunft: Schnuppertage in Judenburg, jetzt anmelden: {link}"),
)
NEWS_TEXTS = (
    "Neue 5-Achs-Bearbeitungszentren in Leoben in Betrieb – mehr Kapazität für Ihre Serienteile: {link}",
    "Referenz: Förderanlage für ein Sägewerk im Murtal termingerecht übergeben. Zum Projektbericht: {link}",
    "Wartungsverträge jetzt auch für Fremdanlagen. Beratung anfordern: {link}",
)
EVENT_TEXTS = (
    "Sommerfest in Judenburg: danke an 240 Kolleg:innen und Familien! Fotos: {link}",
    "Unsere Lehrlinge beim Landeslehrlingswettbewerb Steiermark – zwei Podestplätze! {link}",
)

FIRST_NAMES = ("Anna", "Lena", "Sophie", "Katharina", "Marie", "Lisa", "Hannah", "Elena", "Theresa", "Magdalena",
               "Lukas", "Tobias", "Florian", "David", "Jakob", "Maximilian", "Elias", "Felix", "Stefan", "Markus",
               "Ahmet", "Milan", "Dragan", "Ivana", "Zoran", "Petra", "Gernot", "Herbert", "Sabine", "Martina")
LAST_NAMES = ("Gruber", "Huber", "Wagner", "Pichler", "Steiner", "Moser", "Mayer", "Hofer", "Leitner", "Berger",
              "Fuchs", "Eder", "Fischer", "Schmid", "Winkler", "Weber", "Schwarz", "Maier", "Reiter", "Kogler",
              "Kovačević", "Novak", "Yilmaz", "Horvat", "Zach", "Kainz", "Url", "Pölzl", "Lackner", "Rauch")
LEAD_FIRMS = ("Sägewerk Obermurtal GmbH", "Stahlbau Kapfenberg KG", "Holzindustrie Weiz GmbH",
              "Papierfabrik Pöls AG", "Gießerei Mürzzuschlag GmbH", "Kunststofftechnik Gleisdorf GmbH",
              "Fahrzeugteile Steyr GmbH", "Brauerei Murau eGen", "Anlagenbau Villach GmbH", "Metallwerk Kindberg AG")
