"""German forms of the report's texts (PDF, digest, findings, definitions), keyed by the English text."""

from __future__ import annotations

GERMAN: dict[str, str] = {
    # Figures and headings
    "Social Media Controlling": "Social-Media-Controlling",
    "Report for %(span)s, compared with %(previous)s.": "Bericht für %(span)s, verglichen mit %(previous)s.",
    "Created on %(when)s; dates in %(tz)s. Bot clicks are excluded everywhere (%(bots)s in this period).":
        "Erstellt am %(when)s; Daten in %(tz)s. Bot-Klicks sind überall ausgenommen (%(bots)s in diesem Zeitraum).",
    "Key figures": "Kennzahlen",
    "Findings": "Erkenntnisse",
    "Data quality": "Datenqualität",
    "How the figures are counted": "So wird gezählt",
    "No findings: not enough data in this period for a reliable statement.":
        "Keine Erkenntnisse: In diesem Zeitraum reichen die Daten für keine verlässliche Aussage.",
    "Figure": "Kennzahl",
    "This period": "Dieser Zeitraum",
    "Previous period": "Vorzeitraum",
    "Change": "Veränderung",
    "Posts published": "Veröffentlichte Beiträge",
    "Posts": "Beiträge",
    "Impressions": "Impressionen",
    "Engagement rate": "Engagement-Rate",
    "Eng. rate": "Eng.-Rate",
    "Human clicks": "Klicks von Menschen",
    "Click-through rate (CTR)": "Klickrate (CTR)",
    "CTR": "CTR",
    "Applications": "Bewerbungen",
    "Interviews": "Gespräche",  # Vorstellungsgespräche; the long word breaks table columns
    "Hires": "Einstellungen",
    "Leads": "Leads",
    "Cost": "Kosten",
    "Cost per application": "Kosten pro Bewerbung",
    "Count": "Anzahl",
    "Channel": "Kanal",
    "Click → appl.": "Klick → Bew.",
    "Appl. → hire": "Bew. → Einst.",
    "Cost/appl.": "Kosten/Bew.",
    "Cost/hire": "Kosten/Einst.",
    "Vacancy / channel": "Stelle / Kanal",
    "Time to 1st appl.": "Zeit bis 1. Bew.",
    "Time to hire": "Zeit bis Einstellung",
    "Campaign / channel": "Kampagne / Kanal",
    "Post": "Beitrag",
    "Published": "Veröffentlicht",
    "Per channel": "Nach Kanal",
    "Per vacancy": "Nach Stelle",
    "Per campaign and product news": "Nach Kampagne und Produktneuheit",
    "Top posts": "Top-Beiträge",
    "No vacancy had posts, clicks or applications in this period.":
        "Keine Stelle hatte in diesem Zeitraum Beiträge, Klicks oder Bewerbungen.",
    "No campaign had posts or clicks in this period.": "Keine Kampagne hatte in diesem Zeitraum Beiträge oder Klicks.",
    "No post had clicks, applications or leads in this period.":
        "Kein Beitrag hatte in diesem Zeitraum Klicks, Bewerbungen oder Leads.",
    "not attributed to a channel": "keinem Kanal zugeordnet",
    "Job ads: %(title)s": "Stellenanzeigen: %(title)s",
    "(no campaign)": "(keine Kampagne)",
    "Page %(n)s": "Seite %(n)s",
    "unknown": "unbekannt",
    "%(n)s days": "%(n)s Tage",
    "%(n)s h": "%(n)s Std.",
    "no change": "unverändert",
    "new": "neu",
    # Charts
    "Trend per week": "Verlauf pro Woche",
    "Funnel": "Trichter",
    "Channel comparison": "Kanalvergleich",
    "Per week from the start of the period (the week is labelled with its first day). %(weeks)s":
        "Pro Woche ab Beginn des Zeitraums (jede Woche trägt das Datum ihres ersten Tages). %(weeks)s",
    "Funnel: %(steps)s. Bar lengths on a logarithmic scale.":
        "Trichter: %(steps)s. Balkenlängen auf logarithmischer Skala.",
    "Channel comparison, each measure on its own scale. %(channels)s":
        "Kanalvergleich, jede Kennzahl auf eigener Skala. %(channels)s",
    # Data quality
    "Bot clicks excluded: %(n)s": "Ausgenommene Bot-Klicks: %(n)s",
    "Repeat clicks excluded (same visitor, same link, within an hour): %(n)s":
        "Ausgenommene Wiederholungsklicks (gleiche Person, gleicher Link, innerhalb einer Stunde): %(n)s",
    "Applications not attributed to a channel: %(n)s": "Bewerbungen ohne Kanal-Zuordnung: %(n)s",
    "Leads not attributed to a channel: %(n)s": "Leads ohne Kanal-Zuordnung: %(n)s",
    "Impressions reported for %(reported)s of %(posts)s published posts.":
        "Impressionen gemeldet für %(reported)s von %(posts)s veröffentlichten Beiträgen.",
    "Cost entries in another currency than %(currency)s left out: %(n)s":
        "Nicht berücksichtigte Kosten in einer anderen Währung als %(currency)s: %(n)s",
    # Findings
    "%(channel)s brings the most applications per post: %(per_post)s (%(applications)s applications from "
    "%(posts)s posts), ahead of %(next_channel)s with %(next_per_post)s.":
        "%(channel)s bringt die meisten Bewerbungen pro Beitrag: %(per_post)s (%(applications)s Bewerbungen aus "
        "%(posts)s Beiträgen), vor %(next_channel)s mit %(next_per_post)s.",
    "%(channel)s turns impressions into clicks best: click-through rate %(ctr)s (%(clicks)s human clicks, "
    "%(impressions)s impressions reported for %(reported)s of %(posts)s posts).":
        "%(channel)s macht am meisten Impressionen zu Klicks: Klickrate %(ctr)s (%(clicks)s Klicks von Menschen, "
        "%(impressions)s Impressionen, gemeldet für %(reported)s von %(posts)s Beiträgen).",
    "“%(vacancy)s” got %(clicks)s human clicks but no application: the job ad or the application form may put "
    "people off.":
        "„%(vacancy)s“ bekam %(clicks)s Klicks von Menschen, aber keine Bewerbung: Vielleicht schrecken die "
        "Stellenanzeige oder das Bewerbungsformular ab.",
    "%(bots)s of %(all)s clicks (%(share)s) came from bots and link previews; they are not counted.":
        "%(bots)s von %(all)s Klicks (%(share)s) kamen von Bots und Link-Vorschauen; sie werden nicht gezählt.",
    "%(unattributed)s of %(applications)s applications (%(share)s) cannot be credited to a channel: the "
    "applicants came without a tracked link.":
        "%(unattributed)s von %(applications)s Bewerbungen (%(share)s) lassen sich keinem Kanal zuordnen: Die "
        "Bewerberinnen und Bewerber kamen ohne getrackten Link.",
    "Human clicks rose by %(change)s to %(current)s (previous period: %(previous)s).":
        "Die Klicks von Menschen stiegen um %(change)s auf %(current)s (Vorzeitraum: %(previous)s).",
    "Human clicks fell by %(change)s to %(current)s (previous period: %(previous)s).":
        "Die Klicks von Menschen sanken um %(change)s auf %(current)s (Vorzeitraum: %(previous)s).",
    "Applications rose by %(change)s to %(current)s (previous period: %(previous)s).":
        "Die Bewerbungen stiegen um %(change)s auf %(current)s (Vorzeitraum: %(previous)s).",
    "Applications fell by %(change)s to %(current)s (previous period: %(previous)s).":
        "Die Bewerbungen sanken um %(change)s auf %(current)s (Vorzeitraum: %(previous)s).",
    # Definitions
    "Period": "Zeitraum",
    "From midnight of the first day to midnight after the last day in %(tz)s; compared with the period of the "
    "same length immediately before.":
        "Von Mitternacht des ersten bis Mitternacht nach dem letzten Tag in %(tz)s; verglichen mit dem gleich "
        "langen Zeitraum unmittelbar davor.",
    "Deliveries (one post on one channel) published in the period.":
        "Im Zeitraum veröffentlichte Auslieferungen (ein Beitrag auf einem Kanal).",
    "Impressions, reactions": "Impressionen, Reaktionen",
    "The latest figures each network reported for the posts published in the period. “Unknown” when no post "
    "reported them; otherwise the sum of the known values, with how many posts reported.":
        "Die letzten Zahlen, die jedes Netzwerk für die im Zeitraum veröffentlichten Beiträge gemeldet hat. "
        "„Unbekannt“, wenn kein Beitrag sie gemeldet hat; sonst die Summe der bekannten Werte, mit der Zahl der "
        "meldenden Beiträge.",
    "Per impression: (reactions + comments + shares + clicks counted by the network) ÷ impressions, known parts "
    "only.":
        "Pro Impression: (Reaktionen + Kommentare + geteilte Beiträge + vom Netzwerk gezählte Klicks) ÷ "
        "Impressionen, nur bekannte Teile.",
    "Clicks on Postillon's tracked links in the period, without bots and link previews and without repeats (the "
    "same visitor on the same link within an hour).":
        "Klicks auf die getrackten Links von Postillon im Zeitraum, ohne Bots und Link-Vorschauen und ohne "
        "Wiederholungen (gleiche Person, gleicher Link, innerhalb einer Stunde).",
    "Human clicks ÷ impressions.": "Klicks von Menschen ÷ Impressionen.",
    "Applications, interviews, hires": "Bewerbungen, Gespräche, Einstellungen",
    "Counted on the day they happened (received, interview, hired), by the channel they came through.":
        "Gezählt am Tag des Ereignisses (eingegangen, Gespräch, eingestellt), nach dem Kanal, über den sie kamen.",
    "Contact requests created in the period; repeat requests of one person are one lead.":
        "Im Zeitraum eingegangene Kontaktanfragen; wiederholte Anfragen einer Person sind ein Lead.",
    "Conversion rates": "Konversionsraten",
    "Click → application = applications ÷ human clicks; application → hire = hires ÷ applications.":
        "Klick → Bewerbung = Bewerbungen ÷ Klicks von Menschen; Bewerbung → Einstellung = Einstellungen ÷ "
        "Bewerbungen.",
    "Time to first application, time to hire": "Zeit bis zur ersten Bewerbung, Zeit bis zur Einstellung",
    "First application minus first publication of the vacancy's posts; median of hired minus received for the "
    "hires of the period.":
        "Erste Bewerbung minus erste Veröffentlichung der Beiträge zur Stelle; Median von Einstellung minus "
        "Eingang für die Einstellungen des Zeitraums.",
    "Cost per application, per hire": "Kosten pro Bewerbung, pro Einstellung",
    "Channel costs entered for the vacancy with a date in the period ÷ its applications or hires via that "
    "channel.":
        "Für die Stelle erfasste Kanalkosten mit Datum im Zeitraum ÷ ihre Bewerbungen oder Einstellungen über "
        "diesen Kanal.",
    "“–” and “unknown”": "„–“ und „unbekannt“",
    "“–”: cannot be computed (nothing to divide by). “Unknown”: the network did not report it. Neither is ever "
    "shown as 0.":
        "„–“: nicht berechenbar (nichts, wodurch geteilt werden kann). „Unbekannt“: vom Netzwerk nicht gemeldet. "
        "Beides wird nie als 0 gezeigt.",
    # The digest e-mail
    "Weekly social media report: %(span)s": "Wöchentlicher Social-Media-Bericht: %(span)s",
    "Monthly social media report: %(span)s": "Monatlicher Social-Media-Bericht: %(span)s",
    "Hello,": "Guten Tag,",
    "here are the key figures of %(span)s, compared with the period before. Bot clicks are not counted "
    "(%(bots)s left out).":
        "hier die Kennzahlen für %(span)s im Vergleich zum Zeitraum davor. Bot-Klicks werden nicht gezählt "
        "(%(bots)s ausgenommen).",
    "%(figure)s: %(value)s (previous period: %(previous)s; %(change)s)":
        "%(figure)s: %(value)s (Vorzeitraum: %(previous)s; %(change)s)",
    "The full report is attached as a PDF; every figure with its posts:":
        "Der vollständige Bericht hängt als PDF an; jede Zahl mit ihren Beiträgen:",
    "You receive this e-mail because the report digest is switched on for you. Change or stop it here:":
        "Sie erhalten diese E-Mail, weil der Bericht per E-Mail für Sie eingeschaltet ist. Ändern oder abbestellen:",
    "social-media-report": "social-media-bericht",
}
