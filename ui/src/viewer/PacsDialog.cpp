#include "PacsDialog.h"

#include "innerear/pacs/PacsError.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

namespace innerear::ui
{

namespace
{

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

QString count(int value)
{
    return value < 0 ? QStringLiteral("?") : QString::number(value);
}

QString readableDate(const std::string& date)
{
    if (date.size() != 8)
        return fromStd(date);
    return fromStd(date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2));
}

void fillRow(QTableWidget* table, int row, const QStringList& cells)
{
    for (int column = 0; column < cells.size(); ++column)
        table->setItem(row, column, new QTableWidgetItem(cells[column]));
}

QTableWidget* makeTable(const QStringList& headers, QWidget* parent)
{
    auto* table = new QTableWidget(0, int(headers.size()), parent);
    table->setHorizontalHeaderLabels(headers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    return table;
}

} // namespace

PacsSettings PacsSettings::load()
{
    QSettings settings;
    PacsSettings pacs;
    pacs.servers = settings.value("pacs/servers").toStringList();
    pacs.callingAe = settings.value("pacs/callingAe", pacs.callingAe).toString();
    pacs.movePort = settings.value("pacs/movePort", 0).toInt();
    return pacs;
}

void PacsSettings::remember(const QString& server) const
{
    QStringList ordered = servers;
    ordered.removeAll(server);
    ordered.prepend(server);
    while (ordered.size() > 10)
        ordered.removeLast();
    QSettings settings;
    settings.setValue("pacs/servers", ordered);
    settings.setValue("pacs/callingAe", callingAe);
    settings.setValue("pacs/movePort", movePort);
}

PacsDialog::PacsDialog(QWidget* parent)
  : QDialog(parent)
  , cancelled_(std::make_shared<std::atomic<bool>>(false))
{
    setWindowTitle(tr("Open from PACS"));
    const PacsSettings settings = PacsSettings::load();
    server_ = new QComboBox(this);
    server_->setEditable(true);
    server_->addItems(settings.servers);
    server_->setToolTip(tr("The server as dicom://CALLED_AE@host:port; it must know this "
                           "program's AE title and host"));
    server_->lineEdit()->setPlaceholderText("dicom://ORTHANC@pacs.example:4242");
    callingAe_ = new QLineEdit(settings.callingAe, this);
    callingAe_->setToolTip(tr("This program's AE title, as the server knows it"));
    movePort_ = new QSpinBox(this);
    movePort_->setRange(0, 65535);
    movePort_->setValue(settings.movePort);
    movePort_->setSpecialValueText(tr("none (retrieve by C-GET)"));
    movePort_->setToolTip(tr("Retrieve by C-MOVE to a listener of ours on this port, for servers "
                             "without C-GET (the server must know the calling AE title at this "
                             "host and port)"));
    patientName_ = new QLineEdit(this);
    patientName_->setPlaceholderText(tr("e.g. DOE^J* (wildcards * and ?)"));
    patientId_ = new QLineEdit(this);
    date_ = new QLineEdit(this);
    date_->setPlaceholderText(tr("YYYYMMDD or YYYYMMDD-YYYYMMDD"));
    modality_ = new QLineEdit(QStringLiteral("MR"), this);
    description_ = new QLineEdit(this);

    auto* form = new QFormLayout;
    form->addRow(tr("Server"), server_);
    form->addRow(tr("Calling AE title"), callingAe_);
    form->addRow(tr("C-MOVE port"), movePort_);
    form->addRow(tr("Patient name"), patientName_);
    form->addRow(tr("Patient ID"), patientId_);
    form->addRow(tr("Study date"), date_);
    form->addRow(tr("Modality"), modality_);
    form->addRow(tr("Description"), description_);

    studies_ = makeTable({ tr("Patient"), tr("ID"), tr("Date"), tr("Modalities"), tr("Series"),
                           tr("Images"), tr("Description") },
                         this);
    series_ = makeTable({ tr("No."), tr("Modality"), tr("Images"), tr("Description") }, this);
    series_->setToolTip(tr("Choose a series to retrieve only it, or none for the whole study"));
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 100);
    progress_->setValue(0);
    status_ = new QLabel(tr("Search a server for studies."), this);
    status_->setWordWrap(true);

    searchButton_ = new QPushButton(tr("&Search"), this);
    searchButton_->setDefault(true);
    retrieveButton_ = new QPushButton(tr("&Retrieve and open"), this);
    retrieveButton_->setEnabled(false);
    retrieveButton_->setToolTip(tr("Retrieve the chosen study (or series) into the local cache "
                                   "and open it"));
    cancelButton_ = new QPushButton(tr("Cancel retrieve"), this);
    cancelButton_->setEnabled(false);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(searchButton_);
    buttons->addWidget(retrieveButton_);
    buttons->addWidget(cancelButton_);
    buttons->addStretch(1);
    buttons->addWidget(close);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Studies"), this));
    layout->addWidget(studies_, 3);
    layout->addWidget(new QLabel(tr("Series of the chosen study"), this));
    layout->addWidget(series_, 2);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    layout->addLayout(buttons);
    resize(820, 620);

    connect(searchButton_, &QPushButton::clicked, this, &PacsDialog::search);
    connect(retrieveButton_, &QPushButton::clicked, this, &PacsDialog::retrieve);
    connect(cancelButton_, &QPushButton::clicked, this, &PacsDialog::cancel);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(studies_, &QTableWidget::itemSelectionChanged, this,
            [this]
            {
                const auto rows = studies_->selectionModel()->selectedRows();
                if (!rows.isEmpty() && !busy_)
                    chooseStudy(rows.first().row());
            });
}

PacsDialog::~PacsDialog()
{
    // A retrieve still running is cancelled; its thread is waited for (it cleans up after itself).
    cancelled_->store(true);
    for (QThread* thread : findChildren<QThread*>())
        thread->wait();
}

QString PacsDialog::cacheFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath("pacs");
}

void PacsDialog::setServer(const QString& server)
{
    server_->setCurrentText(server);
}

void PacsDialog::setQuery(const pacs::StudyQuery& query)
{
    patientName_->setText(fromStd(query.patientName));
    patientId_->setText(fromStd(query.patientId));
    date_->setText(fromStd(query.studyDate));
    modality_->setText(fromStd(query.modality));
    description_->setText(fromStd(query.studyDescription));
}

int PacsDialog::studyCount() const
{
    return int(studyMatches_.size());
}
int PacsDialog::seriesCount() const
{
    return int(seriesMatches_.size());
}
QString PacsDialog::status() const
{
    return status_->text();
}

void PacsDialog::runInBackground(std::function<void()> work,
                                 std::function<void(const QString&)> done)
{
    auto error = std::make_shared<QString>();
    QThread* thread = QThread::create(
      [work = std::move(work), error]
      {
          try
          {
              work();
          }
          catch (const std::exception& e)
          {
              *error = QString::fromStdString(e.what());
          }
      });
    thread->setParent(this);
    connect(thread, &QThread::finished, this,
            [thread, error, done = std::move(done)]
            {
                done(*error);
                thread->deleteLater();
            });
    thread->start();
}

bool PacsDialog::currentServer(pacs::ServerAddress& server, pacs::ClientOptions& client)
{
    try
    {
        server = pacs::parseServer(server_->currentText().trimmed().toStdString());
    }
    catch (const pacs::PacsError& e)
    {
        status_->setText(QString::fromStdString(e.what()));
        return false;
    }
    client.callingAe = callingAe_->text().trimmed().toStdString();
    if (client.callingAe.empty())
        client.callingAe = "INNEREAR";
    client.timeoutSeconds = 20;
    client.movePort = static_cast<std::uint16_t>(movePort_->value());
    return true;
}

void PacsDialog::setBusy(bool busy, const QString& status)
{
    busy_ = busy;
    searchButton_->setEnabled(!busy);
    retrieveButton_->setEnabled(!busy && studies_->currentRow() >= 0 && !studyMatches_.empty());
    cancelButton_->setEnabled(false); // a retrieve enables it (a query cannot be cancelled)
    status_->setText(status);
}

void PacsDialog::search()
{
    pacs::ServerAddress server;
    pacs::ClientOptions client;
    if (busy_ || !currentServer(server, client))
        return;
    pacs::StudyQuery query;
    query.patientName = patientName_->text().trimmed().toStdString();
    query.patientId = patientId_->text().trimmed().toStdString();
    query.studyDate = date_->text().trimmed().toStdString();
    query.modality = modality_->text().trimmed().toStdString();
    query.studyDescription = description_->text().trimmed().toStdString();
    auto found = std::make_shared<std::vector<pacs::StudyMatch>>();
    setBusy(true, tr("Searching %1…").arg(fromStd(server.text())));
    const QString serverText = server_->currentText().trimmed();
    const QString callingAe = callingAe_->text().trimmed();
    const int movePort = movePort_->value();
    runInBackground(
      [=] { *found = pacs::findStudies(server, query, client); },
      [this, found, serverText, callingAe, movePort](const QString& error)
      {
          studyMatches_ = error.isEmpty() ? *found : std::vector<pacs::StudyMatch>{};
          seriesMatches_.clear();
          series_->setRowCount(0);
          studies_->setRowCount(int(studyMatches_.size()));
          for (int row = 0; row < int(studyMatches_.size()); ++row)
          {
              const pacs::StudyMatch& s = studyMatches_[std::size_t(row)];
              fillRow(studies_, row,
                      { fromStd(s.patientName), fromStd(s.patientId), readableDate(s.studyDate),
                        fromStd(s.modalities), count(s.seriesCount), count(s.imageCount),
                        fromStd(s.studyDescription) });
          }
          studies_->resizeColumnsToContents();
          if (error.isEmpty())
          {
              PacsSettings settings = PacsSettings::load();
              settings.callingAe = callingAe;
              settings.movePort = movePort;
              settings.remember(serverText);
          }
          setBusy(false, error.isEmpty() ? tr("%n stud(ies) found.", "", int(studyMatches_.size()))
                                         : error);
          if (studyMatches_.size() == 1)
              studies_->selectRow(0);
      });
}

void PacsDialog::chooseStudy(int row)
{
    pacs::ServerAddress server;
    pacs::ClientOptions client;
    if (busy_ || row < 0 || row >= int(studyMatches_.size()) || !currentServer(server, client))
        return;
    studies_->setCurrentCell(row, 0);
    const std::string uid = studyMatches_[std::size_t(row)].studyInstanceUid;
    auto found = std::make_shared<std::vector<pacs::SeriesMatch>>();
    setBusy(true, tr("Listing the study's series…"));
    runInBackground(
      [=] { *found = pacs::findSeries(server, uid, client); },
      [this, found](const QString& error)
      {
          seriesMatches_ = error.isEmpty() ? *found : std::vector<pacs::SeriesMatch>{};
          series_->setRowCount(int(seriesMatches_.size()));
          for (int r = 0; r < int(seriesMatches_.size()); ++r)
          {
              const pacs::SeriesMatch& s = seriesMatches_[std::size_t(r)];
              fillRow(series_, r,
                      { fromStd(s.seriesNumber), fromStd(s.modality), count(s.imageCount),
                        fromStd(s.seriesDescription) });
          }
          series_->resizeColumnsToContents();
          setBusy(false, error.isEmpty() ? tr("%n series in the study; choose one or retrieve "
                                              "the whole study.",
                                              "", int(seriesMatches_.size()))
                                         : error);
      });
}

void PacsDialog::retrieve()
{
    pacs::ServerAddress server;
    pacs::ClientOptions client;
    const int row = studies_->currentRow();
    if (busy_ || row < 0 || row >= int(studyMatches_.size()) || !currentServer(server, client))
        return;
    const std::string study = studyMatches_[std::size_t(row)].studyInstanceUid;
    const int seriesRow = series_->selectionModel()->selectedRows().isEmpty()
                            ? -1
                            : series_->selectionModel()->selectedRows().first().row();
    const std::string series = seriesRow >= 0 && seriesRow < int(seriesMatches_.size())
                                 ? seriesMatches_[std::size_t(seriesRow)].seriesInstanceUid
                                 : std::string();
    const QString folder =
      QDir(cacheFolder()).filePath(fromStd(series.empty() ? study : study + "_" + series));
    // A folder in the cache is complete (a retrieve renames it into place only at its end).
    if (QDir(folder).exists() && !QDir(folder).isEmpty())
    {
        retrieved_ = folder;
        status_->setText(tr("Already retrieved; opening it from the cache."));
        accept();
        return;
    }
    QDir().mkpath(cacheFolder());
    cancelled_->store(false);
    progress_->setValue(0);
    setBusy(true, tr("Retrieving…"));
    cancelButton_->setEnabled(true);
    QPointer<QProgressBar> bar = progress_;
    auto cancelled = cancelled_;
    auto files = std::make_shared<pacs::RetrieveResult>();
    runInBackground(
      [=]
      {
          *files = pacs::retrieve(server, study, series, folder.toStdString(), client,
                                  [bar, cancelled](std::size_t done, std::size_t total)
                                  {
                                      const int percent = total > 0 ? int(100 * done / total) : 0;
                                      QMetaObject::invokeMethod(
                                        bar,
                                        [bar, percent]
                                        {
                                            if (bar)
                                                bar->setValue(percent);
                                        },
                                        Qt::QueuedConnection);
                                      return !cancelled->load();
                                  });
      },
      [this, folder, files](const QString& error)
      {
          setBusy(false,
                  error.isEmpty() ? tr("Retrieved %n file(s).", "", int(files->files)) : error);
          if (error.isEmpty())
          {
              progress_->setValue(100);
              retrieved_ = folder;
              accept();
          }
          else
              progress_->setValue(0);
      });
}

void PacsDialog::cancel()
{
    cancelled_->store(true);
    status_->setText(tr("Cancelling…"));
}

} // namespace innerear::ui
