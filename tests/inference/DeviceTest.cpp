#include "innerear/inference/Device.h"

#include <QtTest>

#include <stdexcept>
#include <thread>

using namespace innerear::inference;

class DeviceTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesTheCommandLineValues();
    void cpuIsAlwaysAvailableWithAllCores();
    void autoPicksCudaOnlyWhenPresent();
    void demandingCudaWithoutItSaysWhatToDo();
};

void DeviceTest::parsesTheCommandLineValues()
{
    QCOMPARE(parseDeviceRequest("auto"), DeviceRequest::Auto);
    QCOMPARE(parseDeviceRequest("cpu"), DeviceRequest::Cpu);
    QCOMPARE(parseDeviceRequest("cuda"), DeviceRequest::Cuda);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseDeviceRequest("tpu"));
}

void DeviceTest::cpuIsAlwaysAvailableWithAllCores()
{
    const DeviceSelection cpu = selectDevice(DeviceRequest::Cpu);
    QVERIFY(!cpu.cuda);
    QCOMPARE(QString::fromStdString(cpu.name), QStringLiteral("cpu"));
    QCOMPARE(cpu.cpuThreads, int(std::max(1u, std::thread::hardware_concurrency())));
    QVERIFY(QString::fromStdString(cpu.summary).contains("CPU"));
}

void DeviceTest::autoPicksCudaOnlyWhenPresent()
{
    const DeviceSelection chosen = selectDevice(DeviceRequest::Auto);
    QCOMPARE(chosen.cuda, cudaAvailable());
    QVERIFY(!libtorchVersion().empty());
}

void DeviceTest::demandingCudaWithoutItSaysWhatToDo()
{
    if (cudaAvailable())
        QSKIP("this LibTorch build has CUDA: nothing to refuse");
    try
    {
        selectDevice(DeviceRequest::Cuda);
        QFAIL("CUDA accepted without CUDA");
    }
    catch (const std::runtime_error& e)
    {
        QVERIFY2(QString(e.what()).contains("--device cpu"), e.what());
    }
}

QTEST_APPLESS_MAIN(DeviceTest)
#include "DeviceTest.moc"
