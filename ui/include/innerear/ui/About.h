#pragma once

#include <QString>

class QWidget;

namespace innerear::ui
{

/// The About box text: what InnerEar is, its version, and that it is research software, not a
/// medical device.
QString aboutText();
void showAboutDialog(QWidget* parent);

} // namespace innerear::ui
