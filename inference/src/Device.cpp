#include "innerear/inference/Device.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#ifdef __linux__
#include <sched.h>
#endif

namespace innerear::inference
{

DeviceRequest parseDeviceRequest(const std::string& text)
{
    if (text == "auto")
        return DeviceRequest::Auto;
    if (text == "cpu")
        return DeviceRequest::Cpu;
    if (text == "cuda" || text == "gpu")
        return DeviceRequest::Cuda;
    throw std::invalid_argument("unknown device \"" + text + "\" (use auto, cpu or cuda)");
}

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

std::string libtorchVersion()
{
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
           std::to_string(TORCH_VERSION_PATCH);
}

int cpuThreadBudget()
{
    int threads = int(std::max(1u, std::thread::hardware_concurrency()));
#ifdef __linux__
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
        threads = std::min(threads, std::max(1, CPU_COUNT(&allowed)));
#endif
    // A batch worker's share (INNEREAR_CPU_THREADS), or what Slurm allotted the task.
    for (const char* name : { "INNEREAR_CPU_THREADS", "SLURM_CPUS_PER_TASK" })
        if (const char* value = std::getenv(name))
        {
            const int limit = std::atoi(value);
            if (limit > 0)
                threads = std::min(threads, limit);
        }
    return threads;
}

DeviceSelection selectDevice(DeviceRequest request)
{
    const bool haveCuda = cudaAvailable();
    if (request == DeviceRequest::Cuda && !haveCuda)
        throw std::runtime_error(
          "CUDA was requested, but this LibTorch build or machine has no usable CUDA device "
          "(LibTorch " +
          libtorchVersion() + "); use --device cpu, or build against a CUDA-enabled LibTorch");

    DeviceSelection selection;
    selection.cpuThreads = cpuThreadBudget();
    torch::set_num_threads(selection.cpuThreads);
    if (haveCuda && request != DeviceRequest::Cpu)
    {
        selection.cuda = true;
        selection.name = "cuda:0";
        selection.summary =
          "GPU (CUDA device 0 of " + std::to_string(torch::cuda::device_count()) + ")";
        return selection;
    }
    selection.name = "cpu";
    selection.summary =
      "CPU, " + std::to_string(selection.cpuThreads) + " thread(s)" +
      (request == DeviceRequest::Auto ? " (no CUDA in this LibTorch build or machine)"
                                      : " (as requested)");
    return selection;
}

} // namespace innerear::inference
