#include "innerear/ui/About.h"

#include <QMessageBox>

namespace innerear::ui
{

QString aboutText()
{
    return QStringLiteral(
             "<h3>InnerEar %1</h3>"
             "<p>MRI inner-ear viewer and automatic segmentation of the labyrinth (cochlea, "
             "vestibule, semicircular canals) on T2-weighted MRI.</p>"
             "<p><b>Research software, not a medical device.</b> It is not approved for "
             "diagnosis, treatment or surgical planning of any patient.</p>"
             "<p><b>The shipped segmentation models were trained on synthetic data only</b> "
             "(the project's own generator) and have not been validated on patient scans. "
             "Each result carries a verdict per ear (ok, check, not found).</p>"
             "<p>Built with Qt, VTK, ITK, GDCM and LibTorch.</p>")
      .arg(QStringLiteral(INNEREAR_VERSION));
}

void showAboutDialog(QWidget* parent)
{
    QMessageBox::about(parent, QStringLiteral("About InnerEar"), aboutText());
}

} // namespace innerear::ui
