#pragma once

#include "innerear/pacs/Client.h"

#include <QDialog>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace innerear::ui
{

/// The PACS servers the user has used (most recent first) and this program's AE title, kept in
/// the settings. DIMSE has no passwords, so none is stored.
struct PacsSettings
{
    QStringList servers; ///< dicom://AE@host:port
    QString callingAe = "INNEREAR";
    int movePort = 0; ///< retrieve by C-MOVE to a listener of ours on this port; 0: C-GET
    static PacsSettings load();
    void remember(const QString& server) const; ///< moves it to the front and saves
};

/// File ▸ Open from PACS…: a search form (patient, ID, date, modality, description), the
/// studies found, the series of the chosen one, and a retrieve with progress and cancel into a
/// local cache, after which the caller opens retrievedFolder(). Every network call runs off the
/// GUI thread; patient identifiers are shown here, never logged.
class PacsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PacsDialog(QWidget* parent = nullptr);
    ~PacsDialog() override;

    /// Where studies are retrieved to: one folder per study (or series), complete or absent.
    static QString cacheFolder();
    /// The folder of the retrieved study or series, once accepted.
    const QString& retrievedFolder() const { return retrieved_; }

    // For scripts and tests: the form and the actions the buttons trigger.
    void setServer(const QString& server);
    void setQuery(const pacs::StudyQuery& query);
    void search();
    void retrieve();
    void cancel();
    int studyCount() const;
    int seriesCount() const;
    void chooseStudy(int row);
    bool busy() const { return busy_; }
    QString status() const;

private:
    /// Runs `work` on a worker thread, then `done` here (with the error text, empty on success).
    void runInBackground(std::function<void()> work, std::function<void(const QString&)> done);
    bool currentServer(pacs::ServerAddress& server, pacs::ClientOptions& client);
    void setBusy(bool busy, const QString& status);
    void showSeries();

    QComboBox* server_ = nullptr;
    QLineEdit* callingAe_ = nullptr;
    QSpinBox* movePort_ = nullptr;
    QLineEdit *patientName_ = nullptr, *patientId_ = nullptr, *date_ = nullptr,
              *modality_ = nullptr, *description_ = nullptr;
    QTableWidget* studies_ = nullptr;
    QTableWidget* series_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton *searchButton_ = nullptr, *retrieveButton_ = nullptr, *cancelButton_ = nullptr;
    std::vector<pacs::StudyMatch> studyMatches_;
    std::vector<pacs::SeriesMatch> seriesMatches_;
    std::shared_ptr<std::atomic<bool>> cancelled_;
    bool busy_ = false;
    QString retrieved_;
};

} // namespace innerear::ui
