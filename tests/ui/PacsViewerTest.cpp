// The viewer and a real PACS (Orthanc on loopback ports): File ▸ Open from PACS… finds the
// sample study, lists its series, retrieves it into the cache with progress and opens it (a
// second time from the cache); File ▸ Send to PACS… stores the shown mask as a DICOM SEG and its
// meshes as Encapsulated STL in the study; a server that does not answer and a malformed address
// are said in the dialog. Skipped only where Orthanc cannot run.
#include "MainWindow.h"
#include "OrthancServer.h"
#include "PacsDialog.h"
#include "VtkView.h"

#include "innerear/pacs/Client.h"

#include <QApplication>
#include <QDir>
#include <QStandardPaths>
#include <QtTest>

#include <memory>
#include <set>

using namespace innerear;

namespace
{
QString sample(const QString& name)
{
    return QString(INNEREAR_SOURCE_DIR) + "/resources/samples/inner-ear-demo/" + name;
}
const std::string studyUid = "1.2.826.0.1.3680043.2.1143.77.2026.1";
} // namespace

class PacsViewerTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // settings and cache apart from a user's
        QDir(ui::PacsDialog::cacheFolder()).removeRecursively();
        const QString why = orthanc_.start();
        if (!why.isEmpty())
            QSKIP(qPrintable(why));
        const pacs::StoreResult stored = pacs::store(
          pacs::parseServer(orthanc_.address().toStdString()), { sample("dicom").toStdString() });
        QCOMPARE(stored.stored, std::size_t(48));
    }

    void cleanupTestCase() { QDir(ui::PacsDialog::cacheFolder()).removeRecursively(); }

    void opensAStudyFromThePacs()
    {
        ui::PacsDialog dialog;
        dialog.show();
        dialog.setServer(orthanc_.address());
        pacs::StudyQuery query;
        query.patientId = "PHANTOM-2026";
        query.modality = "MR";
        dialog.setQuery(query);
        dialog.search();
        QTRY_COMPARE_WITH_TIMEOUT(dialog.studyCount(), 1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(dialog.seriesCount(), 1, 20000); // the only study is chosen
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.busy(), 20000);
        if (const char* folder = std::getenv("INNEREAR_SCREENSHOTS"))
            dialog.grab().save(QDir(folder).filePath("pacs-open.png"));
        dialog.retrieve();
        QTRY_COMPARE_WITH_TIMEOUT(dialog.result(), int(QDialog::Accepted), 60000);
        const QDir retrieved(dialog.retrievedFolder());
        QCOMPARE(retrieved.entryList(QDir::Files).size(), 48);
        QVERIFY(dialog.retrievedFolder().startsWith(ui::PacsDialog::cacheFolder()));
        QVERIFY(QDir(ui::PacsDialog::cacheFolder())
                  .entryList({ ".*partial*" }, QDir::Dirs | QDir::Hidden)
                  .isEmpty());

        ui::MainWindow window;
        window.setRemembersSession(false);
        QVERIFY(window.openStudy(dialog.retrievedFolder(), {}, false));
        QCOMPARE(window.model().volume().geometry().size, (Size3{ 200, 140, 48 }));

        // Again: from the cache, without a transfer.
        ui::PacsDialog again;
        again.setServer(orthanc_.address());
        again.setQuery(query);
        again.search();
        QTRY_COMPARE_WITH_TIMEOUT(again.seriesCount(), 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!again.busy(), 20000);
        again.retrieve();
        QCOMPARE(again.result(), int(QDialog::Accepted));
        QVERIFY2(again.status().contains("cache"), qPrintable(again.status()));
    }

    void sendsTheMaskBackAsSegmentationAndMeshes()
    {
        ui::MainWindow window;
        window.setRemembersSession(false);
        window.resize(1000, 700);
        window.show();
        QVERIFY(window.openStudy(sample("dicom"), {}, false));
        QVERIFY(window.loadMask(sample("labels.nii.gz")));
        QVERIFY2(window.sendToPacs(orthanc_.address()), qPrintable(window.lastError()));
        std::multiset<std::string> modalities;
        for (const pacs::SeriesMatch& series :
             pacs::findSeries(pacs::parseServer(orthanc_.address().toStdString()), studyUid))
            modalities.insert(series.modality);
        QCOMPARE(modalities.count("MR"), std::size_t(1));
        QCOMPARE(modalities.count("SEG"), std::size_t(1));
        QCOMPARE(modalities.count("M3D"), std::size_t(1)); // both ears' meshes in one series
    }

    void aServerThatDoesNotAnswerIsSaid()
    {
        ui::PacsDialog dialog;
        dialog.setServer(QString("dicom://ORTHANC@127.0.0.1:%1").arg(orthanc_.dicomPort() + 2));
        dialog.search();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.busy(), 30000);
        QVERIFY2(dialog.status().contains("no connection"), qPrintable(dialog.status()));
        QCOMPARE(dialog.studyCount(), 0);
        dialog.setServer("dicom://ORTHANC@127.0.0.1");
        dialog.search();
        QVERIFY2(dialog.status().contains("port"), qPrintable(dialog.status()));
        QVERIFY(!dialog.busy());
    }

private:
    test::OrthancServer orthanc_;
};

int main(int argc, char** argv)
{
    innerear::ui::VtkView::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    PacsViewerTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "PacsViewerTest.moc"
