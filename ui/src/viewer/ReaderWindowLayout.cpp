#include "ReaderWindow.h"

#include "innerear/io/VolumeIO.h"

#include <QAction>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QStatusBar>
#include <QVBoxLayout>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace innerear::ui
{

// The reading window's layout: its controls, shortcuts, the panes locked together and the
// layout choice (ReaderWindow.cpp holds the reading itself: cases, answers, the log).

void ReaderWindow::buildControls(QWidget* central, const QString& question)
{
    auto* layout = new QVBoxLayout(central);
    auto* controls = new QHBoxLayout;
    caseLabel_ = new QLabel(central);
    caseLabel_->setObjectName("case-label");
    QFont big = caseLabel_->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    caseLabel_->setFont(big);
    caseLabel_->setMinimumWidth(QFontMetrics(big).horizontalAdvance(tr("Case 9999 of 9999")));
    rightEarButton_ = new QPushButton(tr("Right ear (1)"), central);
    leftEarButton_ = new QPushButton(tr("Left ear (2)"), central);
    wholeButton_ = new QPushButton(tr("Whole scan (Home)"), central);
    rightEarButton_->setToolTip(tr("Centre both options on the patient's right labyrinth"));
    leftEarButton_->setToolTip(tr("Centre both options on the patient's left labyrinth"));
    connect(rightEarButton_, &QPushButton::clicked, this, [this] { goToEar(0); });
    connect(leftEarButton_, &QPushButton::clicked, this, [this] { goToEar(1); });
    connect(wholeButton_, &QPushButton::clicked, this, &ReaderWindow::showWholeScan);
    layoutBox_ = new QComboBox(central);
    layoutBox_->addItems({ tr("Three planes"), tr("Axial"), tr("Coronal"), tr("Sagittal") });
    layoutBox_->setFocusPolicy(Qt::ClickFocus);
    connect(layoutBox_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &ReaderWindow::setLayoutChoice);
    mipBox_ = new QCheckBox(tr("MIP"), central);
    mipBox_->setChecked(true);
    connect(mipBox_, &QCheckBox::toggled, &models_[0], &ViewerModel::setMip);
    connect(mipBox_, &QCheckBox::toggled, this, [this](bool on) { slabBox_->setEnabled(on); });
    slabBox_ = new QDoubleSpinBox(central);
    slabBox_->setRange(0.0, 300.0);
    slabBox_->setSingleStep(2.0);
    slabBox_->setSuffix(tr(" mm"));
    slabBox_->setSpecialValueText(tr("whole volume"));
    slabBox_->setFocusPolicy(Qt::ClickFocus);
    connect(slabBox_, qOverload<double>(&QDoubleSpinBox::valueChanged), &models_[0],
            &ViewerModel::setSlabMillimetres);
    overlayBox_ = new QCheckBox(tr("Overlay (L)"), central);
    overlayBox_->setChecked(true);
    outlineBox_ = new QCheckBox(tr("Outline (O)"), central);
    opacitySlider_ = new QSlider(Qt::Horizontal, central);
    opacitySlider_->setRange(10, 100);
    opacitySlider_->setValue(50);
    opacitySlider_->setMaximumWidth(120);
    opacitySlider_->setToolTip(tr("Overlay opacity"));
    auto applyOverlay = [this]
    {
        OverlayStyle style = models_[0].overlay();
        if (style.visible != overlayBox_->isChecked() || style.outline != outlineBox_->isChecked())
            ++log_.overlayToggles;
        style.visible = overlayBox_->isChecked();
        style.outline = outlineBox_->isChecked();
        style.opacity = opacitySlider_->value() / 100.0;
        models_[0].setOverlay(style); // locked: reaches B
    };
    connect(overlayBox_, &QCheckBox::toggled, this, applyOverlay);
    connect(outlineBox_, &QCheckBox::toggled, this, applyOverlay);
    connect(opacitySlider_, &QSlider::valueChanged, this, applyOverlay);
    auto* resetWindow = new QPushButton(tr("Reset window"), central);
    connect(resetWindow, &QPushButton::clicked, &models_[0], &ViewerModel::resetWindowLevel);
    controls->addWidget(caseLabel_);
    controls->addStretch(1);
    for (QWidget* w :
         std::initializer_list<QWidget*>{ rightEarButton_, leftEarButton_, wholeButton_ })
        controls->addWidget(w);
    controls->addSpacing(12);
    controls->addWidget(layoutBox_);
    controls->addWidget(mipBox_);
    controls->addWidget(new QLabel(tr("Slab"), central));
    controls->addWidget(slabBox_);
    controls->addWidget(overlayBox_);
    controls->addWidget(outlineBox_);
    controls->addWidget(opacitySlider_);
    controls->addWidget(resetWindow);
    layout->addLayout(controls);
    questionLabel_ = new QLabel(question, central);
    questionLabel_->setObjectName("question");
    questionLabel_->setWordWrap(true);
    questionLabel_->setFont(big);
    layout->addWidget(questionLabel_);

    // "A" and "B", not "Left" and "Right": those are the patient's sides in the views.
    const QString titles[2] = { tr("A"), tr("B") };
    QFont huge = big;
    huge.setPointSizeF(big.pointSizeF() * 1.8);
    for (int pane = 0; pane < 2; ++pane)
    {
        auto* row = new QHBoxLayout;
        paneTitles_[std::size_t(pane)] = new QLabel(titles[pane], central);
        paneTitles_[std::size_t(pane)]->setFont(huge);
        paneTitles_[std::size_t(pane)]->setAlignment(Qt::AlignCenter);
        paneTitles_[std::size_t(pane)]->setMinimumWidth(48);
        row->addWidget(paneTitles_[std::size_t(pane)]);
        for (Plane plane : { Plane::Axial, Plane::Coronal, Plane::Sagittal })
        {
            auto* view = new SliceView(&models_[pane], plane, central);
            view->setMinimumSize(240, 220);
            views_[std::size_t(pane)][std::size_t(plane)] = view;
            row->addWidget(view, 1);
        }
        layout->addLayout(row, 1);
    }

    auto* answers = new QHBoxLayout;
    backButton_ = new QPushButton(tr("Previous case"), central);
    aButton_ = new QPushButton(tr("A is better (A)"), central);
    noneButton_ = new QPushButton(tr("No preference (N)"), central);
    bButton_ = new QPushButton(tr("B is better (B)"), central);
    confirmButton_ = new QPushButton(tr("Confirm (Enter)"), central);
    confirmButton_->setObjectName("confirm");
    choiceGroup_ = new QButtonGroup(this);
    choiceGroup_->setExclusive(true);
    for (QPushButton* b : { aButton_, noneButton_, bButton_, confirmButton_ })
    {
        b->setMinimumHeight(44);
        b->setFont(big);
    }
    for (QPushButton* b : { aButton_, noneButton_, bButton_ })
    {
        b->setCheckable(true);
        choiceGroup_->addButton(b);
    }
    // A selected option is unmistakable; confirming is a second, deliberate step.
    const QString checkedStyle =
      "QPushButton:checked { background: #2b6cb0; color: white; border: 2px solid #ffd24a; }";
    for (QPushButton* b : { aButton_, noneButton_, bButton_ })
        b->setStyleSheet(checkedStyle);
    connect(aButton_, &QPushButton::clicked, this, [this] { select(study::Choice::Left); });
    connect(bButton_, &QPushButton::clicked, this, [this] { select(study::Choice::Right); });
    connect(noneButton_, &QPushButton::clicked, this,
            [this] { select(study::Choice::NoPreference); });
    connect(confirmButton_, &QPushButton::clicked, this, [this] { confirm(); });
    connect(backButton_, &QPushButton::clicked, this, &ReaderWindow::goBack);
    selectionLabel_ = new QLabel(central);
    selectionLabel_->setObjectName("selection");
    selectionLabel_->setMinimumWidth(
      QFontMetrics(selectionLabel_->font())
        .horizontalAdvance(tr("Selected: no preference — Enter confirms, or select again")));
    answers->addWidget(backButton_);
    answers->addStretch(1);
    answers->addWidget(aButton_);
    answers->addWidget(noneButton_);
    answers->addWidget(bButton_);
    answers->addSpacing(24);
    answers->addWidget(confirmButton_);
    answers->addSpacing(12);
    answers->addWidget(selectionLabel_);
    answers->addStretch(1);
    layout->addLayout(answers);
    auto* keys = new QLabel(tr("A / B select, Enter confirms · 1 / 2 right / left ear, Home whole "
                               "scan · wheel or ↑ ↓ slices, Ctrl+wheel zoom · L overlay, O "
                               "outline · right-drag window"),
                            central);
    keys->setObjectName("keys");
    layout->addWidget(keys);
    noneButton_->setVisible(study_.options.allowNoPreference);
    backButton_->setVisible(study_.options.allowGoingBack);
}

void ReaderWindow::buildShortcuts()
{
    keyActions_ = {
        { Qt::Key_A, [this] { select(study::Choice::Left); } },
        { Qt::Key_B, [this] { select(study::Choice::Right); } },
        { Qt::Key_N, [this] { select(study::Choice::NoPreference); } },
        { Qt::Key_Return, [this] { confirm(); } },
        { Qt::Key_Enter, [this] { confirm(); } },
        { Qt::Key_1, [this] { goToEar(0); } },
        { Qt::Key_2, [this] { goToEar(1); } },
        { Qt::Key_Home, [this] { showWholeScan(); } },
        { Qt::Key_L, [this] { overlayBox_->toggle(); } },
        { Qt::Key_O, [this] { outlineBox_->toggle(); } },
    };
    for (const auto& [key, run] : keyActions_)
    {
        auto* action = new QAction(this);
        action->setShortcut(QKeySequence(key));
        action->setAutoRepeat(false); // a held key is one key press
        connect(action, &QAction::triggered, this, run);
        addAction(action);
    }
}

void ReaderWindow::lockPanes()
{
    // Whatever changes in one pane is copied to the other; syncing_ stops the echo.
    for (int from = 0; from < 2; ++from)
    {
        ViewerModel* source = &models_[from];
        ViewerModel* target = &models_[1 - from];
        connect(source, &ViewerModel::cursorChanged, this,
                [this, source, target]
                {
                    if (syncing_)
                        return;
                    syncing_ = true;
                    target->setCursor(source->cursor());
                    syncing_ = false;
                });
        connect(source, &ViewerModel::displayChanged, this,
                [this, source, target]
                {
                    if (syncing_)
                        return;
                    syncing_ = true;
                    target->setMip(source->mip());
                    target->setSlabMillimetres(source->slabMillimetres());
                    target->setWindowLevel(source->windowLevel());
                    target->setOverlay(source->overlay());
                    mipBox_->setChecked(source->mip());
                    syncing_ = false;
                    noteDisplay();
                });
        for (auto signal : { &ViewerModel::cursorChanged, &ViewerModel::displayChanged,
                             &ViewerModel::labelsChanged })
            connect(source, signal, this, [this, from] { renderPane(from); });
        for (std::size_t plane = 0; plane < 3; ++plane)
        {
            SliceView* otherView = views_[std::size_t(1 - from)][plane];
            connect(views_[std::size_t(from)][plane], &SliceView::zoomPanChanged, otherView,
                    [this, otherView](double zoom, const QPointF& pan)
                    {
                        otherView->setZoomPan(zoom, pan);
                        log_.maxZoom = std::max(log_.maxZoom, zoom);
                    });
        }
    }
}

void ReaderWindow::setLayoutChoice(int index)
{
    // 0: the three planes side by side; 1-3: one plane, large.
    for (int pane = 0; pane < 2; ++pane)
        for (std::size_t plane = 0; plane < 3; ++plane)
            views_[std::size_t(pane)][plane]->setVisible(index == 0 || int(plane) == index - 1);
    const std::string name = layoutBox_->itemText(index).toLower().toStdString();
    if (caseOnScreen_ &&
        std::find(log_.layouts.begin(), log_.layouts.end(), name) == log_.layouts.end())
        log_.layouts.push_back(name);
    for (int pane = 0; pane < 2; ++pane)
        renderPane(pane);
}

void ReaderWindow::updateControls()
{
    const bool open = !finished() && caseOnScreen_;
    for (QPushButton* b :
         { aButton_, bButton_, noneButton_, rightEarButton_, leftEarButton_, wholeButton_ })
        b->setEnabled(open);
    rightEarButton_->setEnabled(open && ears_[0]);
    leftEarButton_->setEnabled(open && ears_[1]);
    confirmButton_->setEnabled(open && pending_.has_value());
    backButton_->setEnabled(position_ > 0);
    // The group is exclusive; clearing every button needs it off for a moment.
    choiceGroup_->setExclusive(false);
    aButton_->setChecked(pending_ == study::Choice::Left);
    bButton_->setChecked(pending_ == study::Choice::Right);
    noneButton_->setChecked(pending_ == study::Choice::NoPreference);
    choiceGroup_->setExclusive(true);
    if (!open)
        selectionLabel_->clear();
    else if (!pending_)
        selectionLabel_->setText(tr("Select A or B, then confirm"));
    else
        selectionLabel_->setText(tr("Selected: %1 — Enter confirms, or select again")
                                   .arg(*pending_ == study::Choice::Left    ? tr("A")
                                        : *pending_ == study::Choice::Right ? tr("B")
                                                                            : tr("no preference")));
}

} // namespace innerear::ui
