/// Dates and times for the generated calendars, counted in days and seconds
/// since 1970-01-01 (proleptic Gregorian; Foundation's calendars are not
/// needed for this and would tie the bytes to its time zone data).
struct CivilTime {
    var year: Int, month: Int, day: Int
    var hour = 0, minute = 0, second = 0

    /// The day `days` after 1970-01-01 (the era arithmetic of H. Hinnant's
    /// `civil_from_days`: 400-year eras of 146,097 days, years from March).
    init(days: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The instant `seconds` after 1970-01-01T00:00:00.
    init(seconds: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        self.init(days: days)
        let rest = seconds - days * 86_400
        hour = rest / 3_600
        minute = rest / 60 % 60
        second = rest % 60
    }

    /// 0 = Sunday … 6 = Saturday, for the day `days` after 1970-01-01 (a Thursday).
    static func weekday(days: Int) -> Int { ((days + 4) % 7 + 7) % 7 }

    static let weekdayCodes = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]

    /// `20250314`
    var date: String { String(year) + twoDigits(month) + twoDigits(day) }
    /// `20250314T093000` (local or floating)
    var local: String { date + "T" + twoDigits(hour) + twoDigits(minute) + twoDigits(second) }
    /// `20250314T093000Z`
    var utc: String { local + "Z" }
}
