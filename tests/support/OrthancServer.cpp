#include "OrthancServer.h"

#include "innerear/pacs/Client.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QThread>

namespace innerear::test
{

OrthancServer::OrthancServer() = default;

OrthancServer::~OrthancServer()
{
    if (process_.state() != QProcess::NotRunning)
    {
        process_.terminate();
        if (!process_.waitForFinished(10000))
            process_.kill();
        process_.waitForFinished(5000);
    }
}

QString OrthancServer::start()
{
    QString binary = QStandardPaths::findExecutable("Orthanc");
    if (binary.isEmpty() && QFileInfo("/usr/sbin/Orthanc").isExecutable())
        binary = "/usr/sbin/Orthanc";
    if (binary.isEmpty())
        return "Orthanc is not installed (scripts/run.sh deps installs Debian's orthanc)";
    // Apart from the other tests' servers (Slurm: 20000-40001, pacs::Orthanc: 50100-59103).
    dicomPort_ = 41000 + int(QCoreApplication::applicationPid() % 9000);
    httpPort_ = dicomPort_ + 1;
    QFile config(folder_.filePath("orthanc.json"));
    if (!config.open(QIODevice::WriteOnly))
        return "cannot write Orthanc's configuration";
    config.write(QString(R"({
  "Name" : "InnerEarTest", "StorageDirectory" : "%1", "IndexDirectory" : "%1",
  "HttpPort" : %2, "DicomPort" : %3, "DicomAet" : "ORTHANC", "DicomCheckCalledAet" : true,
  "RemoteAccessAllowed" : false, "AuthenticationEnabled" : false, "Plugins" : [ ],
  "DicomModalities" : { "innerear" : [ "INNEREAR", "127.0.0.1", 11112 ] }
})")
                   .arg(folder_.filePath("storage"))
                   .arg(httpPort_)
                   .arg(dicomPort_)
                   .toUtf8());
    config.close();
    process_.setProcessChannelMode(QProcess::MergedChannels);
    process_.setStandardOutputFile(folder_.filePath("orthanc.log"));
    process_.start(binary, { config.fileName() });
    if (!process_.waitForStarted(10000))
        return "Orthanc does not start: " + process_.errorString();
    pacs::ClientOptions options;
    options.timeoutSeconds = 2;
    const pacs::ServerAddress server = pacs::parseServer(address().toStdString());
    for (int attempt = 0; attempt < 60; ++attempt)
    {
        try
        {
            pacs::echo(server, options);
            return {};
        }
        catch (const std::exception&)
        {
            if (process_.state() == QProcess::NotRunning)
                break;
            QThread::msleep(500);
        }
    }
    QFile log(folder_.filePath("orthanc.log"));
    log.open(QIODevice::ReadOnly);
    return "Orthanc did not answer: " + QString::fromUtf8(log.readAll().right(400));
}

QString OrthancServer::address() const
{
    return QString("dicom://ORTHANC@127.0.0.1:%1").arg(dicomPort_);
}

} // namespace innerear::test
