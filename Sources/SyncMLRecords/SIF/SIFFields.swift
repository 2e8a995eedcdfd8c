import SyncMLCodec

/// Pieces shared by the SIF conversions: fields without a vCard/iCalendar
/// counterpart kept as `X-SIF-…` properties, dates, text.
enum SIFFields {
    /// Outlook field names the plug-ins send, so that an `X-SIF-SPOUSE` property
    /// (property names are upper-cased) is written back as `<Spouse>`. A name not in
    /// this list keeps its case in an `X-SIF-NAME` parameter.
    static let knownNames: [String: String] = {
        let names = [
            // SIF-C
            "Anniversary", "AssistantName", "AssistantTelephoneNumber", "BillingInformation", "Birthday", "Body",
            "Business2TelephoneNumber", "BusinessAddressCity", "BusinessAddressCountry", "BusinessAddressPostalCode",
            "BusinessAddressPostOfficeBox", "BusinessAddressState", "BusinessAddressStreet", "BusinessFaxNumber",
            "BusinessTelephoneNumber", "BusinessWebPage", "CallbackTelephoneNumber", "CarTelephoneNumber", "Categories",
            "Children", "Companies", "CompanyMainTelephoneNumber", "CompanyName", "ComputerNetworkName", "Department",
            "Email1Address", "Email1AddressType", "Email2Address", "Email2AddressType", "Email3Address",
            "Email3AddressType", "FileAs", "FirstName", "Folder", "Gender", "Hobby", "Home2TelephoneNumber",
            "HomeAddressCity", "HomeAddressCountry", "HomeAddressPostalCode", "HomeAddressPostOfficeBox",
            "HomeAddressState", "HomeAddressStreet", "HomeFaxNumber", "HomeTelephoneNumber", "HomeWebPage",
            "IMAddress", "Importance", "Initials", "InternetFreeBusyAddress", "ISDNNumber", "JobTitle", "Language",
            "LastName", "ManagerName", "MiddleName", "Mileage", "MobileTelephoneNumber", "NickName", "OfficeLocation",
            "OrganizationalIDNumber", "OtherAddressCity", "OtherAddressCountry", "OtherAddressPostalCode",
            "OtherAddressPostOfficeBox", "OtherAddressState", "OtherAddressStreet", "OtherFaxNumber",
            "OtherTelephoneNumber", "PagerNumber", "Photo", "PrimaryTelephoneNumber", "Private", "Profession",
            "RadioTelephoneNumber", "Sensitivity", "Spouse", "Subject", "Suffix", "TelexNumber", "Title",
            "TTYTDDTelephoneNumber", "User1", "User2", "User3", "User4", "WebPage", "YomiCompanyName",
            "YomiFirstName", "YomiLastName",
            // SIF-E and SIF-T
            "AllDayEvent", "BusyStatus", "DayOfMonth", "DayOfWeekMask", "Duration", "End", "Exceptions",
            "ExcludeDate", "IncludeDate", "Instance", "Interval", "IsRecurring", "Location", "MeetingStatus",
            "MonthOfYear", "NoAging", "NoEndDate", "Occurrences", "PatternEndDate", "PatternStartDate",
            "RecurrenceType", "ReminderMinutesBeforeStart", "ReminderOptions", "ReminderSet", "ReminderSoundFile",
            "ReplyTime", "Start", "Timezone", "DayLight", "BiasMinutes", "StandardBias", "DaylightBias",
            "ActualWork", "Complete", "DateCompleted", "DueDate", "PercentComplete", "ReminderTime", "StartDate",
            "Status", "TeamTask", "TotalWork", "Owner", "Role", "SchedulePlusPriority",
            // SIF-N
            "Color", "Height", "Width", "Left", "Top",
        ]
        return Dictionary(names.map { ($0.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }()

    static let prefix = "X-SIF-"

    /// A field the mapping has no place for, as `X-SIF-<NAME>`. A group (`<Timezone>`)
    /// holds its children as SIF XML text, marked `VALUE=X-SIF-XML`.
    static func property(for field: SIFField) -> VProperty? {
        let upper = field.name.uppercased()
        var parameters: [VParameter] = []
        if knownNames[upper] != field.name { parameters.append(VParameter("X-SIF-NAME", field.name)) }
        if field.children.isEmpty {
            guard !field.value.isEmpty else { return nil }
            return VProperty(name: prefix + upper, parameters: parameters, value: VText.escape(field.value))
        }
        var xml: [UInt8] = []
        for child in field.children { SIF.append(child, to: &xml) }
        parameters.append(VParameter("VALUE", "X-SIF-XML"))
        return VProperty(name: prefix + upper, parameters: parameters, value: VText.escape(String(decoding: xml, as: UTF8.self)))
    }

    /// The SIF field an `X-SIF-…` property stands for, or nil (not such a property,
    /// or a name that cannot be an element name).
    static func field(for property: VProperty) -> SIFField? {
        guard property.name.hasPrefix(prefix) else { return nil }
        let upper = String(property.name.dropFirst(prefix.count))
        let name = property.parameterValues("X-SIF-NAME").first ?? knownNames[upper] ?? upper
        guard SIF.isElementName(name), name.uppercased() == upper else { return nil }
        let text = property.text
        if property.parameterValues("VALUE").contains(where: { $0.uppercased() == "X-SIF-XML" }) {
            // Children of a group: read back through the parser under a dummy root.
            let document = Array("<note>\(text)</note>".utf8)
            guard let item = try? SIF.parse(document) else { return nil }
            return SIFField(name, "", children: item.fields)
        }
        return SIFField(name, text)
    }

    // MARK: Dates

    /// A SIF date or date-time in compact form: `2007-07-12` → `20070712`,
    /// `2007-07-12T10:00:00Z` → `20070712T100000Z`. Nil if it is neither, or is
    /// Outlook's "none" date (4501-01-01).
    static func compactDate(_ raw: String) -> String? {
        let text = String(raw.trimmingASCIIWhitespace().filter { $0 != "-" && $0 != ":" }).uppercased()
        guard DateTime.seconds(text) != nil, text.count == 8 || text.count == 15 || (text.count == 16 && text.hasSuffix("Z")) else {
            return nil
        }
        if text.hasPrefix("4501") { return nil }
        return text
    }

    /// `20070712` → `2007-07-12` (how the plug-ins write dates).
    static func dashedDate(_ compact: String) -> String {
        let digits = Array(compact.prefix(8))
        guard digits.count == 8 else { return compact }
        return String(digits[0..<4]) + "-" + String(digits[4..<6]) + "-" + String(digits[6..<8])
    }

    /// A compact date `days` days later.
    static func addDays(_ compact: String, _ days: Int) -> String {
        guard let seconds = DateTime.seconds(String(compact.prefix(8))) else { return compact }
        return String(DateTime.format(seconds + days * 86400).prefix(8))
    }

    // MARK: Text

    /// Line breaks as Outlook stores them (CR LF).
    static func windowsLineBreaks(_ text: String) -> String {
        var out = ""
        var previousCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", !previousCR { out += "\r\n" } else { out.unicodeScalars.append(scalar) }
            previousCR = scalar == "\r"
        }
        return out
    }

    /// Outlook's category list (`Business, Personal`; some locales use `;`).
    static func categories(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" })
            .map { String($0).trimmingASCIIWhitespace() }
            .filter { !$0.isEmpty }
    }

    /// A text property (value escaped).
    static func text(_ name: String, _ value: String, _ parameters: [VParameter] = []) -> VProperty {
        VProperty(name: name, parameters: parameters, value: VText.escape(value))
    }

    /// All values of a structured or list property, unescaped (`CATEGORIES:a,b` → `[a, b]`).
    static func list(_ property: VProperty) -> [String] {
        property.components.flatMap { $0 }.map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
    }

    /// `TYPE` values upper-cased (also vCard 2.1 bare types, which the parser makes `TYPE`).
    static func types(_ property: VProperty) -> Set<String> {
        Set(property.parameterValues("TYPE").flatMap { $0.split(separator: ",") }.map { String($0).trimmingASCIIWhitespace().uppercased() })
    }
}
