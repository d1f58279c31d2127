#include "innerear/ui/About.h"

#include <QApplication>
#include <QMessageBox>
#include <QTimer>
#include <QtTest>

class AboutTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statesThatItIsNotAMedicalDevice();
    void dialogShowsTheText();
};

void AboutTest::statesThatItIsNotAMedicalDevice()
{
    const QString text = innerear::ui::aboutText();
    QVERIFY(text.contains("not a medical device"));
    QVERIFY(text.contains("trained on synthetic data only"));
    QVERIFY2(text.contains("InnerEar " INNEREAR_VERSION), qPrintable(text));
}

void AboutTest::dialogShowsTheText()
{
    // Close the modal box as soon as it is up, and check what it showed.
    QString shown;
    QTimer::singleShot(0,
                       [&]
                       {
                           for (QWidget* widget : QApplication::topLevelWidgets())
                               if (auto* box = qobject_cast<QMessageBox*>(widget))
                               {
                                   shown = box->text();
                                   box->accept();
                               }
                       });
    innerear::ui::showAboutDialog(nullptr);
    QVERIFY(shown.contains("Research software"));
}

QTEST_MAIN(AboutTest)
#include "AboutTest.moc"
