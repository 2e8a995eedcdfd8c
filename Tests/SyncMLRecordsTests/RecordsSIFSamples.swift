import Foundation
@testable import SyncMLCodec
@testable import SyncMLRecords
import TestSupport
import Testing

// The SIF items the SIF tests read, as the Outlook plug-in sends them, with the
// same records written by hand as vCard and iCalendar, and the helpers on them.

extension RecordsSIFTests {
    // MARK: Samples, as the Outlook plug-in sends them (every field, most empty)

    static let contact = """
    <?xml version="1.0" encoding="UTF-8"?>
    <contact>
    <SIFVersion>1.1</SIFVersion>
    <Anniversary>1995-06-10</Anniversary>
    <AssistantName/>
    <AssistantTelephoneNumber/>
    <BillingInformation/>
    <Birthday>1970-01-02</Birthday>
    <Body>Met at the &lt;SyncML&gt; conference.&#13;
    Likes tea &amp; cake.</Body>
    <Business2TelephoneNumber/>
    <BusinessAddressCity>Berlin</BusinessAddressCity>
    <BusinessAddressCountry>Germany</BusinessAddressCountry>
    <BusinessAddressPostalCode>10115</BusinessAddressPostalCode>
    <BusinessAddressPostOfficeBox/>
    <BusinessAddressState/>
    <BusinessAddressStreet>Invalidenstraße 1</BusinessAddressStreet>
    <BusinessFaxNumber>+49 30 1234568</BusinessFaxNumber>
    <BusinessTelephoneNumber>+49 30 1234567</BusinessTelephoneNumber>
    <CallbackTelephoneNumber/>
    <CarTelephoneNumber/>
    <Categories>Business, VIP</Categories>
    <Children/>
    <CompanyMainTelephoneNumber/>
    <CompanyName>Example GmbH</CompanyName>
    <Department>R&amp;D</Department>
    <Email1Address>john.doe@example.com</Email1Address>
    <Email1AddressType>SMTP</Email1AddressType>
    <Email2Address>jd@home.example</Email2Address>
    <Email2AddressType>SMTP</Email2AddressType>
    <Email3Address/>
    <Email3AddressType/>
    <FileAs>Doe, John</FileAs>
    <FirstName>John</FirstName>
    <Gender>0</Gender>
    <Home2TelephoneNumber/>
    <HomeAddressCity>Potsdam</HomeAddressCity>
    <HomeAddressCountry>Germany</HomeAddressCountry>
    <HomeAddressPostalCode>14467</HomeAddressPostalCode>
    <HomeAddressPostOfficeBox/>
    <HomeAddressState>Brandenburg</HomeAddressState>
    <HomeAddressStreet>Am Kanal 5</HomeAddressStreet>
    <HomeFaxNumber/>
    <HomeTelephoneNumber>+49 331 555123</HomeTelephoneNumber>
    <HomeWebPage>http://john.example/</HomeWebPage>
    <Importance>1</Importance>
    <JobTitle>Engineer</JobTitle>
    <LastName>Doe</LastName>
    <MiddleName/>
    <MobileTelephoneNumber>+49 171 9876543</MobileTelephoneNumber>
    <NickName>Johnny</NickName>
    <OtherAddressCity/>
    <OtherAddressCountry/>
    <OtherAddressPostalCode/>
    <OtherAddressPostOfficeBox/>
    <OtherAddressState/>
    <OtherAddressStreet/>
    <OtherFaxNumber/>
    <OtherTelephoneNumber/>
    <PagerNumber/>
    <Photo/>
    <PrimaryTelephoneNumber/>
    <Sensitivity>0</Sensitivity>
    <Suffix>Jr.</Suffix>
    <Title>Dr.</Title>
    <WebPage>http://www.example.com/</WebPage>
    </contact>
    """

    static let contactVCard30 = """
    BEGIN:VCARD
    VERSION:3.0
    PRODID:-//Apple Inc.//iPhone OS 17.0//EN
    UID:6d5f1a2e-0000-4000-8000-000000000001
    N:Doe;John;;Dr.;Jr.
    FN:John Doe
    NICKNAME:Johnny
    ORG:Example GmbH;R&D
    TITLE:Engineer
    EMAIL;TYPE=INTERNET:john.doe@example.com
    EMAIL;TYPE=INTERNET:jd@home.example
    TEL;TYPE=WORK,VOICE:+49 30 1234567
    TEL;TYPE=WORK,FAX:+49-30-1234568
    TEL;TYPE=HOME,VOICE:+49 331 555123
    TEL;TYPE=CELL:+49 171 9876543
    ADR;TYPE=WORK:;;Invalidenstraße 1;Berlin;;10115;Germany
    ADR;TYPE=HOME:;;Am Kanal 5;Potsdam;Brandenburg;14467;Germany
    URL:http://www.example.com/
    URL;TYPE=HOME:http://john.example/
    BDAY:1970-01-02
    X-ANNIVERSARY:1995-06-10
    NOTE:Met at the <SyncML> conference.\\nLikes tea & cake.
    CATEGORIES:Business,VIP
    REV:2024-03-01T10:00:00Z
    END:VCARD

    """

    static let contactVCard21 = """
    BEGIN:VCARD
    VERSION:2.1
    N:Doe;John;;Dr.;Jr.
    NICKNAME:Johnny
    ORG:Example GmbH;R&D
    TITLE:Engineer
    EMAIL;INTERNET:john.doe@example.com
    EMAIL;INTERNET:jd@home.example
    TEL;WORK;VOICE:+49 30 1234567
    TEL;WORK;FAX:+49 30 1234568
    TEL;HOME:+49 331 555123
    TEL;CELL;VOICE:+49 171 9876543
    ADR;WORK;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Invalidenstra=DFe 1;Berlin;;10115;Germany
    ADR;HOME:;;Am Kanal 5;Potsdam;Brandenburg;14467;Germany
    URL:http://www.example.com/
    URL;HOME:http://john.example/
    BDAY:19700102
    X-ANNIVERSARY:1995-06-10
    NOTE;ENCODING=QUOTED-PRINTABLE:Met at the <SyncML> conference.=0D=0ALikes tea & cake.
    CATEGORIES:Business,VIP
    X-IRMC-LUID:000012
    END:VCARD

    """

    static let event = """
    <?xml version="1.0" encoding="UTF-8"?>
    <appointment>
    <SIFVersion>1.1</SIFVersion>
    <AllDayEvent>0</AllDayEvent>
    <BillingInformation/>
    <Body>Quarterly planning.&#13;
    Bring numbers.</Body>
    <BusyStatus>2</BusyStatus>
    <Categories>Business</Categories>
    <Companies/>
    <End>20240312T103000Z</End>
    <Importance>1</Importance>
    <IsRecurring>1</IsRecurring>
    <Location>Room 4</Location>
    <MeetingStatus>0</MeetingStatus>
    <Mileage/>
    <NoAging>0</NoAging>
    <ReminderMinutesBeforeStart>15</ReminderMinutesBeforeStart>
    <ReminderSet>1</ReminderSet>
    <ReminderSoundFile/>
    <ReplyTime/>
    <Sensitivity>0</Sensitivity>
    <Start>20240312T093000Z</Start>
    <Subject>Planning</Subject>
    <RecurrenceType>1</RecurrenceType>
    <Interval>1</Interval>
    <MonthOfYear>0</MonthOfYear>
    <DayOfMonth>0</DayOfMonth>
    <DayOfWeekMask>4</DayOfWeekMask>
    <Instance>0</Instance>
    <PatternStartDate>20240312T093000Z</PatternStartDate>
    <NoEndDate>0</NoEndDate>
    <PatternEndDate>20240604T093000Z</PatternEndDate>
    <Occurrences>13</Occurrences>
    <Exceptions><ExcludeDate>2024-03-26</ExcludeDate></Exceptions>
    </appointment>
    """

    static let eventICal = """
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN
    BEGIN:VEVENT
    UID:0f6b2a9e-planning
    DTSTAMP:20240301T080000Z
    CREATED:20240301T080000Z
    SEQUENCE:2
    SUMMARY:Planning
    DESCRIPTION:Quarterly planning.\\nBring numbers.
    LOCATION:Room 4
    CATEGORIES:Business
    DTSTART:20240312T093000Z
    DTEND:20240312T103000Z
    RRULE:FREQ=WEEKLY;COUNT=13;BYDAY=TU
    EXDATE:20240326T093000Z
    BEGIN:VALARM
    ACTION:DISPLAY
    TRIGGER:-PT15M
    DESCRIPTION:Reminder
    END:VALARM
    END:VEVENT
    END:VCALENDAR

    """

    /// The same appointment with Berlin local times (CET, +01:00 in March before the switch).
    static let eventICalZoned = """
    BEGIN:VCALENDAR
    VERSION:2.0
    BEGIN:VTIMEZONE
    TZID:Europe/Berlin
    BEGIN:DAYLIGHT
    TZOFFSETFROM:+0100
    TZOFFSETTO:+0200
    DTSTART:19700329T020000
    RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
    END:DAYLIGHT
    BEGIN:STANDARD
    TZOFFSETFROM:+0200
    TZOFFSETTO:+0100
    DTSTART:19701025T030000
    RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
    END:STANDARD
    END:VTIMEZONE
    BEGIN:VEVENT
    UID:planning-zoned
    SUMMARY:Planning
    DESCRIPTION:Quarterly planning.\\nBring numbers.
    LOCATION:Room 4
    CATEGORIES:Business
    DTSTART;TZID=Europe/Berlin:20240312T103000
    DTEND;TZID=Europe/Berlin:20240312T113000
    RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=13;WKST=MO
    EXDATE;TZID=Europe/Berlin:20240326T103000
    BEGIN:VALARM
    ACTION:DISPLAY
    TRIGGER:-PT15M
    DESCRIPTION:Reminder
    END:VALARM
    END:VEVENT
    END:VCALENDAR

    """

    static let allDayEvent = """
    <?xml version="1.0" encoding="UTF-8"?>
    <appointment><SIFVersion>1.1</SIFVersion><AllDayEvent>1</AllDayEvent><Body/><BusyStatus>0</BusyStatus>\
    <Categories>Holiday</Categories><End>2024-07-16</End><Importance>1</Importance><IsRecurring>0</IsRecurring>\
    <Location>Lisbon</Location><ReminderSet>0</ReminderSet><Sensitivity>2</Sensitivity><Start>2024-07-15</Start>\
    <Subject>Vacation</Subject></appointment>
    """

    static let allDayICal = """
    BEGIN:VCALENDAR
    VERSION:2.0
    BEGIN:VEVENT
    UID:vacation
    SUMMARY:Vacation
    LOCATION:Lisbon
    CATEGORIES:Holiday
    CLASS:PRIVATE
    TRANSP:TRANSPARENT
    DTSTART;VALUE=DATE:20240715
    DTEND;VALUE=DATE:20240717
    END:VEVENT
    END:VCALENDAR

    """

    static let task = """
    <?xml version="1.0" encoding="UTF-8"?>
    <task>
    <SIFVersion>1.1</SIFVersion>
    <ActualWork>0</ActualWork>
    <BillingInformation/>
    <Body>Send the report to Alice.</Body>
    <Categories>Work</Categories>
    <Companies/>
    <Complete>0</Complete>
    <DateCompleted/>
    <DueDate>2024-03-15</DueDate>
    <Importance>2</Importance>
    <IsRecurring>0</IsRecurring>
    <Mileage/>
    <PercentComplete>25</PercentComplete>
    <ReminderSet>1</ReminderSet>
    <ReminderTime>20240315T080000Z</ReminderTime>
    <Sensitivity>2</Sensitivity>
    <StartDate>2024-03-11</StartDate>
    <Status>1</Status>
    <Subject>Quarterly report</Subject>
    <TeamTask>0</TeamTask>
    <TotalWork>0</TotalWork>
    </task>
    """

    static let taskICal = """
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//Ximian//NONSGML Evolution Calendar//EN
    BEGIN:VTODO
    UID:report-task
    DTSTAMP:20240301T080000Z
    SUMMARY:Quarterly report
    DESCRIPTION:Send the report to Alice.
    CATEGORIES:Work
    DTSTART;VALUE=DATE:20240311
    DUE;VALUE=DATE:20240315
    STATUS:IN-PROCESS
    PERCENT-COMPLETE:25
    PRIORITY:1
    CLASS:PRIVATE
    BEGIN:VALARM
    ACTION:DISPLAY
    TRIGGER;VALUE=DATE-TIME:20240315T080000Z
    DESCRIPTION:Reminder
    END:VALARM
    END:VTODO
    END:VCALENDAR

    """

    static let note = """
    <?xml version="1.0" encoding="UTF-8"?>
    <note><SIFVersion>1.1</SIFVersion><Body>Buy milk&#13;
    and bread</Body><Categories/><Color>1</Color><Height>200</Height><Left>80</Left>\
    <Subject>Shopping</Subject><Top>80</Top><Width>200</Width></note>
    """

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func fingerprint(ofSIF text: String) throws -> Fingerprint {
        RecordSignature(try SIF.toVComponent(bytes(text))).fingerprint
    }

    static func fingerprint(of text: String) throws -> Fingerprint {
        try RecordSignature(parsing: bytes(text)).fingerprint
    }

    static func canonical(_ record: VComponent) -> String {
        CanonicalRecord(record).lines.joined(separator: "\n")
    }

    static func canonical(_ text: String) throws -> String {
        canonical(try VObjectParser.parse(bytes(text))[0])
    }
}
