#pragma once

#include <string>

namespace innerear::inference
{

enum class DeviceRequest
{
    Auto, ///< CUDA when this LibTorch build and the machine have it, else CPU
    Cpu,
    Cuda
};

/// Parses "auto", "cpu" or "cuda"; throws std::invalid_argument with the accepted values.
DeviceRequest parseDeviceRequest(const std::string& text);

struct DeviceSelection
{
    bool cuda = false;
    std::string name;    ///< "cpu" or "cuda:0"
    int cpuThreads = 1;  ///< intra-op threads set for CPU work
    std::string summary; ///< one line for the user: what runs where, and why
};

/// Chooses the device and configures LibTorch for it (CPU threads = cores, since Debian's
/// LibTorch defaults to one). Throws std::runtime_error when CUDA is demanded but unavailable.
DeviceSelection selectDevice(DeviceRequest request);
/// Threads for CPU work: the cores this process may run on (its affinity), capped by
/// $INNEREAR_CPU_THREADS (a batch worker's share) and $SLURM_CPUS_PER_TASK.
int cpuThreadBudget();

bool cudaAvailable();
std::string libtorchVersion();

} // namespace innerear::inference
