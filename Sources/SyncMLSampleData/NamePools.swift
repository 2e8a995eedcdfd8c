/// The word lists the contact generator draws from, one set per culture.
/// Every native spelling comes with an ASCII form for e-mail addresses.
struct Culture {
    struct Name {
        var native: String
        var ascii: String
    }

    /// How FN is formed from the name parts.
    enum Order {
        /// "Given Family"
        case givenFirst
        /// "FamilyGiven" (Chinese, Korean) or "Family Given" (Japanese).
        case familyFirst(separator: String)
    }

    var givenNames: [Name]
    var familyNames: [Name]
    var order: Order
    var prefixes: [String]
    var organizations: [String]
    var titles: [String]
    var streets: [String]
    /// City, region, postal code.
    var cities: [(String, String, String)]
    var country: String
    /// Country calling code and a number pattern; `#` is a random digit.
    var phonePatterns: [String]
    var mailDomains: [String]

    static let all: [Culture] = [german, french, chinese, japanese, korean, english]

    /// How often each culture is drawn, in percent of `all` (sums to 100).
    static let weights = [25, 20, 10, 10, 5, 30]

    static let german = Culture(
        givenNames: [
            .init(native: "Jürgen", ascii: "juergen"), .init(native: "Günther", ascii: "guenther"),
            .init(native: "Käthe", ascii: "kaethe"), .init(native: "Jörg", ascii: "joerg"),
            .init(native: "Sören", ascii: "soeren"), .init(native: "Björn", ascii: "bjoern"),
            .init(native: "Anneliese", ascii: "anneliese"), .init(native: "Matthias", ascii: "matthias"),
            .init(native: "Friederike", ascii: "friederike"), .init(native: "Ute", ascii: "ute"),
            .init(native: "Lisa-Marie", ascii: "lisa-marie"), .init(native: "Maximilian", ascii: "maximilian"),
        ],
        familyNames: [
            .init(native: "Müller", ascii: "mueller"), .init(native: "Schäfer", ascii: "schaefer"),
            .init(native: "Köhler", ascii: "koehler"), .init(native: "Groß", ascii: "gross"),
            .init(native: "Weiß", ascii: "weiss"), .init(native: "Schröder", ascii: "schroeder"),
            .init(native: "Krüger", ascii: "krueger"), .init(native: "Hoffmann", ascii: "hoffmann"),
            .init(native: "Fischer", ascii: "fischer"), .init(native: "Meyer-Lüdenscheidt", ascii: "meyer"),
        ],
        order: .givenFirst,
        prefixes: ["Dr.", "Prof. Dr.", "Dipl.-Ing."],
        organizations: [
            "Müller & Söhne GmbH;Vertrieb", "Bäckerei Groß", "Stadtwerke Düsseldorf AG;Kundenservice",
            "Technische Universität München;Lehrstuhl für Informatik", "Schäfer Logistik KG",
        ],
        titles: ["Geschäftsführer", "Vertriebsleiterin", "Softwareentwickler", "Prokurist", "Sachbearbeiterin"],
        streets: ["Hauptstraße 12", "Königsallee 27a", "Schloßstraße 3", "Am Großen Garten 8", "Mühlenweg 114"],
        cities: [("Berlin", "Berlin", "10115"), ("München", "Bayern", "80331"), ("Köln", "NRW", "50667"),
                 ("Düsseldorf", "NRW", "40213"), ("Nürnberg", "Bayern", "90402")],
        country: "Deutschland",
        phonePatterns: ["+49 30 #######", "+49 89 ########", "+49 171 #######", "+49 221 ######"],
        mailDomains: ["web.de", "gmx.de", "t-online.de", "example.de"]
    )

    static let french = Culture(
        givenNames: [
            .init(native: "Amélie", ascii: "amelie"), .init(native: "Hélène", ascii: "helene"),
            .init(native: "François", ascii: "francois"), .init(native: "Jérôme", ascii: "jerome"),
            .init(native: "Cécile", ascii: "cecile"), .init(native: "Noël", ascii: "noel"),
            .init(native: "Benoît", ascii: "benoit"), .init(native: "Zoé", ascii: "zoe"),
            .init(native: "Émile", ascii: "emile"), .init(native: "Gaëlle", ascii: "gaelle"),
            .init(native: "Jean-Frédéric", ascii: "jean-frederic"),
        ],
        familyNames: [
            .init(native: "Lefèvre", ascii: "lefevre"), .init(native: "Dubois", ascii: "dubois"),
            .init(native: "Béranger", ascii: "beranger"), .init(native: "Mercier", ascii: "mercier"),
            .init(native: "Chênevert", ascii: "chenevert"), .init(native: "Fauré", ascii: "faure"),
            .init(native: "de La Fontaine", ascii: "delafontaine"), .init(native: "Rémy", ascii: "remy"),
        ],
        order: .givenFirst,
        prefixes: ["M.", "Mme", "Dr"],
        organizations: [
            "Société Générale;Direction financière", "Boulangerie Lefèvre", "Électricité de France",
            "Université Paris-Saclay;Département d'informatique", "Crédit Agricole",
        ],
        titles: ["Directrice générale", "Ingénieur d'études", "Chargé de clientèle", "Comptable"],
        streets: ["12 rue de la Paix", "7 boulevard Saint-Germain", "3 place de l'Hôtel de Ville",
                  "45 avenue des Champs-Élysées", "18 rue du Faubourg Saint-Honoré"],
        cities: [("Paris", "Île-de-France", "75002"), ("Lyon", "Auvergne-Rhône-Alpes", "69002"),
                 ("Marseille", "Provence-Alpes-Côte d'Azur", "13001"), ("Besançon", "Bourgogne-Franche-Comté", "25000")],
        country: "France",
        phonePatterns: ["+33 1 ## ## ## ##", "+33 6 ## ## ## ##", "+33 4 ## ## ## ##"],
        mailDomains: ["orange.fr", "free.fr", "laposte.net", "example.fr"]
    )

    static let chinese = Culture(
        givenNames: [
            .init(native: "伟", ascii: "wei"), .init(native: "娜", ascii: "na"), .init(native: "敏", ascii: "min"),
            .init(native: "洋", ascii: "yang"), .init(native: "静怡", ascii: "jingyi"), .init(native: "志强", ascii: "zhiqiang"),
            .init(native: "秀英", ascii: "xiuying"), .init(native: "建华", ascii: "jianhua"),
        ],
        familyNames: [
            .init(native: "王", ascii: "wang"), .init(native: "李", ascii: "li"), .init(native: "张", ascii: "zhang"),
            .init(native: "刘", ascii: "liu"), .init(native: "陈", ascii: "chen"), .init(native: "欧阳", ascii: "ouyang"),
        ],
        order: .familyFirst(separator: ""),
        prefixes: [],
        organizations: ["华为技术有限公司;研发部", "中国银行", "北京大学;计算机学院", "上海汽车集团"],
        titles: ["工程师", "经理", "教授", "会计"],
        streets: ["朝阳区建国路88号", "海淀区中关村大街1号", "浦东新区世纪大道100号"],
        cities: [("北京", "北京市", "100020"), ("上海", "上海市", "200120"), ("深圳", "广东省", "518000")],
        country: "中国",
        phonePatterns: ["+86 10 #### ####", "+86 138 #### ####", "+86 21 #### ####"],
        mailDomains: ["qq.com", "163.com", "example.cn"]
    )

    static let japanese = Culture(
        givenNames: [
            .init(native: "健", ascii: "ken"), .init(native: "花子", ascii: "hanako"), .init(native: "翔", ascii: "sho"),
            .init(native: "美咲", ascii: "misaki"), .init(native: "大輔", ascii: "daisuke"), .init(native: "さくら", ascii: "sakura"),
        ],
        familyNames: [
            .init(native: "佐藤", ascii: "sato"), .init(native: "鈴木", ascii: "suzuki"), .init(native: "高橋", ascii: "takahashi"),
            .init(native: "田中", ascii: "tanaka"), .init(native: "渡辺", ascii: "watanabe"), .init(native: "山本", ascii: "yamamoto"),
        ],
        order: .familyFirst(separator: " "),
        prefixes: [],
        organizations: ["株式会社山田製作所;営業部", "トヨタ自動車株式会社", "東京大学;情報理工学系研究科", "ソニー株式会社"],
        titles: ["部長", "課長", "エンジニア", "教授"],
        streets: ["千代田区丸の内1-1-1", "渋谷区神南2-3-4", "中央区銀座5-6-7"],
        cities: [("東京都", "東京", "100-0005"), ("大阪市", "大阪府", "530-0001"), ("京都市", "京都府", "600-8216")],
        country: "日本",
        phonePatterns: ["+81 3-####-####", "+81 90-####-####", "+81 6-####-####"],
        mailDomains: ["docomo.ne.jp", "yahoo.co.jp", "example.jp"]
    )

    static let korean = Culture(
        givenNames: [
            .init(native: "민준", ascii: "minjun"), .init(native: "서연", ascii: "seoyeon"), .init(native: "지훈", ascii: "jihoon"),
            .init(native: "하은", ascii: "haeun"),
        ],
        familyNames: [
            .init(native: "김", ascii: "kim"), .init(native: "이", ascii: "lee"), .init(native: "박", ascii: "park"),
            .init(native: "최", ascii: "choi"),
        ],
        order: .familyFirst(separator: ""),
        prefixes: [],
        organizations: ["삼성전자;무선사업부", "현대자동차", "서울대학교"],
        titles: ["대리", "과장", "연구원"],
        streets: ["강남구 테헤란로 152", "종로구 세종대로 175"],
        cities: [("서울", "서울특별시", "06236"), ("부산", "부산광역시", "48058")],
        country: "대한민국",
        phonePatterns: ["+82 10-####-####", "+82 2-####-####"],
        mailDomains: ["naver.com", "daum.net", "example.kr"]
    )

    static let english = Culture(
        givenNames: [
            .init(native: "John", ascii: "john"), .init(native: "Mary", ascii: "mary"), .init(native: "Robert", ascii: "robert"),
            .init(native: "Linda", ascii: "linda"), .init(native: "Michael", ascii: "michael"), .init(native: "Sarah", ascii: "sarah"),
            .init(native: "David", ascii: "david"), .init(native: "Emily", ascii: "emily"), .init(native: "Christopher", ascii: "christopher"),
            .init(native: "Elizabeth", ascii: "elizabeth"),
        ],
        familyNames: [
            .init(native: "Smith", ascii: "smith"), .init(native: "Johnson", ascii: "johnson"),
            .init(native: "Williams", ascii: "williams"), .init(native: "Brown", ascii: "brown"),
            .init(native: "O'Connor", ascii: "oconnor"), .init(native: "Miller", ascii: "miller"),
            .init(native: "Davis", ascii: "davis"), .init(native: "Wilson", ascii: "wilson"),
            .init(native: "Taylor", ascii: "taylor"), .init(native: "Anderson", ascii: "anderson"),
        ],
        order: .givenFirst,
        prefixes: ["Mr.", "Ms.", "Dr."],
        organizations: [
            "Acme Corporation;Research and Development", "Initech", "Globex, Inc.;Sales",
            "Springfield Nuclear Power Plant", "Stark Industries;Engineering",
        ],
        titles: ["Software Engineer", "Account Manager", "Chief Financial Officer", "Nurse Practitioner", "Teacher"],
        streets: ["1600 Amphitheatre Parkway", "221B Baker Street", "742 Evergreen Terrace", "350 Fifth Avenue, Suite 7",
                  "10 Downing Street"],
        cities: [("San Francisco", "CA", "94103"), ("New York", "NY", "10118"), ("London", "", "NW1 6XE"),
                 ("Austin", "TX", "78701"), ("Springfield", "IL", "62701")],
        country: "USA",
        phonePatterns: ["+1 415 555 ####", "+1 212 555 ####", "+44 20 7946 ####", "(555) 555-####"],
        mailDomains: ["gmail.com", "outlook.com", "example.com", "yahoo.com"]
    )

    /// Short notes; some are several lines, some contain commas and semicolons
    /// that must be escaped.
    static let notes: [String] = [
        "Met at the trade fair in Hannover.",
        "Prefers e-mail; please do not call before 10 am.",
        "Birthday present ideas: books, tea, jazz records.\nAllergic to nuts.",
        "Anruf zurück wegen Angebot, KW 14.",
        "Rappeler après les vacances d'été.\nDossier n° 2023-117.",
        "会议记录：下周二讨论合同。",
        "Kindergarten pick-up on Tuesdays and Thursdays.\nEmergency contact: see spouse.\nPIN for the gate is NOT stored here.",
        "Old number, may be out of date.",
        "Referred by Dr. Weiß, Charité Berlin.",
        "出張の件、来月以降に連絡。",
    ]
}
