// Small core utilities the engine relies on: SHA-256, JSON, staged progress and cancellation.
#include "innerear/core/Csv.h"
#include "innerear/core/Json.h"
#include "innerear/core/Progress.h"
#include "innerear/core/Sha256.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace innerear;

class FoundationsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sha256KnownVectors();
    void sha256OfAFile();
    void jsonRoundTrip();
    void jsonErrorsSayWhereAndWhat_data();
    void jsonErrorsSayWhereAndWhat();
    void stagedProgressWeightsTheStages();
    void cancellationStopsAtTheNextCheck();
    void csvFieldsAreQuotedAndNeverFormulas();
    void csvTablesReadWhatCsvFieldWrites();
};

void FoundationsTest::sha256KnownVectors()
{
    // FIPS 180-4 examples.
    QCOMPARE(QString::fromStdString(sha256("abc")),
             QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(QString::fromStdString(sha256("")),
             QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(
      QString::fromStdString(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      QStringLiteral("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    QCOMPARE(QString::fromStdString(sha256(std::string(1000000, 'a'))),
             QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

void FoundationsTest::sha256OfAFile()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("f.bin").toStdString();
    std::ofstream(path, std::ios::binary) << std::string(200000, 'x');
    QCOMPARE(sha256File(path), sha256(std::string(200000, 'x')));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, sha256File(dir.filePath("missing").toStdString()));
}

void FoundationsTest::jsonRoundTrip()
{
    const std::string text = R"({"name": "attention-unet-3d", "depth": 4, "scale": -1.5e-3,
        "flags": [true, false, null], "nested": {"text": "a \"quoted\" \u00e9\n"}})";
    const Json json = parseJson(text);
    QCOMPARE(json.at("depth").get<double>(), 4.0);
    QCOMPARE(json.at("scale").get<double>(), -1.5e-3);
    QCOMPARE(jsonArray(json.at("flags")).size(), std::size_t(3));
    QVERIFY(jsonArray(json.at("flags"))[2].is_null());
    QCOMPARE(QString::fromStdString(json.at("nested").at("text").get<std::string>()),
             QString("a \"quoted\" é\n"));
    const Json again = parseJson(dumpJson(json));
    QCOMPARE(dumpJson(again, 0), dumpJson(json, 0));
    // nlohmann-json's own errors: std::exception (readers catch that), naming the key or type.
    QVERIFY_THROWS_EXCEPTION(std::exception, json.at("missing"));
    QVERIFY_THROWS_EXCEPTION(std::exception, json.at("depth").get<std::string>());
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, jsonArray(json.at("nested")));
    // A string that is not UTF-8 (a foreign file name) is still written, never thrown on.
    Json name = Json::object();
    name["file"] = std::string("case\xff.nii");
    QVERIFY(QString::fromStdString(dumpJson(name, 0)).contains("case"));
}

void FoundationsTest::jsonErrorsSayWhereAndWhat_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("messagePart");
    // nlohmann-json's wording after "JSON: ", with the byte offset added by parseJson.
    QTest::newRow("truncated") << "{\"a\": [1, 2"
                               << "expected ']'";
    QTest::newRow("trailing") << "{} x"
                              << "expected end of input";
    QTest::newRow("bad literal") << "{\"a\": tru}"
                                 << "invalid literal";
    QTest::newRow("unterminated string") << "\"abc"
                                         << "missing closing quote";
    QTest::newRow("empty") << ""
                           << "unexpected end";
    // What the hand-written parser it replaced accepted or threw past its callers.
    QTest::newRow("plus sign") << "{\"a\": +1}"
                               << "syntax error";
    QTest::newRow("leading zero") << "{\"a\": 01}"
                                  << "syntax error";
    QTest::newRow("bare fraction") << "{\"a\": .5}"
                                   << "syntax error";
    QTest::newRow("bad \\u escape") << "{\"a\": \"\\u12G4\"}"
                                    << "\\u";
    QTest::newRow("lone surrogate") << "{\"a\": \"\\ud800\"}"
                                    << "surrogate";
}

void FoundationsTest::jsonErrorsSayWhereAndWhat()
{
    QFETCH(QString, text);
    QFETCH(QString, messagePart);
    try
    {
        parseJson(text.toStdString());
        QFAIL("malformed JSON accepted");
    }
    catch (const std::runtime_error& e)
    {
        QVERIFY2(QString(e.what()).contains(messagePart), e.what());
        QVERIFY(QString(e.what()).startsWith("JSON: "));
        QVERIFY(QString(e.what()).contains("offset"));
    }
}

namespace
{
struct Recorder : ProgressSink
{
    std::vector<std::pair<double, std::string>> reports;
    CancelToken* cancelAfterFirst = nullptr;
    void report(double fraction, const std::string& stage) override
    {
        reports.push_back({ fraction, stage });
        if (cancelAfterFirst)
            cancelAfterFirst->cancel();
    }
};
} // namespace

void FoundationsTest::stagedProgressWeightsTheStages()
{
    Recorder sink;
    StagedProgress progress({ { "load", 1 }, { "infer", 3 } }, &sink);
    progress.begin("load");
    progress.update(1.0);
    QCOMPARE(progress.fraction(), 0.25);
    progress.begin("infer");
    progress.update(0.5);
    QCOMPARE(progress.fraction(), 0.25 + 0.5 * 0.75);
    QCOMPARE(QString::fromStdString(sink.reports.back().second), QStringLiteral("infer"));
    progress.finish();
    QCOMPARE(sink.reports.back().first, 1.0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, progress.begin("unknown"));
}

void FoundationsTest::cancellationStopsAtTheNextCheck()
{
    CancelToken token;
    Recorder sink;
    sink.cancelAfterFirst = &token;
    StagedProgress progress({ { "work", 1 } }, &sink, &token);
    progress.begin("work"); // reports once, then the sink cancels
    QVERIFY_THROWS_EXCEPTION(Cancelled, progress.update(0.5));
}

void FoundationsTest::csvFieldsAreQuotedAndNeverFormulas()
{
    QCOMPARE(csvField("case-01"), std::string("case-01"));
    QCOMPARE(csvField("a,b"), std::string("\"a,b\""));
    QCOMPARE(csvField("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
    QCOMPARE(csvField("two\nlines"), std::string("\"two\nlines\""));
    // Spreadsheets run these as formulas: an apostrophe keeps them text.
    QCOMPARE(csvField("=HYPERLINK(\"x\")"), std::string("\"'=HYPERLINK(\"\"x\"\")\""));
    QCOMPARE(csvField("+1"), std::string("\"'+1\""));
    QCOMPARE(csvField("@sum"), std::string("\"'@sum\""));
    QCOMPARE(csvField(""), std::string(""));
}

void FoundationsTest::csvTablesReadWhatCsvFieldWrites()
{
    // Names that need quoting, written by csvField, read back as they were; CRLF, spaces around
    // unquoted fields, blank lines and a missing last newline as files come.
    const std::vector<std::string> names{ "case 01", "a,b", "say \"hi\"", "two\nlines", "" };
    std::string text = "pred , ref,group\r\n\r\n";
    for (const std::string& name : names)
        text += csvField(name) + ", " + csvField("ref/" + name) + " ,g1\r\n";
    text += "last.nii,last-ref.nii,g2";
    const CsvTable table = parseCsv(text);
    QCOMPARE(table.header, (std::vector<std::string>{ "pred", "ref", "group" }));
    QCOMPARE(table.column("ref"), 1);
    QCOMPARE(table.column("centre"), -1);
    QCOMPARE(table.rows.size(), names.size() + 1);
    for (std::size_t r = 0; r < names.size(); ++r)
    {
        QCOMPARE(table.rows[r][0], names[r]);
        QCOMPARE(table.rows[r][1], "ref/" + names[r]);
        QCOMPARE(table.rows[r][2], std::string("g1"));
    }
    QCOMPARE(table.rows.back(), (std::vector<std::string>{ "last.nii", "last-ref.nii", "g2" }));
    QCOMPARE(table.lines.front(), 3); // after the header and a blank line
    QCOMPARE(table.lines.back(), 10); // quoted line breaks (two in one record) count as lines
    // Broken quoting is refused with the line, never read as something else.
    for (const char* bad : { "a,b\n\"open,c\n", "a,b\n\"x\"y,c\n" })
    {
        try
        {
            parseCsv(bad);
            QFAIL(bad);
        }
        catch (const std::runtime_error& e)
        {
            QVERIFY2(QString(e.what()).startsWith("line 2: "), e.what());
        }
    }
}

QTEST_APPLESS_MAIN(FoundationsTest)
#include "FoundationsTest.moc"
