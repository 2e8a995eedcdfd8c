/// The word lists the event and task generators draw from: the languages of
/// the contact cultures, some values with `,` `;` or line breaks that must be
/// escaped, and a few characters outside the Basic Multilingual Plane.
enum CalendarPools {
    static let productIDs = [
        "-//Apple Inc.//macOS 14.4//EN", "-//Google Inc//Google Calendar 70.9054//EN",
        "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
        "-//Nokia//Nokia E71 SyncML client//EN", "-//Synthesis AG//NONSGML SyncML Engine V3.4//EN",
    ]

    static let eventSummaries = [
        "Team-Besprechung", "Zahnarzttermin bei Dr. Weiß", "Elternabend, Klasse 4b", "Jour fixe Vertrieb",
        "Réunion d'équipe", "Déjeuner avec Élodie", "Rendez-vous chez le médecin", "Répétition de la chorale",
        "项目评审会议", "与客户共进午餐", "歯医者の予約", "部署会議", "팀 회의", "저녁 약속",
        "Dentist appointment", "Quarterly review; budget, staffing", "Lunch with Sarah", "1:1 with Michael",
        "Flight LH 2032 → München", "🎂 Birthday party", "Yoga", "Sprint planning", "Parent-teacher conference",
    ]

    static let locations = [
        "Raum 3.14, Gebäude B", "Königsallee 27a, Düsseldorf", "Praxis Dr. Weiß, Schloßstraße 3",
        "Salle Molière", "Café de Flore, Paris", "会议室 A", "东京站", "東京オフィス 5F", "강남역 2번 출구",
        "Conference Room 2", "Starbucks, 5th Ave", "Zoom", "Terminal 1, Gate B42",
    ]

    static let descriptions = [
        "Agenda: Zahlen Q3, Planung Q4.\nBitte Unterlagen mitbringen.",
        "Ordre du jour : budget, recrutement ; questions diverses.",
        "讨论合同细节。", "資料を持参してください。",
        "Dial-in: +1 415 555 0100, PIN 4711#", "Bring the signed forms, two copies.",
        "Parking in the garage, level -2.\nAsk for badge at reception.\nCall if late.",
    ]

    static let taskSummaries = [
        "Steuererklärung abgeben", "Reifen wechseln", "Geschenk für Käthe besorgen", "Angebot für Müller & Söhne",
        "Acheter du pain", "Rappeler la banque", "Réserver l'hôtel à Nîmes", "准备演示文稿", "交房租",
        "牛乳を買う", "レポートを提出する", "보고서 제출", "Call plumber", "Renew passport", "Pay invoice #2023-117",
        "Review pull request, then merge", "Buy 🎁 for Emily",
    ]

    static let categories = ["Business", "Personal", "Holiday", "Travel", "Arbeit", "Famille", "Meeting,Business"]
}
