#include "innerear/inference/Device.h"

#include <torch/cuda.h>

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
    // Checked against LibTorch itself and the build's own finding, not against our wrapper.
    const DeviceSelection chosen = selectDevice(DeviceRequest::Auto);
    QCOMPARE(chosen.cuda, torch::cuda::is_available());
    QCOMPARE(cudaAvailable(), torch::cuda::is_available());
    if (!INNEREAR_TORCH_HAS_CUDA)
    {
        QVERIFY(!chosen.cuda);
        QVERIFY2(QString::fromStdString(chosen.summary).contains("no CUDA"),
                 chosen.summary.c_str());
    }
    QVERIFY(QRegularExpression("^\\d+\\.\\d+\\.\\d+$")
              .match(QString::fromStdString(libtorchVersion()))
              .hasMatch());
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
