#include "innerear/render/Montage.h"

#include "innerear/core/Projection.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace innerear::render
{

void writeProjectionMontage(const Volume& image, const LabelMap* labels, const std::string& path,
                            int panelHeight)
{
    const ViewAxis views[3] = { ViewAxis::Axial, ViewAxis::Coronal, ViewAxis::Sagittal };
    std::array<Projection, 3> mips;
    std::array<Projection, 3> overlays;
    std::array<int, 3> widths{};
    for (int v = 0; v < 3; ++v)
    {
        mips[v] = maximumIntensityProjection(image, views[v]);
        if (labels)
            overlays[v] = labelProjection(*labels, views[v]);
        const double aspect =
          (mips[v].width * mips[v].pixelWidth) / (mips[v].height * mips[v].pixelHeight);
        widths[v] = std::max(1, int(std::lround(panelHeight * aspect)));
    }
    // Window: the 0.5th to 99.8th percentile of the projection values.
    std::vector<float> all;
    for (const Projection& p : mips)
        all.insert(all.end(), p.values.begin(), p.values.end());
    std::sort(all.begin(), all.end());
    const float low = all[std::size_t(0.005 * (all.size() - 1))];
    const float high = std::max(low + 1e-6f, all[std::size_t(0.998 * (all.size() - 1))]);

    const int gap = 4;
    const int totalWidth = widths[0] + widths[1] + widths[2] + 2 * gap;
    const int rows = labels ? 2 : 1;
    const int totalHeight = rows * panelHeight + (rows - 1) * gap;
    vtkNew<vtkImageData> canvas;
    canvas->SetDimensions(totalWidth, totalHeight, 1);
    canvas->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
    auto* pixels = static_cast<unsigned char*>(canvas->GetScalarPointer());
    std::fill(pixels, pixels + 3 * totalWidth * totalHeight, 0);

    int x0 = 0;
    for (int v = 0; v < 3; ++v)
    {
        const Projection& p = mips[v];
        for (int row = 0; row < rows; ++row)
            for (int y = 0; y < panelHeight; ++y)
                for (int x = 0; x < widths[v]; ++x)
                {
                    const std::size_t px =
                      std::min(p.width - 1, std::size_t(x * p.width / widths[v]));
                    const std::size_t py =
                      std::min(p.height - 1, std::size_t(y * p.height / panelHeight));
                    const float grey = std::clamp((p.at(px, py) - low) / (high - low), 0.0f, 1.0f);
                    float rgb[3] = { grey, grey, grey };
                    if (row == 1)
                    {
                        const float label = overlays[v].at(px, py);
                        if (label >= 1.0f)
                        {
                            const float colour[3] = { 1.0f, label >= 2.0f ? 0.55f : 1.0f, 0.0f };
                            for (int c = 0; c < 3; ++c)
                                rgb[c] = 0.45f * rgb[c] + 0.55f * colour[c];
                        }
                    }
                    // VTK images start at the bottom row.
                    const int canvasY = totalHeight - 1 - (row * (panelHeight + gap) + y);
                    unsigned char* out = pixels + 3 * ((x0 + x) + totalWidth * canvasY);
                    for (int c = 0; c < 3; ++c)
                        out[c] = static_cast<unsigned char>(std::lround(255.0f * rgb[c]));
                }
        x0 += widths[v] + gap;
    }
    vtkNew<vtkPNGWriter> writer;
    writer->SetFileName(path.c_str());
    writer->SetInputData(canvas);
    writer->Write();
    std::error_code error;
    if (writer->GetErrorCode() != 0 || !std::filesystem::exists(path, error))
        throw std::runtime_error("could not write " + path);
}

} // namespace innerear::render
