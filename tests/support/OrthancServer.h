#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace innerear::test
{

/// A throwaway Orthanc (Debian's `orthanc`) on loopback ports with its own storage folder, for
/// tests that talk to a real PACS; it knows the AE title INNEREAR at 127.0.0.1. Stopped (and its
/// storage removed) when destroyed.
class OrthancServer
{
public:
    OrthancServer();
    ~OrthancServer();
    OrthancServer(const OrthancServer&) = delete;
    OrthancServer& operator=(const OrthancServer&) = delete;

    /// Starts it and waits until its DICOM port answers; empty when it runs, else why not (the
    /// caller skips).
    QString start();
    /// dicom://ORTHANC@127.0.0.1:<port>
    QString address() const;
    int dicomPort() const { return dicomPort_; }

private:
    QTemporaryDir folder_;
    QProcess process_;
    int dicomPort_ = 0;
    int httpPort_ = 0;
};

} // namespace innerear::test
